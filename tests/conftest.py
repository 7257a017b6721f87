"""Shared fixtures: an empty store on every engine.

``store`` is parametrised over SQLite, DuckDB and PostgreSQL, so any test that takes it runs
on all three. PostgreSQL needs ``DART_TEST_POSTGRES_URL`` (a server database this suite may
fill); each test session works in a database of its own made on that server, and each test
starts from an empty ``public`` schema. Without the URL the PostgreSQL cases skip with a
visible reason; with ``DART_REQUIRE_POSTGRES=1`` (as CI sets) a missing URL fails instead.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from dart.store.engine import create_store, normalise_url, open_engine

ENGINES = ("sqlite", "duckdb", "postgresql")
PG_ENV = "DART_TEST_POSTGRES_URL"
# A fixed disclosure secret for the whole suite, so that no test writes the user's secret
# file and published counts are reproducible (tests that need their own pass ``secret=``).
TEST_SECRET = "dart-test-suite-secret"
os.environ["DART_DISCLOSURE_SECRET"] = TEST_SECRET
# Nor the user's application database, even from a module-scoped fixture that runs before
# the per-test ``app_database`` below (a fresh one for every test).
os.environ["DART_APP_DATABASE_URL"] = (
    f"sqlite:///{tempfile.mkdtemp(prefix='dart-test-app-')}/app.db")


@pytest.fixture(autouse=True)
def app_database(tmp_path_factory, monkeypatch) -> str:
    """Every test's own application database (``DART_APP_DATABASE_URL``, inherited by the
    commands a test starts), so no test reads or writes the user's."""
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'app.db'}"
    monkeypatch.setenv("DART_APP_DATABASE_URL", url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the test server for this session, dropped afterwards."""
    url = os.environ.get(PG_ENV)
    if not url:
        reason = f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/test)"
        if os.environ.get("DART_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    server = normalise_url(url)
    name = f"dart_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def engine_url(kind: str, tmp_path, request) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    if kind == "duckdb":
        return f"duckdb:///{tmp_path / 'store.duckdb'}"
    url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(normalise_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=ENGINES)
def store_url(request, tmp_path) -> str:
    """The URL of an empty database on each engine (no tables yet)."""
    return engine_url(request.param, tmp_path, request)


@pytest.fixture
def store(store_url) -> Iterator[sa.Engine]:
    """An empty store (schema created) on each engine."""
    engine = open_engine(store_url)
    create_store(engine)
    yield engine
    engine.dispose()
