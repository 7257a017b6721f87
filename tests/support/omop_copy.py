"""The same records as an OMOP CDM store: a native store's rows converted as
``dart generate --source omop`` converts them, so every spec test also runs on OMOP."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from dart.sources.omop_cdm import metadata
from dart.sources.omop_generate import convert, write
from dart.store.engine import open_engine, store_info

NATIVE_TABLES = ("practice", "patient", "observation", "prescription")
OMOP_SCHEMA = "omop"


def omop_engine(store: sa.Engine) -> sa.Engine:
    """An empty database beside ``store`` for its OMOP copy: a sibling file, or on
    PostgreSQL the schema ``omop`` of the same database (both stores have an
    ``observation`` table, so they cannot share one namespace)."""
    if store.dialect.name == "postgresql":
        with store.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {OMOP_SCHEMA} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {OMOP_SCHEMA}"))
        return store.execution_options(schema_translate_map={None: OMOP_SCHEMA})
    database = store.url.database
    engine = open_engine(store.url.set(database=f"{database}.omop").render_as_string(
        hide_password=False))
    metadata.drop_all(engine)
    return engine


def copy_to_omop(store: sa.Engine) -> sa.Engine:
    """``store``'s records written into ``omop_engine(store)``; returns that engine."""
    with store.connect() as conn:
        frames = {name: pd.read_sql(sa.select(sa.table(name, *(
            sa.column(c) for c in _columns(store, name)))), conn) for name in NATIVE_TABLES}
    extract = dt.date.fromisoformat(store_info(store)["extract_date"])
    frames["patient"]["research_opt_out"] = frames["patient"]["research_opt_out"].astype(bool)
    engine = omop_engine(store)
    write(engine, convert(frames, extract))
    return engine


def _columns(store: sa.Engine, name: str) -> list[str]:
    from dart.store.schema import metadata as native

    return [c.name for c in native.tables[name].columns]
