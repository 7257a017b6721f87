"""The audit log is a hash chain: an edited, deleted or moved entry is found, and named.

Run on every engine; on PostgreSQL a trigger also refuses any UPDATE or DELETE of the log,
so the tampering there is done as the table's owner after switching the trigger off (what
an attacker with the database's owner rights could do): the chain still catches it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from dart.app.audit import verify
from dart.cli import main
from dart.store.app_tables import audit_log, ensure_app_tables
from dart.store.engine import StoreError, create_store, open_engine
from tests.functional.api.conftest import CRITERIA, HAND_STORE, make_api
from tests.support.tables import load_tables


@pytest.fixture
def logged(store_url, library):
    """An API over a store on each engine, after a few audited requests."""
    engine = open_engine(store_url)
    create_store(engine)
    load_tables(engine, HAND_STORE)
    api = make_api(engine, library)
    assert api.post("/api/v1/feasibility", "sponsor", {"criteria": CRITERIA}).status_code == 200
    assert api.get("/api/v1/me", None).status_code == 401
    assert api.post("/api/v1/criteria/check", "researcher", {"criteria": "x"}).status_code == 200
    yield api
    engine.dispose()


def tamper(engine: sa.Engine, statement) -> None:
    with engine.begin() as conn:
        pg = conn.dialect.name == "postgresql"
        if pg:
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(statement)
        if pg:
            conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))


def ids(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(audit_log.c.audit_id).order_by("audit_id")).scalars())


def test_an_untouched_chain_verifies(logged):
    report = verify(logged.engine)
    assert report.ok and report.entries == len(ids(logged.engine)) >= 10


def test_an_edited_entry_is_named(logged):
    victim = ids(logged.engine)[3]
    tamper(logged.engine, audit_log.update().where(audit_log.c.audit_id == victim)
           .values(user_name="someone else"))
    report = verify(logged.engine)
    assert (report.ok, report.bad_id, report.entries) == (False, victim, 3)
    assert "edited" in report.reason


def test_an_edited_outcome_of_a_completion_is_named(logged):
    # the end entry of the feasibility run: its outcome is covered by the chain too
    with logged.engine.connect() as conn:
        victim = conn.execute(sa.select(audit_log.c.audit_id).where(
            audit_log.c.action == "feasibility", audit_log.c.phase == "end")).scalar_one()
    tamper(logged.engine, audit_log.update().where(audit_log.c.audit_id == victim)
           .values(outcome="forbidden", status=403))
    assert verify(logged.engine).bad_id == victim


def test_a_deleted_entry_is_found_at_the_next(logged):
    everyone = ids(logged.engine)
    tamper(logged.engine, audit_log.delete().where(audit_log.c.audit_id == everyone[4]))
    report = verify(logged.engine)
    assert report.bad_id == everyone[5] and "deleted" in report.reason


def test_swapped_entries_are_found(logged):
    # Move entry 3's content to id 2 and back the other way: each row keeps a valid-looking
    # hash of its own content, but not of its new place.
    first, second = ids(logged.engine)[2:4]
    with logged.engine.connect() as conn:
        rows = {r.audit_id: dict(r._mapping) for r in conn.execute(
            sa.select(audit_log).where(audit_log.c.audit_id.in_((first, second))))}
    rows[first]["audit_id"], rows[second]["audit_id"] = second, first
    tamper(logged.engine, audit_log.delete().where(audit_log.c.audit_id.in_((first, second))))
    tamper(logged.engine, audit_log.insert().values(list(rows.values())))
    assert verify(logged.engine).bad_id == first


def test_cli_verify_names_the_first_bad_entry(logged, store_url):
    runner = CliRunner()
    good = runner.invoke(main, ["audit", "verify", "--app-db", store_url])
    assert good.exit_code == 0 and "intact" in good.output
    head = good.output.split("head ")[1].split()[0]
    assert runner.invoke(main, ["audit", "verify", "--head", head, "--app-db", store_url]
                         ).exit_code == 0
    everyone = ids(logged.engine)
    tamper(logged.engine, audit_log.update().where(audit_log.c.audit_id == everyone[1])
           .values(detail="GET /nothing"))
    bad = runner.invoke(main, ["audit", "verify", "--app-db", store_url])
    assert bad.exit_code == 1 and f"entry {everyone[1]}" in bad.output


def test_cli_verify_finds_entries_cut_off_the_end(logged, store_url):
    runner = CliRunner()
    verified = runner.invoke(main, ["audit", "verify", "--app-db", store_url])
    head = verified.output.split("head ")[1]
    last = ids(logged.engine)[-1]
    tamper(logged.engine, audit_log.delete().where(audit_log.c.audit_id == last))
    assert verify(logged.engine).ok  # a shorter chain is a valid chain...
    cut = runner.invoke(main, ["audit", "verify", "--head", head.split()[0],
                               "--app-db", store_url])
    assert cut.exit_code == 1 and "no longer in the chain" in cut.output  # ...but not this one


def test_postgres_refuses_update_and_delete(logged):
    if logged.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    for statement in (audit_log.update().values(outcome="ok"), audit_log.delete(),
                      sa.text("TRUNCATE audit_log")):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with logged.engine.begin() as conn:
                conn.execute(statement)
    assert verify(logged.engine).ok


def test_an_audit_log_without_the_chain_is_refused_clearly(store_url):
    engine = open_engine(store_url)
    old = sa.Table("audit_log", sa.MetaData(), sa.Column("audit_id", sa.Integer),
                   sa.Column("action", sa.Text))
    old.create(engine)
    with pytest.raises(StoreError, match="RENAME TO audit_log_old"):
        ensure_app_tables(engine)
    engine.dispose()
