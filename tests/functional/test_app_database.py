"""DART's own database apart from the record store: the store is only read, the `invited`
conditions see the application database's invitations on every engine, an older data
directory's tables are adopted once, and a first run's user is the served one."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from dart.analysis.feasibility import run_feasibility
from dart.app.accounts import add_user, hash_token
from dart.cli import main
from dart.recruitment.invitations import with_invitations
from dart.sources.native import NATIVE
from dart.store.app_db import open_app_db
from dart.store.app_tables import invitations
from dart.store.codelists import load_library
from dart.store.engine import create_store, open_engine
from dart.web import create_app
from tests.support.api import CRITERIA, HAND_STORE, PRACTICE_1
from tests.support.tables import load_tables

# As tests/spec/test_invited.py: index date 2026-06-30; 6 months back is 2025-12-30.
PATIENTS = "patient\npatient_id\n1\n2\n3\n4\n5\n"
INVITED = [(1, 1, dt.date(2025, 12, 30)),  # on the window's first day: in
           (2, 2, dt.date(2025, 12, 29)),  # the day before: out (but "ever")
           (1, 3, dt.date(2026, 7, 1)),    # after the index date: never seen
           (7, 4, dt.date(2026, 6, 30))]   # on the index date, another study: in
EXPECTED = {"include invited within 6 months": 2,   # patients 1 and 4
            "include invited ever": 3,              # 1, 2 and 4
            "exclude invited within 6 months": 3}   # 2, 3 and 5
TODAY = dt.date(2026, 6, 30)  # invitations recorded today are on the index date


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_only_url(store_url: str) -> sa.Engine:
    return open_engine(store_url, read_only=True, create=False)


@pytest.mark.parametrize("criteria", sorted(EXPECTED))
def test_invited_counts_the_same_on_every_engine_with_the_app_db_apart(
        store, store_url, tmp_path, criteria):
    load_tables(store, PATIENTS)
    app = open_app_db(f"sqlite:///{tmp_path / 'apart.db'}")
    with app.begin() as conn:
        conn.execute(invitations.insert(), [
            {"study_id": s, "patient_id": p, "practice_id": 1, "invited_on": d}
            for s, p, d in INVITED])
    store.dispose()
    records = read_only_url(store_url)
    try:
        result = run_feasibility(records, criteria, {}, source=with_invitations(NATIVE, app))
    finally:
        records.dispose()
    assert result.eligible == EXPECTED[criteria]


def test_invitations_go_to_the_query_as_bound_values(tmp_path):
    app = open_app_db(f"sqlite:///{tmp_path / 'apart.db'}")
    with app.begin() as conn:
        conn.execute(invitations.insert(), [{"study_id": 1, "patient_id": 424242,
                                             "practice_id": 1, "invited_on": TODAY}])
    table = with_invitations(NATIVE, app).invitations
    sql = str(sa.select(table).compile(dialect=sa.create_engine("sqlite://").dialect))
    assert "424242" not in sql and "json_each(?)" in sql


@pytest.fixture
def hand_store(tmp_path) -> Path:
    path = tmp_path / "records.db"
    engine = open_engine(f"sqlite:///{path}")
    create_store(engine)
    load_tables(engine, HAND_STORE)
    engine.dispose()
    return path


def test_a_read_only_store_serves_feasibility_studies_and_invitations(hand_store, tmp_path):
    hand_store.chmod(stat.S_IRUSR | stat.S_IRGRP)
    before = digest(hand_store)
    store_url, app_url = f"sqlite:///{hand_store}", f"sqlite:///{tmp_path / 'app.db'}"
    records = read_only_url(store_url)
    app_db = open_app_db(app_url)
    tokens = {role: add_user(app_db, role, role, "T00001" if role == "practice" else None,
                             store=records) for role in ("sponsor", "practice", "admin")}
    server = create_app({"DATABASE_URL": store_url, "APP_DATABASE_URL": app_url,
                         "CODELISTS": load_library(), "TODAY": lambda: TODAY})
    client = server.test_client()

    def call(method: str, path: str, who: str, body=None):
        response = client.open(f"/api/v1{path}", method=method, json=body,
                               headers={"Authorization": f"Bearer {tokens[who]}"})
        assert response.status_code < 300, response.get_json()
        return response.get_json()

    recent = CRITERIA + 'exclude "Recently invited": invited within 6 months\n'
    assert call("POST", "/feasibility", "admin", {"criteria": recent})["eligible"] == 22
    study = call("POST", "/studies", "sponsor", {"criteria": CRITERIA})["id"]
    call("POST", f"/studies/{study}/approve", "admin")
    listed = call("GET", f"/studies/{study}/invites", "practice")["patients"]
    assert sorted(p["patient_id"] for p in listed) == list(PRACTICE_1)
    call("POST", f"/studies/{study}/invitations", "practice",
         {"patient_ids": [1, 2, 3], "channel": "letter"})
    listed = call("GET", f"/studies/{study}/invites", "practice")["patients"]
    assert sorted(p["patient_id"] for p in listed) == list(PRACTICE_1[3:])
    assert call("POST", "/feasibility", "admin", {"criteria": recent})["eligible"] == 22 - 3
    assert digest(hand_store) == before  # the store was never written
    with app_db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(invitations)).scalar() == 3
    records.dispose()


OLD_USERS = """CREATE TABLE users (user_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL, practice_id INTEGER, token_hash TEXT NOT NULL UNIQUE,
    created_at DATETIME NOT NULL, revoked_at DATETIME)"""
OLD_STUDIES = """CREATE TABLE studies (study_id INTEGER PRIMARY KEY, title TEXT NOT NULL,
    owner_id INTEGER NOT NULL, status TEXT NOT NULL, fatigue_months INTEGER NOT NULL,
    approved_version INTEGER, approved_by INTEGER, created_at DATETIME NOT NULL,
    approved_at DATETIME, closed_at DATETIME)"""
OLD_VERSIONS = """CREATE TABLE study_versions (study_id INTEGER, version INTEGER,
    criteria_text TEXT NOT NULL, criteria_hash TEXT NOT NULL, created_at DATETIME NOT NULL,
    created_by INTEGER NOT NULL, PRIMARY KEY (study_id, version))"""


def old_data_directory(path: Path) -> None:
    """A store as an older DART left it: its users, a study and an invitation inside it."""
    engine = open_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for ddl in (OLD_USERS, OLD_STUDIES, OLD_VERSIONS):
            conn.execute(sa.text(ddl))
        at = "2026-06-01 09:00:00"
        conn.execute(sa.text("INSERT INTO users VALUES (1, 'old-sponsor', 'sponsor', NULL, "
                             ":a, :at, NULL), (2, 'old-gp', 'practice', 1, :b, :at, NULL), "
                             "(3, 'old-admin', 'admin', NULL, :c, :at, NULL)"),
                     {"a": hash_token("dart_sponsor"), "b": hash_token("dart_gp"),
                      "c": hash_token("dart_admin"), "at": at})
        conn.execute(sa.text("INSERT INTO studies VALUES (1, 'Adult women', 1, 'approved', "
                             "12, 1, 3, :at, :at, NULL)"), {"at": at})
        conn.execute(sa.text("INSERT INTO study_versions VALUES (1, 1, :text, :hash, :at, 1)"),
                     {"text": CRITERIA, "hash": hashlib.sha256(CRITERIA.encode()).hexdigest(),
                      "at": at})
        conn.execute(sa.text("INSERT INTO invitation VALUES (1, 1, 1, '2026-06-01')"))
    engine.dispose()


def test_an_old_data_directory_upgrades_without_losing_users_or_invitations(hand_store):
    old_data_directory(hand_store)
    before = digest(hand_store)
    url = f"sqlite:///{hand_store}"
    first = CliRunner().invoke(main, ["users", "list", "--db", url])
    assert first.exit_code == 0, first.output
    assert "copied DART's own tables" in first.output and "3 users" in first.output
    assert "old-gp" in first.output and "T00001" in first.output  # its practice's ODS
    second = CliRunner().invoke(main, ["users", "list", "--db", url])
    assert "copied" not in second.output and "old-sponsor" in second.output  # said once
    server = create_app({"DATABASE_URL": url, "CODELISTS": load_library(),
                         "TODAY": lambda: TODAY})
    gp = {"Authorization": "Bearer dart_gp"}
    me = server.test_client().get("/api/v1/me", headers=gp).get_json()
    assert (me["name"], me["practice"]) == ("old-gp", "T00001")
    listed = server.test_client().get("/api/v1/studies/1/invites", headers=gp).get_json()
    # patient 1 was invited (in the store's table, by the older DART): not listed again
    assert sorted(p["patient_id"] for p in listed["patients"]) == list(PRACTICE_1[1:])
    assert digest(hand_store) == before


def test_a_first_run_user_is_seen_by_the_server(hand_store, tmp_path, monkeypatch):
    """No DART_APP_DATABASE_URL, a fresh HOME and XDG data folder: `dart users add` and
    the server both use the default application database there."""
    monkeypatch.delenv("DART_APP_DATABASE_URL")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    url = f"sqlite:///{hand_store}"
    added = CliRunner().invoke(main, ["users", "add", "alice", "--role", "sponsor",
                                      "--db", url])
    assert added.exit_code == 0, added.output
    token = added.output.split("token (shown once): ")[1].strip()
    assert (tmp_path / "xdg" / "dart" / "app.db").is_file()
    server = create_app({"DATABASE_URL": url})
    me = server.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["name"] == "alice"
    assert os.environ.get("DART_APP_DATABASE_URL") is None
