"""A sponsor differencing newly eligible counts over the dates it chooses.

``GET /studies/<id>/newly-eligible?since=D`` counts, per practice, the patients eligible now
who were not at D. The sponsor picks D freely, so every date is a new set of patients, and
two dates a day apart differ by whoever became eligible that day. The store: 30 women at
practice 1 turning 18 ten days apart (``BIRTHDAYS``), ten older women, and one man at
practice 2; the study is "adult women", so the set since the day before the k-th birthday
holds women k..30. With fresh noise per set, the published counts of two such dates would
give a look at the 1..7 women between them; with the deployment's memory (as feasibility
has) they read the same.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dart.analysis.disclosure import DisclosurePolicy
from dart.app.budget import QueryBudget
from tests.support.api import make_api
from tests.support.tables import load_tables

FIRST = dt.date(2025, 7, 10)
BIRTHDAYS = [FIRST + dt.timedelta(days=10 * k) for k in range(30)]  # women 1..30 turn 18
CRITERIA = """study "Adult women"
include "Adults": age >= 18
include "Women": sex is female
"""
STORE = "\n".join(
    ["patient", "patient_id | practice_id | sex | date_of_birth"]
    + [f"{k + 1} | 1 | F | {day.replace(year=day.year - 18)}"
       for k, day in enumerate(BIRTHDAYS)]
    + [f"{i} | 1 | F | 1970-01-01" for i in range(31, 41)]
    + ["41 | 2 | M | 1970-01-01"]  # practice 2 (its user's), no one eligible
)


@pytest.fixture
def study(tmp_path, library):
    from dart.store.engine import create_store, open_engine

    engine = open_engine(f"sqlite:///{tmp_path / 'newly.db'}")
    create_store(engine)
    load_tables(engine, STORE)
    # The scan measures what the answers themselves give away, so the query budget (which
    # bounds how many dates a sponsor gets: tests/functional/api/test_budget.py) is lifted.
    api = make_api(engine, library, QUERY_BUDGET=QueryBudget(queries=1_000_000))
    created = api.services.create_study(api.user("sponsor"), CRITERIA)
    api.services.approve_study(api.user("admin"), created.study_id)
    yield api, f"/api/v1/studies/{created.study_id}/newly-eligible"
    engine.dispose()


def since(day: dt.date) -> str:
    return f"?since={day.isoformat()}"


def newly(api, path: str, who: str) -> int | None:
    response = api.get(path, who)
    assert response.status_code == 200, response.get_data(as_text=True)
    (practice,) = response.get_json()["practices"]
    return practice["newly_eligible"]


def women(first: int) -> range:
    """The ids of women ``first``..30: those newly eligible since the day before the
    ``first``-th birthday."""
    return range(first, 31)


def test_dates_a_few_women_apart_read_the_same(study):
    api, path = study
    dates = [BIRTHDAYS[0] - dt.timedelta(days=1), *BIRTHDAYS[:7]]  # women 1..30, ..., 8..30
    exact = [newly(api, path + since(day), "admin") for day in dates]
    assert exact == [30 - k for k in range(8)]  # the sets really differ, by 1..7 women
    shown = [newly(api, path + since(day), "sponsor") for day in dates]
    # The first is the set's own count; each later one is 1..7 women from it and reads as
    # it: no difference between two of them shows how many turned 18 in between.
    assert shown == [DisclosurePolicy().disclose_ids(women(1))] * 8
    # Eight women from the first set, a count of its own: differences of 8 may show.
    assert newly(api, path + since(BIRTHDAYS[7]), "sponsor") == \
        DisclosurePolicy().disclose_ids(women(9))
    # Asked again, every date reads as it did.
    assert [newly(api, path + since(day), "sponsor") for day in dates] == shown


def test_a_day_by_day_scan_shows_no_step_of_one_to_seven(study):
    """Every day of the year in turn: the published count changes only where the set is 8
    or more women from the last count of its own, never by a day's one woman alone."""
    api, path = study
    days = [BIRTHDAYS[0] - dt.timedelta(days=1) + dt.timedelta(days=d) for d in range(0, 231)]
    shown = [newly(api, path + since(day), "sponsor") for day in days]
    sizes = [30 - sum(b <= day for b in BIRTHDAYS) for day in days]  # from the store
    assert sizes[0] == 30 and sizes[-1] == 7
    root = sizes[0]
    for size, value, before in zip(sizes[1:], shown[1:], shown[:-1], strict=True):
        if size <= 7:
            assert value is None  # the marker
        elif root - size <= 7:  # 1..7 women from the last own count: a copy
            assert value == before
        else:
            root = size
            assert value == DisclosurePolicy().disclose_ids(women(31 - size))
    # sizes 30..8 in three runs (30-23, 22-15, 14-8), then the marker
    assert len({v for v in shown if v is not None}) == 3


def test_feasibility_and_newly_eligible_share_one_memory(study):
    api, path = study
    # Feasibility of the women aged 18 (the 30 turning 18 this year) publishes that set...
    asked = api.post("/api/v1/feasibility", "sponsor", json={
        "criteria": CRITERIA + 'include "Aged 18": age between 18 and 18\n'})
    assert asked.status_code == 200, asked.get_data(as_text=True)
    eligible = asked.get_json()["eligible"]
    assert eligible == DisclosurePolicy().disclose_ids(women(1))
    # ... and the newly eligible since the third birthday, 27 of them, read as it.
    assert newly(api, path + since(BIRTHDAYS[2]), "sponsor") == eligible


def test_every_recruitment_answer_reads_a_set_as_feasibility_published_it(study):
    """Feasibility publishes the 40 women and the man (41) with their own count; the
    study's 40 eligible women are 1 patient from them, so they read as that count in the
    funnel, the representativeness of the eligible stage and feasibility alike (before,
    the recruitment answers published the 40 with their own count: the same set two ways,
    a look at the man through fresh noise)."""
    api, path = study
    study_path = path.rsplit("/", 1)[0]
    adults = range(1, 42)  # the women 1..40 and the man 41
    own_41 = DisclosurePolicy().disclose_ids(adults)
    assert own_41 != DisclosurePolicy().disclose_ids(range(1, 41))  # the test can tell
    first = api.post("/api/v1/feasibility", "sponsor", json={
        "criteria": 'study "Adults"\ninclude "Adults": age >= 18\n'})
    assert first.get_json()["eligible"] == own_41
    funnel = api.get(f"{study_path}/funnel", "sponsor").get_json()
    assert funnel["total"][0] == {"stage": "eligible", "count": own_41}
    stage = api.get(f"{study_path}/representativeness?stage=eligible", "sponsor").get_json()
    assert stage["cohort"]["total"] == own_41
    again = api.post("/api/v1/feasibility", "sponsor", json={"criteria": CRITERIA})
    assert again.get_json()["eligible"] == own_41


def test_the_audit_log_keeps_each_date_asked(study):
    """The date is what shapes the set, so the audit log keeps it (a data owner reviewing
    a scan of dates sees every one)."""
    api, path = study
    for day in BIRTHDAYS[:3]:
        newly(api, path + since(day), "sponsor")
    entries = api.get("/api/v1/audit?action=recruitment.newly_eligible",
                      "admin").get_json()["entries"]
    asked = sorted(e["detail"] for e in entries if e["outcome"] == "ok")
    assert asked == [f"since={day.isoformat()}" for day in BIRTHDAYS[:3]]
