"""Bulk loading of generated frames, one fast path per engine.

DuckDB reads a registered DataFrame (``INSERT INTO ... SELECT``), PostgreSQL takes CSV
through psycopg's ``COPY``, SQLite gets ``executemany`` in large chunks. Dates are written
as real dates everywhere: on SQLite that means ISO ``YYYY-MM-DD`` text exactly as
``sa.Date`` writes it (pandas' ``to_sql`` would add a time and break ``<=`` comparisons,
see docs/architecture.md, Dates).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import sqlalchemy as sa

from dart.store.schema import metadata

SQLITE_CHUNK = 100_000
COPY_CHUNK = 250_000


def _columns(table: str) -> list[sa.Column]:
    return list(metadata.tables[table].columns)


def _iso(values: pd.Series) -> np.ndarray:
    """ISO date strings, None for missing."""
    days = values.to_numpy().astype("datetime64[D]")
    text = np.datetime_as_string(days).astype(object)
    text[np.isnat(days)] = None
    return text


def _plain(frame: pd.DataFrame, table: str, booleans: tuple[str, str] | None) -> pd.DataFrame:
    """The table's columns with dates as ISO text and missing values as None."""
    out = {}
    for col in _columns(table):
        values = frame[col.name]
        if isinstance(col.type, sa.Date):
            out[col.name] = _iso(values)
        elif isinstance(col.type, sa.Boolean) and booleans:
            out[col.name] = np.where(values.to_numpy(), *booleans).astype(object)
        else:
            series = values.astype(object)
            out[col.name] = series.where(values.notna(), None).to_numpy()
    return pd.DataFrame(out)


def _duckdb(conn: sa.Connection, table: str, frame: pd.DataFrame) -> None:
    raw = conn.connection.driver_connection
    cols = _columns(table)
    select = ", ".join(
        f"CAST({c.name} AS DATE)" if isinstance(c.type, sa.Date) else c.name for c in cols
    )
    view = frame[[c.name for c in cols]]
    raw.register("_dart_load", view)
    try:
        raw.execute(f"INSERT INTO {table} ({', '.join(c.name for c in cols)}) "
                    f"SELECT {select} FROM _dart_load")
    finally:
        raw.unregister("_dart_load")


def _postgresql(conn: sa.Connection, table: str, frame: pd.DataFrame) -> None:
    raw = conn.connection.driver_connection
    names = ", ".join(c.name for c in _columns(table))
    with raw.cursor() as cursor, cursor.copy(
        f"COPY {table} ({names}) FROM STDIN (FORMAT csv)"
    ) as copy:
        for lo in range(0, len(frame), COPY_CHUNK):
            part = _plain(frame.iloc[lo:lo + COPY_CHUNK], table, ("t", "f"))
            buffer = io.StringIO()
            # An unquoted empty field is NULL in COPY's csv format.
            part.to_csv(buffer, header=False, index=False, na_rep="")
            copy.write(buffer.getvalue())


def _sqlite(conn: sa.Connection, table: str, frame: pd.DataFrame) -> None:
    cols = _columns(table)
    sql = (f"INSERT INTO {table} ({', '.join(c.name for c in cols)}) "
           f"VALUES ({', '.join('?' for _ in cols)})")
    for lo in range(0, len(frame), SQLITE_CHUNK):
        part = _plain(frame.iloc[lo:lo + SQLITE_CHUNK], table, (1, 0))
        conn.exec_driver_sql(sql, list(part.itertuples(index=False, name=None)))


LOADERS = {"duckdb": _duckdb, "postgresql": _postgresql, "sqlite": _sqlite}


def insert_frame(conn: sa.Connection, table: str, frame: pd.DataFrame) -> int:
    """Append ``frame``'s rows (it may hold extra columns) to ``table``; returns the count."""
    if len(frame):
        LOADERS[conn.dialect.name](conn, table, frame)
    return len(frame)


def drop_indexes(conn: sa.Connection) -> list[sa.Index]:
    """Drop the store's secondary indexes (a bulk load then builds each once at the end)."""
    dropped = []
    for name in ("patient", "observation", "prescription"):
        for index in metadata.tables[name].indexes:
            index.drop(conn, checkfirst=True)
            dropped.append(index)
    return dropped


def create_indexes(conn: sa.Connection, indexes: list[sa.Index]) -> None:
    """Re-create the indexes ``drop_indexes`` removed."""
    for index in indexes:
        index.create(conn, checkfirst=True)
