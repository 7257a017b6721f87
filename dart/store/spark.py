"""Spark SQL as an engine: ``spark:///PATH`` is a store of Parquet tables under PATH, read
by a local Spark session (``pyspark``, the optional extra ``spark``).

A small SQLAlchemy dialect (``spark``) compiles DART's statements to Spark SQL, and a DBAPI
shim runs them with ``SparkSession.sql`` and its named parameter markers (``:name``), so
parameters stay bound. On connecting, every ``PATH/<table>.parquet`` becomes a temporary
view named ``<table>``. ``?master=local[4]`` chooses the Spark master (default
``local[2]``) and ``?memory=8g`` its JVM heap (default 4g). A real cluster is reached
through its own SQLAlchemy dialect instead (Spark Thrift Server: PyHive's ``hive://``;
Databricks SQL: ``databricks://``); the dialect overrides DART needs are keyed on the
names in ``dialects.SPARK_DIALECTS``.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import default
from sqlalchemy.sql import compiler

DEFAULT_MASTER = "local[2]"
DEFAULT_MEMORY = "4g"
"""The local session's JVM heap (``?memory=``): Spark's own default, 1g, ran out of heap on
a full feasibility statement at 1M patients."""
_SESSION_LOCK = threading.Lock()


class Error(Exception):
    """The DBAPI's base error (a Spark analysis or execution error, as text)."""


class DatabaseError(Error):
    pass


class OperationalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class InterfaceError(Error):
    pass


class _Cursor:
    def __init__(self, connection: _Connection):
        self.connection, self.description, self.rowcount = connection, None, -1
        self._rows: list[tuple] = []
        self.arraysize = 1

    def execute(self, sql: str, parameters=None) -> None:
        try:
            frame = self.connection.session.sql(sql, args=dict(parameters or {}))
            rows = frame.collect()
        except Exception as exc:  # noqa: BLE001 - py4j/pyspark raise many types: one here
            raise ProgrammingError(str(exc).strip().splitlines()[0]) from None
        self.description = [(name, None, None, None, None, None, None)
                            for name in frame.columns]
        self._rows = [tuple(r) for r in rows]
        self.rowcount = len(self._rows)

    def executemany(self, sql: str, seq) -> None:
        for parameters in seq:
            self.execute(sql, parameters)

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        size = size or self.arraysize
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def close(self) -> None:
        self._rows = []


class _Connection:
    def __init__(self, session):
        self.session = session

    def cursor(self) -> _Cursor:
        return _Cursor(self)

    def commit(self) -> None:  # the store is read only: nothing to commit
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:  # the session is shared by the process
        pass


def _cores(master: str) -> int:
    """The cores of a ``local[N]`` master (``local[*]``: this machine's; else 4)."""
    found = re.fullmatch(r"local\[(\d+|\*)\]", master)
    if not found:
        return 4
    if found.group(1) == "*":
        return os.cpu_count() or 2
    return int(found.group(1))


