"""Fixtures for the API tests: the hand-built world of ``tests.support.api`` (its store,
one user of each role, a test client) on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from dart.store.codelists import load_library
from dart.store.engine import create_store, open_engine
from tests.support.api import HAND_STORE, Api, make_api
from tests.support.tables import load_tables


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[sa.Engine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'api.db'}")
    create_store(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def api(sqlite_engine, library) -> Api:
    """The API over the hand-built store on SQLite."""
    load_tables(sqlite_engine, HAND_STORE)
    return make_api(sqlite_engine, library)
