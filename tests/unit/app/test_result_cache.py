"""``store_version`` on every engine: the same while the data are, new when they change."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dart.app.result_cache import store_version
from dart.store.schema import metadata
from tests.support.tables import filled_tables, load_tables

STORE = "patient\npatient_id | practice_id | sex\n1 | 1 | F\n2 | 1 | M"


def insert(engine: sa.Engine, table: str, rows: list[dict]) -> None:
    with engine.begin() as conn:
        conn.execute(metadata.tables[table].insert(), rows)


def test_store_version_follows_the_data(store):
    load_tables(store, STORE)
    first = store_version(store)
    with store.connect() as conn:  # on a connection as on an engine
        assert store_version(conn) == first
    assert store_version(store) == first  # nothing changed

    rows = filled_tables("patient\npatient_id | practice_id | sex\n3 | 1 | F")["patient"]
    insert(store, "patient", rows)
    added = store_version(store)
    assert added != first  # another patient

    insert(store, "invitation", [{"study_id": 1, "patient_id": 1, "practice_id": 1,
                                  "invited_on": dt.date(2026, 7, 1)}])
    invited = store_version(store)
    assert invited != added  # an invitation recorded (what `invited` reads)

    info = metadata.tables["store_info"]
    with store.begin() as conn:
        conn.execute(info.update().where(info.c.key == "extract_date")
                     .values(value="2026-07-31"))
    assert store_version(store) not in (first, added, invited)  # a new extract


def test_store_version_counts_the_application_databases_invitations(store, tmp_path):
    from dart.store.app_tables import ensure_app_tables, invitations
    from dart.store.engine import open_engine

    load_tables(store, STORE)
    app = open_engine(f"sqlite:///{tmp_path / 'app.db'}", check=False)
    ensure_app_tables(app)
    before = store_version(store, app)
    assert store_version(store, app) == before
    with app.begin() as conn:
        conn.execute(invitations.insert(), [{"study_id": 1, "patient_id": 2,
                                             "practice_id": 1,
                                             "invited_on": dt.date(2026, 7, 1)}])
    assert store_version(store, app) != before  # recorded by DART, read by `invited`
    app.dispose()


def test_store_version_follows_the_application_databases_enrolments(store, tmp_path):
    # What `enrolled` reads: an enrolment recorded, then corrected away, each a new version.
    from dart.store.app_tables import ensure_app_tables, recruitment_status
    from dart.store.engine import open_engine

    load_tables(store, STORE)
    app = open_engine(f"sqlite:///{tmp_path / 'app.db'}", check=False)
    ensure_app_tables(app)
    before = store_version(store, app)
    at = dt.datetime(2026, 6, 1, 9)
    with app.begin() as conn:
        conn.execute(recruitment_status.insert(), [{
            "study_id": 1, "patient_id": 2, "practice_id": 1, "status": "enrolled",
            "outcome_at": at, "updated_at": at}])
    enrolled = store_version(store, app)
    assert enrolled != before
    with app.begin() as conn:
        conn.execute(recruitment_status.update().values(
            status="declined", updated_at=at + dt.timedelta(minutes=1)))
    assert store_version(store, app) not in (before, enrolled)
    app.dispose()
