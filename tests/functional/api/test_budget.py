"""The query budget: a sponsor's or researcher's answers per rolling window, counted from
the audit log, refused past it with 429 and ``Retry-After``, shown to admins."""

from __future__ import annotations

import datetime as dt

import pytest

from dart.app.budget import QueryBudget
from dart.web import create_app
from tests.functional.api.helpers import assert_error
from tests.support.api import CRITERIA, HAND_STORE, make_api
from tests.support.tables import load_tables

START = dt.datetime(2026, 7, 15, 9, 0, 0)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def budgeted(sqlite_engine, library):
    load_tables(sqlite_engine, HAND_STORE)
    clock = Clock()
    api = make_api(sqlite_engine, library, CLOCK=clock,
                   QUERY_BUDGET=QueryBudget(3, dt.timedelta(hours=1)))
    return api, clock


def run(api, who: str = "sponsor", criteria: str = CRITERIA):
    return api.post("/api/v1/feasibility", who, {"criteria": criteria})


def test_spent_budget_answers_429_until_the_oldest_leaves_the_window(budgeted):
    api, clock = budgeted
    for minutes in (0, 10, 20):
        clock.now = START + dt.timedelta(minutes=minutes)
        assert run(api).status_code == 200
    clock.now = START + dt.timedelta(minutes=30)
    refused = run(api)
    error = assert_error(refused, 429, "query_budget_exhausted")
    # the first answer (09:00) leaves the one-hour window at 10:00: 30 minutes from now
    assert refused.headers["Retry-After"] == "1800" == str(error["details"]["retry_after"])
    assert error["details"]["queries"] == 3
    assert run(api, "sponsor2").status_code == 200  # each user has their own budget
    assert run(api, "admin").status_code == 200  # admins have none
    clock.now = START + dt.timedelta(minutes=60, seconds=1)
    assert run(api).status_code == 200
    assert assert_error(run(api), 429)["details"]["retry_after"] == 10 * 60 - 1


def test_refused_and_failed_queries_cost_nothing(budgeted):
    api, clock = budgeted
    assert run(api, criteria="include nonsense >").status_code == 400
    for _ in range(3):
        assert run(api).status_code == 200
    assert run(api).status_code == 429
    assert run(api).status_code == 429  # a refusal does not push the window on
    clock.now = START + dt.timedelta(hours=1, seconds=1)
    assert run(api).status_code == 200


def test_the_budget_survives_a_restart(budgeted, library):
    api, clock = budgeted
    for _ in range(3):
        assert run(api).status_code == 200
    restarted = create_app({"ENGINE": api.engine, "CODELISTS": library, "CLOCK": clock,
                            "QUERY_BUDGET": QueryBudget(3, dt.timedelta(hours=1))})
    answer = restarted.test_client().post("/api/v1/feasibility", json={"criteria": CRITERIA},
                                          headers=api.headers("sponsor"))
    assert answer.status_code == 429


def test_researcher_representativeness_counts_against_the_budget(budgeted):
    api, clock = budgeted
    first = api.post("/api/v1/representativeness", "researcher", {"criteria": CRITERIA})
    assert first.status_code == 200
    for _ in range(2):
        assert run(api, "researcher").status_code == 200
    assert api.post("/api/v1/representativeness", "researcher",
                    {"criteria": CRITERIA}).status_code == 429


def test_admins_see_each_users_use(budgeted):
    api, clock = budgeted
    for _ in range(2):
        assert run(api).status_code == 200
    assert run(api, "researcher").status_code == 200
    assert run(api, "admin").status_code == 200
    assert api.get("/api/v1/admin/usage", "sponsor").status_code == 403
    usage = api.get("/api/v1/admin/usage", "admin").get_json()
    assert usage["budget"] == {"queries": 3, "window_seconds": 3600,
                               "roles": ["sponsor", "researcher"]}
    rows = {u["name"]: (u["used"], u["remaining"]) for u in usage["users"]}
    assert rows == {"sponsor": (2, 1), "sponsor2": (0, 3), "researcher": (1, 2)}


def test_every_query_leaves_its_full_criteria_text(budgeted):
    api, _ = budgeted
    text = CRITERIA + 'exclude "Rare": age > 100\n'
    assert run(api, criteria=text).status_code == 200
    logged = api.services.log.read(action="feasibility")
    assert [(e["phase"], e["criteria_text"]) for e in logged] == [("end", text),
                                                                  ("start", text)]


def test_retry_after_counts_from_the_answer_that_must_leave():
    budget = QueryBudget(2, dt.timedelta(seconds=100))
    now = START
    used = [now - dt.timedelta(seconds=s) for s in (90, 50, 10)]  # oldest first; 3 > 2
    # two must leave for one more to fit: the second oldest, at -50 s, leaves in 50 s
    assert budget.retry_after(used, now) == 50
    assert budget.retry_after(used[1:2], now) is None
    with pytest.raises(ValueError):
        QueryBudget(0)


def test_a_studys_newly_eligible_and_stage_reports_spend_the_budget(budgeted):
    """The recruitment answers a sponsor shapes (newly eligible since a date of its
    choosing, the representativeness of a stage) count and are refused past the budget;
    the funnel and the forecast (sets fixed by the approved criteria) are not."""
    api, _ = budgeted
    study = api.services.create_study(api.user("sponsor"), CRITERIA)
    api.services.approve_study(api.user("admin"), study.study_id)
    base = f"/api/v1/studies/{study.study_id}"
    assert api.get(f"{base}/newly-eligible?since=2025-01-01", "sponsor").status_code == 200
    assert api.get(f"{base}/representativeness?stage=eligible", "sponsor").status_code == 200
    assert run(api).status_code == 200  # the third answer
    assert_error(api.get(f"{base}/newly-eligible?since=2025-02-01", "sponsor"), 429,
                 "query_budget_exhausted")
    assert_error(api.get(f"{base}/representativeness?stage=invited", "sponsor"), 429,
                 "query_budget_exhausted")
    assert api.get(f"{base}/funnel", "sponsor").status_code == 200
    assert api.get(f"{base}/forecast?months=2", "sponsor").status_code == 200
    usage = api.get("/api/v1/admin/usage", "admin").get_json()
    sponsor = next(u for u in usage["users"] if u["name"] == "sponsor")
    assert sponsor["used"] == 3
