"""Fixtures for the API tests: a hand-built store, one user of each role, a test client.

The store (``HAND_STORE``): practice 1 (T00001) and practice 2 (T00002). Thirteen women at
practice 1 and nine at practice 2 are eligible for ``CRITERIA`` (adult women); one man at
practice 1 is not; practice 2 also holds an opted-out and a dead woman. Invite lists are
made as of ``TODAY``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from dart.app.accounts import add_user, get_user
from dart.store.codelists import load_library
from dart.store.engine import create_store, open_engine
from dart.web import create_app
from tests.support.tables import load_tables, nhs_number

TODAY = dt.date(2026, 7, 15)
CRITERIA = """study "Adult women"
screen "Willing to attend clinic"
include "Adults": age >= 18
include "Women": sex is female
"""
PRACTICE_1 = tuple(range(1, 14))
PRACTICE_2 = tuple(range(21, 30))
HAND_STORE = "\n".join(
    ["patient", "patient_id | practice_id | sex | research_opt_out | date_of_death"]
    + [f"{i} | 1 | F | false |" for i in PRACTICE_1]
    + ["14 | 1 | M | false |"]
    + [f"{i} | 2 | F | false |" for i in PRACTICE_2]
    + ["30 | 2 | F | true  |", "31 | 2 | F | false | 2025-01-01"]
)
ROLES = ("sponsor", "practice", "researcher", "admin")


@dataclass
class Api:
    """A test client with a token per user and the services behind it."""

    client: object
    tokens: dict[str, str]
    services: object
    engine: sa.Engine

    def headers(self, who: str | None, **extra: str) -> dict[str, str]:
        out = dict(extra)
        if who is not None:
            out["Authorization"] = f"Bearer {self.tokens[who]}"
        return out

    def user(self, who: str):
        return get_user(self.engine, who)

    def get(self, path: str, who: str | None, **kw):
        return self.client.get(path, headers=self.headers(who, **kw.pop("headers", {})), **kw)

    def post(self, path: str, who: str | None, json=None, **kw):
        return self.client.post(path, json=json,
                                headers=self.headers(who, **kw.pop("headers", {})), **kw)


@pytest.fixture(scope="session")
def library():
    return load_library()


def add_users(engine: sa.Engine, store: sa.Engine | None = None) -> dict[str, str]:
    """One user of each role (and a second practice user and sponsor) in the application
    database ``engine``, practices from ``store`` (default: the same database)."""
    tokens = {role: add_user(engine, role, role, "T00001" if role == "practice" else None,
                             store=store) for role in ROLES}
    tokens["practice2"] = add_user(engine, "practice2", "practice", "T00002", store=store)
    tokens["sponsor2"] = add_user(engine, "sponsor2", "sponsor")
    return tokens


def make_api(engine: sa.Engine, library, **config) -> Api:
    tokens = add_users(engine)
    app = create_app({"ENGINE": engine, "CODELISTS": library, "TODAY": lambda: TODAY,
                      "TESTING": True, **config})
    return Api(app.test_client(), tokens, app.extensions["dart"], engine)


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


def nhs_numbers(ids) -> set[str]:
    return {nhs_number(i) for i in ids}


def make_site(folder, library, **config):
    """The whole server (API and dashboard) over the hand-built store on SQLite in
    ``folder``: (app, tokens, engine); dispose the engine when done."""
    engine = open_engine(f"sqlite:///{folder / 'site.db'}")
    create_store(engine)
    load_tables(engine, HAND_STORE)
    tokens = add_users(engine)
    app = create_app({"ENGINE": engine, "CODELISTS": library, "DASHBOARD": True,
                      "SECRET_KEY": "site-tests", **config})
    return app, tokens, engine
