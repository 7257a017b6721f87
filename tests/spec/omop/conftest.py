"""An empty database on every engine for an OMOP store (no DART tables in it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from dart.store.engine import open_engine


@pytest.fixture
def cdm(store_url) -> Iterator[sa.Engine]:
    engine = open_engine(store_url)
    yield engine
    engine.dispose()
