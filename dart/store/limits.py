"""Bounded execution: every statement on an engine runs under a time and a memory limit.

``apply_limits(engine, QueryLimits(...))`` makes the engine itself stop a statement that
runs too long or grows too large, so a costly query fails alone while the other
connections (the server's other requests) carry on. Each engine's own mechanism:

- PostgreSQL: ``statement_timeout`` set on every connection (the server cancels the
  statement); memory is the server's own business (``work_mem``).
- DuckDB: ``memory_limit`` on the database instance, and a timer thread calling the
  connection's ``interrupt()`` when a statement passes its time.
- SQLite: a progress handler that aborts a statement past its time (SQLite has no
  per-connection memory limit; its statements here are bounded by the criteria limits).

A statement stopped so raises ``QueryTooCostly`` (a ``StoreError``) instead of the
driver's error. Settings: ``DART_QUERY_SECONDS``, ``DART_QUERY_MEMORY_MB`` (and
``dart serve --query-seconds/--query-memory-mb``).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from dataclasses import dataclass

import sqlalchemy as sa

from dart.store.engine import StoreError

ENV_SECONDS = "DART_QUERY_SECONDS"
ENV_MEMORY_MB = "DART_QUERY_MEMORY_MB"
SQLITE_CHECK_EVERY = 10_000
"""SQLite virtual-machine instructions between two looks at the clock (a few ms)."""


class QueryTooCostly(StoreError):
    """A statement stopped by the engine for passing its time or memory limit."""

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit  # "time" | "memory"


@dataclass(frozen=True)
class QueryLimits:
    """Per statement: at most ``seconds`` of wall time; DuckDB: at most ``memory_mb``."""

    seconds: float = 30.0
    memory_mb: int = 2048

    @classmethod
    def from_env(cls, seconds: float | None = None,
                 memory_mb: int | None = None) -> QueryLimits:
        """The given values, else ``DART_QUERY_SECONDS``/``DART_QUERY_MEMORY_MB``, else the
        defaults. Raises ``StoreError`` for a value that is not a positive number."""
        default = cls()
        return cls(_positive(seconds, ENV_SECONDS, default.seconds, float),
                   _positive(memory_mb, ENV_MEMORY_MB, default.memory_mb, int))

    def to_json(self) -> dict:
        return {"seconds": self.seconds, "memory_mb": self.memory_mb}


def _positive(given, env: str, default, kind):
    raw = given if given is not None else os.environ.get(env)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise StoreError(f"{env} must be a number, not {raw!r}") from None
    if value <= 0:
        raise StoreError(f"{env} must be positive, not {raw!r}")
    return value


def apply_limits(engine: sa.Engine, limits: QueryLimits) -> None:
    """Enforce ``limits`` on every statement ``engine`` runs (once per engine)."""
    installed = engine in _CURRENT
    _CURRENT[engine] = limits  # the listeners read the current value
    if installed:
        return
    name = engine.dialect.name
    if name == "postgresql":
        sa.event.listen(engine, "checkout", _postgres_timeout(engine))
    elif name == "duckdb":
        sa.event.listen(engine, "connect", _duckdb_memory(engine))
        sa.event.listen(engine, "before_cursor_execute", _duckdb_timer(engine))
        sa.event.listen(engine, "after_cursor_execute", _stop_timer)
    elif name == "sqlite":
        sa.event.listen(engine, "checkout", _sqlite_handler)
        sa.event.listen(engine, "before_cursor_execute", _sqlite_deadline(engine))
        sa.event.listen(engine, "reset", _sqlite_clear)
    sa.event.listen(engine, "handle_error", _too_costly)


_CURRENT: weakref.WeakKeyDictionary[sa.Engine, QueryLimits] = weakref.WeakKeyDictionary()


def _limits(engine: sa.Engine) -> QueryLimits:
    return _CURRENT[engine]


def _postgres_timeout(engine: sa.Engine):
    # At checkout, not connect: the pool may hold connections made before the limits were
    # applied, and a changed limit must reach them too.
    def checkout(dbapi_connection, record, _proxy) -> None:
        ms = max(1, int(_limits(engine).seconds * 1000))
        if record.info.get("dart_timeout_ms") == ms:
            return
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET statement_timeout = {ms}")  # an int we computed, not input
        cursor.close()
        dbapi_connection.commit()  # psycopg opened a transaction for the SET
        record.info["dart_timeout_ms"] = ms
    return checkout


def _native_duckdb(dbapi_connection):
    # duckdb-sqlalchemy wraps the DuckDB connection and proxies its methods through a
    # helper that first buffers pending results, which must not run from the timer thread
    # while the statement runs: interrupt the DuckDB connection itself.
    return getattr(dbapi_connection, "_ConnectionWrapper__c", dbapi_connection)


def _duckdb_memory(engine: sa.Engine):
    def connect(dbapi_connection, _record) -> None:
        mb = int(_limits(engine).memory_mb)
        _native_duckdb(dbapi_connection).execute(f"SET memory_limit = '{mb}MB'")
    return connect


def _duckdb_timer(engine: sa.Engine):
    def before(conn, _cursor, _statement, _params, context, _many) -> None:
        native = _native_duckdb(conn.connection.dbapi_connection)
        done = threading.Event()
        conn.info["dart_timer"] = done
        conn.info.pop("dart_interrupted", None)
        threading.Thread(target=_interrupt, args=(native, conn, done,
                                                  _limits(engine).seconds),
                         daemon=True).start()
    return before


def _interrupt(native, conn, done: threading.Event, seconds: float) -> None:
    """Interrupt the statement once past ``seconds``, and again every 5 ms until it ends:
    an interrupt that lands before DuckDB starts executing (while it binds and plans, and
    clears the flag) is lost, and a statement that then took under the interval ran on
    (an approval test under a 1 ms limit passed now and then with 50 ms)."""
    if done.wait(seconds):
        return
    conn.info["dart_interrupted"] = True
    while not done.is_set():
        native.interrupt()
        done.wait(0.005)


def _stop_timer(conn, *_args) -> None:
    done = conn.info.pop("dart_timer", None)
    if done is not None:
        done.set()


def _sqlite_handler(dbapi_connection, record, _proxy) -> None:
    if "dart_deadline" in record.info:
        return
    deadline = record.info.setdefault("dart_deadline", [None])

    def past_deadline() -> int:  # non-zero aborts the statement ("interrupted")
        return int(deadline[0] is not None and time.monotonic() > deadline[0])

    dbapi_connection.set_progress_handler(past_deadline, SQLITE_CHECK_EVERY)


def _sqlite_deadline(engine: sa.Engine):
    def before(conn, *_args) -> None:
        holder = conn.connection.info.get("dart_deadline")
        if holder is not None:
            holder[0] = time.monotonic() + _limits(engine).seconds
    return before


def _sqlite_clear(_dbapi_connection, record, _state) -> None:
    # Before the pool's rollback: a deadline left from the last statement must not abort it.
    holder = record.info.get("dart_deadline")
    if holder is not None:
        holder[0] = None


def _too_costly(context) -> None:
    """The engines' 'stopped' errors as ``QueryTooCostly``; anything else unchanged."""
    conn = context.connection
    if conn is not None:
        _stop_timer(conn)
    exc = context.original_exception
    name = type(exc).__name__
    limits = _limits(context.engine)
    over_time = (f"the query ran past its time limit of {limits.seconds:g} s",
                 "time")
    if name == "QueryCanceled" or (name == "InterruptException" and conn is not None
                                   and conn.info.pop("dart_interrupted", False)):
        raise QueryTooCostly(*over_time) from exc
    if name == "OperationalError" and "interrupted" in str(exc):
        raise QueryTooCostly(*over_time) from exc
    if name == "OutOfMemoryException":
        raise QueryTooCostly(f"the query needed more than its memory limit of "
                             f"{limits.memory_mb} MB", "memory") from exc
