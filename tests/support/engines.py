"""Module-scoped stores on every engine, filled with the same rows (property tests)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from dart.store.engine import create_store, open_engine
from dart.store.schema import metadata

PG_ENV = "DART_TEST_POSTGRES_URL"  # a PostgreSQL server database the suite may fill


def filled_stores(folder: Path, request: pytest.FixtureRequest,
                  tables: dict[str, list[dict]]) -> list[sa.Engine]:
    """SQLite and DuckDB stores in ``folder`` and, with ``DART_TEST_POSTGRES_URL``, the
    session's PostgreSQL database, each holding ``tables`` (dispose them when done)."""
    urls = [f"sqlite:///{folder / 's.db'}", f"duckdb:///{folder / 's.duckdb'}"]
    if os.environ.get(PG_ENV):
        urls.append(request.getfixturevalue("postgres_url"))
    made = []
    for url in urls:
        engine = open_engine(url)
        if engine.dialect.name == "postgresql":
            metadata.drop_all(engine)
        create_store(engine)
        with engine.begin() as conn:
            for name, rows in tables.items():
                if name in metadata.tables:  # DART's own (the lifecycle) live elsewhere
                    conn.execute(metadata.tables[name].insert(), rows)
        made.append(engine)
    return made
