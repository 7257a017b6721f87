"""Forecasts on the hand-built store (conftest.py), on every engine.

Monthly index dates back from 2026-06-30: 05-30, 04-30, 03-30, 02-28, 01-30, 2025-12-30.
When each patient first meets the criteria (worked out by hand from conftest.py): 1 and 6
in January (their metformin of 2026-01-10), 7 in January (metformin 2026-01-15); 2 already
on 2025-12-30 (and throughout); 4 and 8 in March (40 on 2026-03-15); 5 in March (diagnosed
2026-03-01); 3 in June (metformin 2026-06-15). 6 leaves on 2026-04-01 (not new again).
"""

from __future__ import annotations

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.feasibility import run_feasibility
from dart.recruitment.forecast import forecast, monthly_dates, simulate
from tests.support.rescreen_store import CRITERIA, D2


def test_newly_eligible_per_month_and_practice(store, study, library):
    found = forecast(store, study, library, months=6)
    assert [m.index_date.isoformat() for m in found.months] == [
        "2026-01-30", "2026-02-28", "2026-03-30", "2026-04-30", "2026-05-30", "2026-06-30"]
    assert [dict(m.newly_eligible) for m in found.months] == [
        {1: 2, 2: 1}, {1: 0, 2: 0}, {1: 2, 2: 1}, {1: 0, 2: 0}, {1: 0, 2: 0}, {1: 1, 2: 0}]


def test_each_months_eligible_matches_feasibility_at_that_date(store, study, library):
    found = forecast(store, study, library, months=6)
    for month in found.months:
        result = run_feasibility(store, CRITERIA, library, index_date=month.index_date)
        # practices are named by ODS code; the test store names practice i "T0000i"
        by_practice = {int(c.group[1:]): c.count for c in result.breakdowns["practice"]}
        assert {p: n for p, n in month.eligible.items() if n} == \
            {p: n for p, n in by_practice.items() if n}
        assert sum(month.eligible.values()) == result.eligible


def test_the_sponsor_json_is_disclosed(store, study, library):
    body = forecast(store, study, library, months=6, target=10).to_json(DisclosurePolicy())
    counts = [m["newly_eligible"] for m in body["months"]]
    # A zero and a small count alike are the marker: nothing tells them apart.
    assert counts[1] == counts[0] == {"count": None, "suppressed": True}
    assert body["projection"]["target"] == 10
    assert body["projection"]["rates_from"].startswith("iSOLVE")


def test_monthly_dates_clamp_to_month_ends():
    assert monthly_dates(D2.replace(month=3, day=31), 2)[1:] == [
        D2.replace(month=2, day=28), D2.replace(month=1, day=31)]


def test_the_simulated_time_to_target():
    # 100 in the pool, nobody new, everyone enrols: month 1 reaches a target of 100.
    assert simulate(100, 100, 0.0, 1.0) == (1, 1, 1)
    # 10 new a month, all enrol: 3 months to 30 (Poisson around 10: an interval around 3).
    median, low, high = simulate(30, 0, 10.0, 1.0)
    assert median == 3 and low <= 3 <= high and high - low <= 2
    assert simulate(10, 0, 0.0, 0.5) == (None, None, None)  # never
    assert simulate(0, 0, 0.0, 0.5) == (0, 0, 0)
