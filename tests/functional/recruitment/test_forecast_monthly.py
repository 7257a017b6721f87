"""The forecast's monthly history in one statement, and acute presentations, on every engine.

The one-statement evaluation is compared with the per-date evaluation (the criteria
prepared and run at each monthly index date on its own), on the hand-built store of
conftest.py, whole and cut into runs as SQLite's bind limit would cut it.

Acute presentations (``ACUTE``, trigger "Exacerbation": ``has copd_exacerbation within 14
days``). Monthly index dates 2026-06-30, 05-30, 04-30, 03-30; months are (D(k+1), Dk].
Practice 1: 1 has COPD, exacerbations 2026-06-10 and 2026-04-20 (June and April); 2 has
COPD, exacerbation on 2026-05-30 itself (May); 3 has no COPD, exacerbation 2026-06-01
(never); 4 is 39 throughout (born 1986-07-15), exacerbation 2026-06-05 (never); 5 turns 40
on 2026-06-15, exacerbations 2026-05-10 (39 at 05-30: not in May) and 2026-06-20 (June).
Practice 2: 6 has COPD, exacerbation 2026-06-25 (June).
So presenting: June {1: 2, 2: 1}, May {1: 1}, April {1: 1}.
"""

from __future__ import annotations

import datetime as dt

import pytest

from criteria_grammar import parse
from dart.analysis.disclosure import DisclosurePolicy
from dart.recruitment import acute, monthly
from dart.recruitment.forecast import forecast, history, monthly_dates
from dart.recruitment.rescreen import eligible_by_practice
from dart.reports.forecast_figure import forecast_traces
from tests.support.rescreen_store import CRITERIA, D2, approved_study

COPD, AECOPD = "13645005", "195951007"
ACUTE = """study "COPD exacerbation"
include "Aged 40 or over": age >= 40
include "COPD": has copd
include "Exacerbation": has copd_exacerbation within 14 days
"""
ACUTE_STORE = "\n".join([
    "patient",
    "patient_id | practice_id | date_of_birth",
    "1 | 1 | 1950-01-01", "2 | 1 | 1950-01-01", "3 | 1 | 1950-01-01",
    "4 | 1 | 1986-07-15", "5 | 1 | 1986-06-15", "6 | 2 | 1950-01-01",
    "",
    "observation",
    "patient_id | obs_date | code",
    *(f"{i} | 2010-01-01 | {COPD}" for i in (1, 2, 4, 5, 6)),
    f"1 | 2026-06-10 | {AECOPD}", f"1 | 2026-04-20 | {AECOPD}", f"2 | 2026-05-30 | {AECOPD}",
    f"3 | 2026-06-01 | {AECOPD}", f"4 | 2026-06-05 | {AECOPD}", f"5 | 2026-05-10 | {AECOPD}",
    f"5 | 2026-06-20 | {AECOPD}", f"6 | 2026-06-25 | {AECOPD}",
])


def per_date(conn, criteria, library, dates):
    """The per-month evaluation: each date's eligible ids on their own, compared by set."""
    sets = [eligible_by_practice(conn, criteria, library, d) for d in dates]
    return [({p: len(ids) for p, ids in sets[k].items()},
             {p: len(ids - sets[k + 1].get(p, set())) for p, ids in sets[k].items()})
            for k in range(len(dates) - 1)]


@pytest.mark.parametrize("bind_limit", [monthly.SQLITE_MAX_BINDS, 40])
def test_one_statement_equals_the_per_date_evaluation(store, study, library, monkeypatch,
                                                      bind_limit):
    # A limit of 40 binds cuts SQLite's months into runs of 2: each run one statement.
    monkeypatch.setattr(monthly, "SQLITE_MAX_BINDS", bind_limit)
    criteria = parse(CRITERIA)
    dates = monthly_dates(D2, 8)
    with store.connect() as conn:
        expected = per_date(conn, criteria, library, dates)
        months = history(conn, criteria, library, D2, 8)
    got = [(dict(m.eligible), dict(m.newly_eligible)) for m in reversed(months)]
    assert got == [({p: n for p, n in e.items() if n}, {p: n for p, n in new.items() if e[p]})
                   for e, new in expected]


def test_runs_overlap_by_one_month():
    assert monthly._runs(25, 10, "sqlite") == [range(25)]
    assert monthly._runs(5, 10_000, "sqlite") == [range(0, 3), range(2, 5)]
    assert monthly._runs(5, 10_000, "postgresql") == [range(5)]


@pytest.fixture
def acute_study(store):
    return approved_study(store, ACUTE_STORE, ACUTE, "COPD")


