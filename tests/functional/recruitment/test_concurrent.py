"""The default concurrent-trial exclusion on every engine (dart.recruitment.concurrent).

Six adult women at practice 1, the application database the store's own. Studies: 1 the
study counted (interventional), 2 another interventional study, 3 an observational one, 4
interventional with criteria that use `enrolled` themselves. Lifecycle (recorded on
2026-12-01, after the store's extract date 2026-06-30: a current status counts whenever it
was recorded): 1 enrolled in study 2; 2 enrolled in study 3 (observational); 3 enrolled in
study 1 itself; 4 declined study 2; 5 invited to study 2; 6 nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dart.analysis.feasibility import run_feasibility
from dart.recruitment.concurrent import DEFAULT_RULE, study_criteria
from dart.recruitment.funnel import funnel
from dart.recruitment.invites import invite_list
from dart.recruitment.studies import approve_study, create_study, get_study
from dart.store.app_tables import ensure_app_tables, recruitment_status, studies
from dart.store.engine import open_engine
from tests.support.tables import load_tables

CRITERIA = 'study "Adults"\ninclude "Adult": age >= 18\n'
WHEN = dt.datetime(2026, 12, 1, 9, 0)
LIFECYCLE = [(2, 1, "enrolled"), (3, 2, "enrolled"), (1, 3, "enrolled"), (2, 4, "declined"),
             (2, 5, "invited")]


@pytest.fixture
def world(store):
    load_tables(store, "patient\npatient_id\n" + "\n".join(str(i) for i in range(1, 7)))
    ensure_app_tables(store)
    for design, text in [("interventional", CRITERIA), ("interventional", CRITERIA),
                         ("observational", CRITERIA),
                         ("interventional", CRITERIA + "exclude enrolled in study 3 ever\n")]:
        made = create_study(store, 1, "Adults", text, design=design)
        approve_study(store, made.study_id, admin_id=2)
    with store.begin() as conn:
        conn.execute(recruitment_status.insert(), [
            {"study_id": s, "patient_id": p, "practice_id": 1, "status": status,
             "invited_at": WHEN, "outcome_at": None if status == "invited" else WHEN,
             "updated_at": WHEN} for s, p, status in LIFECYCLE])
    return store


def eligible(store, study_id: int) -> set[int]:
    return set(funnel(store, get_study(store, study_id)).members[1]["eligible"])


def test_an_interventional_study_leaves_out_those_in_another_interventional_trial(world):
    # 1 is in study 2: out. 2's study is observational, 3's is study 1 itself, 4 declined,
    # 5 was only invited: all in.
    assert eligible(world, 1) == {2, 3, 4, 5, 6}
    assert eligible(world, 2) == {1, 2, 4, 5, 6}  # 3, in study 1, is out of study 2


def test_an_observational_study_has_no_default(world):
    assert eligible(world, 3) == {1, 2, 3, 4, 5, 6}


def test_criteria_that_use_enrolled_say_themselves_who_is_out(world):
    # Study 4's own rule: enrolled in study 3 on or before the index date 2026-06-30. 2's
    # enrolment was recorded after it, so nobody is out, and 1 (in study 2) stays in: no
    # default.
    assert eligible(world, 4) == {1, 2, 3, 4, 5, 6}


def test_the_default_is_a_step_of_its_own_in_the_funnel(world):
    criteria, source = study_criteria(get_study(world, 1), world)
    assert [r.label for r in criteria.rules] == ["Adult", DEFAULT_RULE]
    result = run_feasibility(world, criteria, {}, source=source)
    assert [(s.label, s.remaining, s.dropped) for s in result.funnel] == [
        ("Adult", 6, 0), (DEFAULT_RULE, 5, 1)]


def test_the_invite_list_leaves_them_out(world):
    listed = invite_list(world, get_study(world, 1), 1, dt.date(2026, 7, 1), {})
    # 3 is in study 1's lifecycle already, 1 in study 2 (the default).
    assert sorted(r.patient_id for r in listed.rows) == [2, 4, 5, 6]


def test_an_older_application_database_gets_the_design_and_keeps_its_studies(store_url):
    old = sa.MetaData()  # the studies table as DART made it before designs
    sa.Table("studies", old, *(sa.Column(c.name, c.type, primary_key=c.primary_key,
                                         nullable=c.nullable, autoincrement=False)
                               for c in studies.columns if c.name != "design"))
    url = store_url
    before = open_engine(url, check=False)
    old.create_all(before)
    with before.begin() as conn:
        conn.execute(old.tables["studies"].insert(), [{
            "study_id": 7, "title": "Old", "owner_id": 1, "status": "draft",
            "fatigue_months": 6, "created_at": WHEN}])
    before.dispose()
    app = open_engine(url, check=False)
    ensure_app_tables(app)
    assert get_study(app, 7).design == "interventional"
    assert get_study(app, 7).title == "Old"
    app.dispose()
