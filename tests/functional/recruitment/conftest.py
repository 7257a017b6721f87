"""Fixtures for the recruitment tests: the hand-built store of ``tests.support.rescreen_store``
with its study approved, on every engine."""

from __future__ import annotations

import pytest

from dart.recruitment.studies import approve_study, create_study
from dart.store.app_tables import ensure_app_tables
from dart.store.codelists import load_library
from tests.support.rescreen_store import CRITERIA, STORE
from tests.support.tables import load_tables


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture
def study(store):
    load_tables(store, STORE)
    ensure_app_tables(store)
    create_study(store, owner_id=1, title="Diabetes", criteria_text=CRITERIA)
    return approve_study(store, 1, admin_id=2)