def test_monthly_presentations_by_hand(store, acute_study, library):
    found = forecast(store, acute_study, library, months=3)
    assert found.trigger is not None and found.trigger.label == "Exacerbation"
    assert [(m.index_date, {p: c.eligible for p, c in m.presenting.items()})
            for m in found.months] == [
        (dt.date(2026, 4, 30), {1: 1}), (dt.date(2026, 5, 30), {1: 1}),
        (dt.date(2026, 6, 30), {1: 2, 2: 1})]
    body = found.to_json()
    assert body["trigger"] == {"rule": 2, "label": "Exacerbation",
                               "source": "has copd_exacerbation within 14 days"}
    assert [m["presenting"]["count"] for m in body["months"]] == [1, 1, 3]
    june = body["months"][-1]["practices"]
    assert [(p["practice_id"], p["presenting"]["count"]) for p in june] == [(1, 2), (2, 1)]


def test_presentations_are_disclosed_and_plotted(store, acute_study, library):
    body = forecast(store, acute_study, library, months=3).to_json(DisclosurePolicy())
    assert all(m["presenting"] == {"count": None, "suppressed": True} for m in body["months"])
    assert [t["name"] for t in forecast_traces(body)] == ["newly eligible", "presenting"]


def test_a_file_without_a_trigger_has_no_presentations(store, study, library):
    found = forecast(store, study, library, months=2)
    assert found.trigger is None and all(m.presenting is None for m in found.months)
    body = found.to_json()
    assert body["trigger"] is None and "presenting" not in body["months"][0]
    assert [t["name"] for t in forecast_traces(body)] == ["newly eligible"]


@pytest.mark.parametrize(("rules", "expected"), [
    (["include has copd_exacerbation within 14 days"], 0),
    (["include has copd_exacerbation within 1 month"], 0),
    (["include has copd_exacerbation within 4 weeks"], 0),
    (["include has copd_exacerbation within 5 weeks"], None),     # 35 days: a history
    (["include has copd_exacerbation within 3 months"], None),
    (["exclude has copd_exacerbation within 14 days"], None),     # an exclusion
    (["include has copd_exacerbation"], None),                     # no window
    (["include count of copd_exacerbation within 14 days >= 2"], None),
    (["include has copd within 30 days", "include has copd_exacerbation within 7 days"], 1),
    (["include has copd_exacerbation within 7 days", "include has copd within 1 week"], 0),
])
def test_the_trigger_rule(rules, expected):
    text = "\n".join(f'{r.split(" ", 1)[0]} "R{i}": {r.split(" ", 1)[1]}'
                     for i, r in enumerate(rules))
    assert acute.trigger_rule(parse(text)) == expected


def test_published_counts_are_those_of_the_patients_by_their_record_keys(store, study,
                                                                         library):
    # The statement sums record keys; a count published from the ids themselves (as a
    # rescreen publishes them) must be the same number.
    policy = DisclosurePolicy(threshold=0, max_perturbation=3)
    dates = monthly_dates(D2, 6)
    with store.connect() as conn:
        sets = [eligible_by_practice(conn, parse(CRITERIA), library, d) for d in dates]
    body = forecast(store, study, library, months=6, keys=policy.keys).to_json(policy)
    for row, k in zip(body["months"], range(5, -1, -1), strict=True):
        for p in row["practices"]:
            new = sets[k].get(p["practice_id"], set()) - sets[k + 1].get(p["practice_id"],
                                                                          set())
            assert p["newly_eligible"]["count"] == policy.disclose_ids(new)


@pytest.mark.parametrize("bind_limit", [monthly.SQLITE_MAX_BINDS, 40])
def test_published_cells_carry_their_patients_packed_keys(store, study, library, monkeypatch,
                                                          bind_limit):
    """The newly eligible of every month and the eligible of month 0 carry the packed key
    of their patients (key sum and count per bucket), as feasibility's cells do, so the
    memory of published counts knows them as the same sets as a rescreen's or a funnel's."""
    monkeypatch.setattr(monthly, "SQLITE_MAX_BINDS", bind_limit)
    keys = DisclosurePolicy().keys
    criteria = parse(CRITERIA)
    dates = monthly_dates(D2, 6)
    with store.connect() as conn:
        sets = [eligible_by_practice(conn, criteria, library, d) for d in dates]
        months = history(conn, criteria, library, D2, 6, keys)
    for m, k in zip(months, range(5, -1, -1), strict=True):
        for p, cell in m.cells.items():
            new = sets[k][p] - sets[k + 1].get(p, set())
            assert cell.newly_key == sum(keys.packed(i) for i in new)
            if k == 0:
                assert cell.eligible_key == sum(keys.packed(i) for i in sets[0][p])
    assert any(cell.newly for m in months for cell in m.cells.values())  # not all empty


def test_presenting_cells_carry_their_patients_packed_keys(store, acute_study, library):
    keys = DisclosurePolicy().keys
    found = forecast(store, acute_study, library, months=3, keys=keys)
    june = found.months[-1].presenting
    assert june[1].eligible_key == keys.packed(1) + keys.packed(5)  # by hand, above
    assert june[2].eligible_key == keys.packed(6)
