"""``dart rescreen`` on the hand-built store (SQLite file): counts as worked out in
conftest.py, disclosed by default, and clear errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dart.cli import main
from dart.recruitment.studies import approve_study, create_study
from dart.store.app_tables import ensure_app_tables
from dart.store.engine import create_store, open_engine
from tests.functional.recruitment.conftest import CRITERIA, STORE
from tests.support.tables import load_tables


@pytest.fixture
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_engine(url)
    create_store(engine)
    load_tables(engine, STORE)
    ensure_app_tables(engine)
    create_study(engine, owner_id=1, title="Diabetes", criteria_text=CRITERIA)
    approve_study(engine, 1, admin_id=2)
    create_study(engine, owner_id=1, title="Draft", criteria_text=CRITERIA)
    engine.dispose()
    return url


def run(*args: str):
    return CliRunner().invoke(main, ["rescreen", *args])


def test_exact_counts_for_the_data_owner(db):
    out = run("1", "--db", db, "--since", "2026-01-31", "--json", "--no-suppression")
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)  # (stderr says once that the store's tables were adopted)
    assert [(p["practice_id"], p["newly_eligible"]) for p in body["practices"]] == [
        (1, 3), (2, 1)]
    one = json.loads(run("1", "--db", db, "--since", "2026-01-31", "--practice", "2",
                         "--json", "--no-suppression").stdout)
    assert [(p["practice_id"], p["newly_eligible"]) for p in one["practices"]] == [(2, 1)]


def test_disclosed_by_default(db):
    out = run("1", "--db", db, "--since", "2026-01-31")
    assert out.exit_code == 0, out.output
    assert "*" in out.output and "never listed" not in out.output
    assert "never listed" in run("1", "--db", db).output


@pytest.mark.parametrize(("args", "message"), [
    (["2"], "not approved"), (["9"], "does not exist"),
    (["1", "--since", "2026-06-30"], "not before"),
    (["1", "--since", "30/06/2026"], "Invalid value"),
])
def test_errors_are_messages(db, args, message):
    out = run(*args, "--db", db)
    assert out.exit_code != 0 and message in out.output
    assert "Traceback" not in out.output
