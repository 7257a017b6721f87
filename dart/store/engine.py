"""Opening a store from a URL: SQLite and DuckDB embedded, PostgreSQL as a server, Spark
SQL on a local session (``spark:///PATH``) or on a cluster (``hive://``: a Spark Thrift
Server through PyHive; ``databricks://``: a Databricks SQL warehouse; docs/sources.md).

One function turns whatever a user typed (``--db``, ``DART_DATABASE_URL``) into a working
SQLAlchemy engine or a ``StoreError`` that says what is wrong, never a driver traceback.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from dart.store.schema import STORE_TABLES, metadata

ENV_URL = "DART_DATABASE_URL"
ENV_LOCK_WAIT = "DART_LOCK_WAIT"
SUPPORTED = ("sqlite", "duckdb", "postgresql", "spark", "hive", "databricks")
CLUSTERS = {"hive": "pip install 'dart-trials[hive]' (PyHive with its Thrift transport)",
            "databricks": "pip install 'dart-trials[databricks]' (databricks-sqlalchemy)"}
"""The Spark clusters DART reaches through their own SQLAlchemy dialects, and the extra
that installs each dialect."""
LOCK_WAIT_SECONDS = 30.0


class StoreError(Exception):
    """A store that cannot be opened or is not a valid store; the message is for people."""


def default_url() -> str:
    """``DART_DATABASE_URL`` if set, else a DuckDB file in the user's data directory.

    DuckDB is the fastest embedded engine (docs/performance.md); ``open_engine`` opens its
    file per use so that the server and the CLI can share it.
    """
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    data_dir = Path(platformdirs.user_data_dir("dart"))
    return f"duckdb:///{data_dir / 'dart.duckdb'}"


def normalise_url(url: str, *, create: bool = True) -> sa.URL:
    """Parse ``url``; ``postgresql://`` means psycopg 3. Raises ``StoreError`` if unusable.

    An embedded file's folder is made when ``create``; otherwise the file must exist (a
    command that only reads a store must not leave an empty one behind, and an empty file
    would hide a mistyped path behind "not a DART store").
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"not a database URL: {url!r} (expected e.g. sqlite:///dart.db, "
            "duckdb:///dart.duckdb or postgresql://user@host:5432/db)"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise StoreError(f"unsupported database {backend!r}: use one of {', '.join(SUPPORTED)}")
    if backend == "postgresql" and parsed.get_driver_name() in ("psycopg2", "", None):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "spark":  # DART's own dialect over a local Spark session (pyspark)
        from sqlalchemy.dialects import registry

        registry.register("spark", "dart.store.spark", "SparkDialect")
    if backend in ("sqlite", "duckdb") and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).expanduser().resolve()
        folder = path.parent
        if not create and not path.is_file():
            raise StoreError(f"no store at {path}: make one with 'dart generate --db "
                             f"{parsed.render_as_string(hide_password=True)}', or pass the "
                             "--db of an existing store")
        if not folder.exists():
            try:
                folder.mkdir(parents=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder {folder}: {exc.strerror}") from None
    return parsed


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the server and the CLI read one file while either writes; the busy timeout
    # makes a writer wait for the other instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _lock_wait() -> float:
    try:
        return float(os.environ.get(ENV_LOCK_WAIT, LOCK_WAIT_SECONDS))
    except ValueError:
        return LOCK_WAIT_SECONDS


# DuckDB keeps one in-process instance per file: opening the file in one thread while another
# thread closes the last connection to it races ("Unique file handle conflict"), so opens and
# closes of DuckDB files are serialised within a process (queries still run in parallel).
_DUCKDB_OPEN_CLOSE = threading.Lock()


class _OpenPerUsePool(NullPool):
    """``NullPool`` whose closes take the same lock as the opens."""

    def _close_connection(self, connection, *, terminate: bool = False) -> None:
        with _DUCKDB_OPEN_CLOSE:
            super()._close_connection(connection, terminate=terminate)


def _duckdb_shared(engine: sa.Engine) -> None:
    """Let several processes take turns on one DuckDB file.

    DuckDB locks its file for as long as a process has it open, so a pooled engine in the
    server would lock the CLI out for good. Instead every checkout opens the file (under a
    millisecond) and every release closes it (``NullPool``), and an open that meets another
    process's lock waits and retries (up to ``DART_LOCK_WAIT`` seconds) instead of failing.
    Threads of one process share DuckDB's in-process instance and never wait for each other.
    """
    import duckdb

    @sa.event.listens_for(engine, "do_connect")
    def _connect_when_free(dialect, _record, cargs, cparams):
        deadline = time.monotonic() + _lock_wait()
        delay = 0.01
        while True:
            try:
                # the dialect pops keys from cparams: give each attempt its own copy
                with _DUCKDB_OPEN_CLOSE:
                    return dialect.connect(*cargs, **{**cparams, "config": dict(
                        cparams.get("config", {}))})
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.2)