@functools.cache
def _scratch() -> str:
    """The process's scratch folder for Spark (a temporary folder, removed at exit)."""
    folder = tempfile.mkdtemp(prefix="dart-spark-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


# Settings of each store's session (SQL settings: a session made from the process's first
# one starts from its own).
_SESSION_SQL = {
    # Dates are dates: no session time zone may shift them.
    "spark.sql.session.timeZone": "UTC",
    # Spark 4's RemoveRedundantAliases turns the forecast's statement (LEAD over a union of
    # monthly branches) into an invalid plan (PLAN_VALIDATION_FAILED_RULE_IN_BATCH); without
    # the rule the plan keeps an alias it did not need, and every statement its answer.
    "spark.sql.optimizer.excludedRules":
        "org.apache.spark.sql.catalyst.optimizer.RemoveRedundantAliases",
}
_SESSIONS: dict[str, Any] = {}  # the store's folder -> its session


def session(path: str, master: str = DEFAULT_MASTER, memory: str = DEFAULT_MEMORY):
    """The session of the store under ``path``, with every Parquet table there as a view.

    One Spark context per process; each store folder has a session of its own made from
    it (``newSession``: its own temporary views), so two stores open in one process never
    read each other's tables. The views are registered again at every connection, so a
    store rewritten in place is read as it is now."""
    from pyspark.sql import SparkSession

    with _SESSION_LOCK:
        root = (SparkSession.builder.master(master).appName("dart")
                .config("spark.ui.enabled", "false")
                # Read when the JVM starts: only the process's first session sets it.
                .config("spark.driver.memory", memory)
                # No progress bars drawn over the CLI's output.
                .config("spark.ui.showConsoleProgress", "false")
                # One shuffle partition per core of a local master: the default (200)
                # makes each of a statement's dozens of stages schedule 200 tasks, which
                # on a 2-core machine costs more than the data they hold.
                .config("spark.sql.shuffle.partitions", str(_cores(master)))
                # Spark makes its warehouse folder (``spark-warehouse``) in the working
                # directory by default, even for a read; DART writes no table, so the
                # folder goes where nobody has to clean it up.
                .config("spark.sql.warehouse.dir", _scratch())
                .getOrCreate())
        spark = _SESSIONS.get(path)
        if spark is None:
            spark = _SESSIONS[path] = root.newSession()
            spark.conf.set("spark.sql.shuffle.partitions", str(_cores(master)))
            for key, value in _SESSION_SQL.items():
                spark.conf.set(key, value)
        for table in sorted(Path(path).glob("*.parquet")):
            spark.read.parquet(str(table)).createOrReplaceTempView(table.stem)
    return spark


class _DBAPI:
    paramstyle = "named"
    Error, DatabaseError, OperationalError = Error, DatabaseError, OperationalError
    ProgrammingError, InterfaceError = ProgrammingError, InterfaceError

    @staticmethod
    def connect(path: str = "", master: str = DEFAULT_MASTER,
                memory: str = DEFAULT_MEMORY) -> _Connection:
        return _Connection(session(path, master, memory))


class SparkTypeCompiler(compiler.GenericTypeCompiler):
    # Spark SQL's character type is STRING (VARCHAR needs a length there).
    def visit_string(self, type_, **kw):
        return "STRING"

    visit_VARCHAR = visit_text = visit_TEXT = visit_unicode = visit_string

    def visit_integer(self, type_, **kw):
        return "INT"


class SparkIdentifierPreparer(compiler.IdentifierPreparer):
    def __init__(self, dialect):
        # Spark SQL quotes identifiers with backticks.
        super().__init__(dialect, initial_quote="`")


class SparkDialect(default.DefaultDialect):
    """Spark SQL through a local ``SparkSession`` (see the module docstring)."""

    name = "spark"
    driver = "pyspark"
    supports_statement_cache = True
    supports_native_boolean = True
    supports_multivalues_insert = False
    default_paramstyle = "named"
    type_compiler_cls = SparkTypeCompiler
    preparer = SparkIdentifierPreparer

    @classmethod
    def import_dbapi(cls):
        return _DBAPI

    def create_connect_args(self, url: sa.URL):
        master = url.query.get("master", DEFAULT_MASTER)
        memory = url.query.get("memory", DEFAULT_MEMORY)
        if not re.fullmatch(r"\d+[mg]", memory):
            raise ValueError(f"spark:// memory must be like 4g or 512m (got {memory!r})")
        return [], {"path": url.database or "", "master": master, "memory": memory}

    def get_table_names(self, connection, schema=None, **kw) -> list[str]:
        rows = connection.exec_driver_sql("SHOW TABLES").all()
        return [r[1] for r in rows]

    def has_table(self, connection, table_name, schema=None, **kw) -> bool:
        return table_name in self.get_table_names(connection)

    def do_rollback(self, dbapi_connection) -> None:
        pass

    def _check_unicode_returns(self, connection):
        return True

    def get_isolation_level(self, dbapi_connection):
        return None

    def do_ping(self, dbapi_connection) -> bool:
        return True


def write_parquet(source: sa.Engine, folder: Path) -> list[Path]:
    """Copy every native table of the DuckDB store ``source`` to ``folder/<table>.parquet``
    (the layout ``spark:///folder`` reads); the files written."""
    from dart.store.schema import STORE_TABLES

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with source.connect() as conn:
        for name in STORE_TABLES:
            target = folder / f"{name}.parquet"
            # COPY takes no parameter for its target: the path is quoted as a literal.
            quoted = str(target).replace("'", "''")
            conn.exec_driver_sql(f"COPY {name} TO '{quoted}' (FORMAT parquet)")
            written.append(target)
    return written


def generate_parquet(url: sa.URL, patients: int, practices: int | None = None, **kw):
    """``dart generate --db spark:///PATH``: the native generator's store, as one Parquet
    file per table under PATH (written by DuckDB from a scratch store: no JVM needed)."""
    import tempfile

    from dart.store.engine import StoreError, open_engine
    from dart.store.generate import generate

    folder = Path(url.database or "").expanduser().resolve()
    if any(folder.glob("*.parquet")) and not kw.get("replace"):
        raise StoreError(f"{folder} already holds Parquet tables; use --replace to delete "
                         "them and generate afresh")
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = open_engine(f"duckdb:///{Path(scratch_dir) / 'store.duckdb'}")
        try:
            summary = generate(scratch, patients, practices, **kw)
            write_parquet(scratch, folder)
        finally:
            scratch.dispose()
    return summary
