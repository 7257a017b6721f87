"""Fixtures for the recruitment tests: the hand-built store of ``tests.support.rescreen_store``
with its study approved, on every engine."""

from __future__ import annotations

import pytest

from dart.store.codelists import load_library
from tests.support.rescreen_store import CRITERIA, STORE, approved_study


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture
def study(store):
    return approved_study(store, STORE, CRITERIA, "Diabetes")