def _duckdb_quiet(dbapi_connection, _record) -> None:
    # DuckDB's Python client draws a progress bar on stdout for a statement that runs over
    # two seconds, which corrupts `dart count --json` and any other output; a connection
    # setting (DuckDB refuses it as a global option in the connect configuration).
    dbapi_connection.execute("SET enable_progress_bar = false")


def _read_only(parsed: sa.URL) -> tuple[sa.URL, dict]:
    """The URL and connect arguments that open ``parsed`` so that nothing can be written."""
    backend = parsed.get_backend_name()
    if backend == "sqlite":  # SQLite's URI form opens the file read only (mode=ro)
        path = Path(parsed.database or "").expanduser().resolve()
        return parsed.set(database=f"file:{path}", query={"mode": "ro", "uri": "true"}), {}
    if backend == "duckdb":
        return parsed, {"read_only": True}
    if backend in ("spark", *CLUSTERS):
        # No connection flag makes a Spark session read only: DART's own dialect never
        # writes, and on a cluster the account's grants must allow SELECT only
        # (docs/sources.md); DART sends no write to a store it opened read only.
        return parsed, {}
    return parsed, {"options": "-c default_transaction_read_only=on"}  # PostgreSQL


def open_engine(url: str | None = None, *, check: bool = True,
                read_only: bool = False, create: bool = True) -> sa.Engine:
    """An engine for ``url`` (default: ``default_url()``), connected once to prove it works.

    ``read_only``: the database refuses every write (a store DART must not change, such as
    an OMOP CDM). ``create=False`` for a store that must already exist: an embedded file
    that does not is a ``StoreError``, and no file or folder is made.
    """
    parsed = normalise_url(url or default_url(), create=create and not read_only)
    shared_file = parsed.get_backend_name() == "duckdb" and parsed.database not in (
        None, "", ":memory:")
    options: dict = {"poolclass": _OpenPerUsePool} if shared_file else {}
    if read_only:
        parsed, connect_args = _read_only(parsed)
        options["connect_args"] = connect_args
    try:
        engine = sa.create_engine(parsed, **options)
    except (NoSuchModuleError, ImportError) as exc:
        backend = parsed.get_backend_name()
        if backend in CLUSTERS:
            raise StoreError(f"{backend}:// needs its SQLAlchemy dialect: "
                             f"{CLUSTERS[backend]}") from None
        raise StoreError(f"no driver for {parsed.drivername}: {exc}") from None
    if engine.dialect.name == "spark" and not _has_pyspark():
        raise StoreError("spark:// needs pyspark: pip install 'dart-trials[spark]'")
    if engine.dialect.name == "sqlite" and not read_only:
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    if engine.dialect.name == "duckdb":
        sa.event.listen(engine, "connect", _duckdb_quiet)
    if shared_file:
        _duckdb_shared(engine)
    if check:
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
        except DBAPIError as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreError(_cannot_open(parsed, reason)) from None
        except Exception as exc:
            # PyHive's Thrift transport raises its own TTransportException (no DBAPI
            # error) when no server answers; any other engine's failure is a bug to show.
            if parsed.get_backend_name() not in CLUSTERS:
                raise
            engine.dispose()
            raise StoreError(_cannot_open(parsed, str(exc).strip().splitlines()[0])
                             ) from None
    return engine


def _cannot_open(parsed: sa.URL, reason: str) -> str:
    return f"cannot open the store at {parsed.render_as_string(hide_password=True)}: {reason}"


def _has_pyspark() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyspark") is not None


def create_store(engine: sa.Engine) -> None:
    """Create the store's tables and indexes (those that do not exist yet)."""
    metadata.create_all(engine)


def missing_tables(engine: sa.Engine) -> list[str]:
    """The store schema's tables (docs/store.md) that the store lacks (empty for a valid store)."""
    present = set(sa.inspect(engine).get_table_names())
    return [t for t in STORE_TABLES if t not in present]


def require_store(engine: sa.Engine) -> None:
    """Raise ``StoreError`` unless ``engine`` holds every table of the store schema."""
    missing = missing_tables(engine)
    if missing:
        raise StoreError(
            f"{engine.url.render_as_string(hide_password=True)} is not a DART store "
            f"(missing tables: {', '.join(missing)}); run 'dart generate' or load an extract"
        )


def store_info(bind: sa.Engine | sa.Connection) -> dict[str, str]:
    """The ``store_info`` key/value pairs (on ``bind``'s connection, or a new one)."""
    from dart.store.schema import store_info as table

    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            return store_info(conn)
    return {k: v for k, v in bind.execute(sa.select(table.c.key, table.c.value))}
