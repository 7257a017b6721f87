"""Rescreening and reasons on the hand-built store of conftest.py, on every engine.

Expected ids and texts are worked out by hand in conftest.py's docstring.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dart.analysis.disclosure import DisclosurePolicy
from dart.recruitment.invites import invite_list
from dart.recruitment.rescreen import record_list_run, rescreen
from dart.reports.invite_list_csv import invite_list_csv
from tests.support.rescreen_store import D1, D2, HBA1C_TERM, TODAY


def test_newly_eligible_per_practice(store, study, library):
    found = rescreen(store, study, since=D1, library=library)
    assert found.index_date == D2
    assert {p.practice_id: sorted(p.new) for p in found.practices} == {1: [3, 4, 5], 2: [8]}
    assert {p.practice_id: p.eligible for p in found.practices} == {1: 5, 2: 2}


def test_without_a_since_date_each_practice_counts_from_its_last_list(store, study, library):
    record_list_run(store, study.study_id, 1, dt.date(2026, 2, 2), D1, 5)
    record_list_run(store, study.study_id, 1, dt.date(2025, 1, 2), dt.date(2024, 12, 31), 5)
    found = {p.practice_id: p for p in rescreen(store, study, library=library).practices}
    assert found[1].since == D1 and sorted(found[1].new) == [3, 4, 5]
    assert found[2].since is None and sorted(found[2].new) == [7, 8]  # never listed


def test_a_list_of_the_current_index_date_is_not_a_since_date(store, study, library):
    record_list_run(store, study.study_id, 1, TODAY, D2, 5)  # the same extract again
    found = {p.practice_id: p for p in rescreen(store, study, library=library).practices}
    assert found[1].since is None


def test_the_sponsor_sees_disclosed_counts_only(store, study, library):
    body = rescreen(store, study, since=D1, library=library).to_json(DisclosurePolicy())
    assert body["practices"] == [
        {"practice_id": 1, "since": D1.isoformat(), "newly_eligible": None, "suppressed": True},
        {"practice_id": 2, "since": D1.isoformat(), "newly_eligible": None, "suppressed": True},
    ]
    assert "new" not in str(body).replace("newly", "")


def test_a_since_date_not_before_the_index_date_is_refused(store, study, library):
    with pytest.raises(ValueError, match="not before"):
        rescreen(store, study, since=D2, library=library)


def test_the_list_marks_the_new_patients(store, study, library):
    found = invite_list(store, study, 1, TODAY, library, new_since=D1)
    assert [(r.patient_id, r.new) for r in sorted(found.rows, key=lambda r: r.patient_id)] == [
        (1, False), (2, False), (3, True), (4, True), (5, True)]
    assert found.only_new().to_json()["count"] == 3
    unmarked = invite_list(store, study, 1, TODAY, library)
    assert unmarked.new_since is None and not any(r.new for r in unmarked.rows)
    record_list_run(store, study.study_id, 1, dt.date(2026, 2, 2), D1, 5)
    marked = invite_list(store, study, 1, TODAY, library)
    assert marked.new_since == D1 and sorted(r.patient_id for r in marked.rows if r.new) == [
        3, 4, 5]


def reasons_of(found, pid: int) -> dict[str, str]:
    row = next(r for r in found.rows if r.patient_id == pid)
    return {r.rule: r.text for r in row.reasons}


def test_each_include_rule_names_the_record_that_satisfied_it(store, study, library):
    found = invite_list(store, study, 1, TODAY, library)
    assert reasons_of(found, 1) == {
        "Aged 40 or over": "age 66",
        "Type 2 diabetes": "Diabetes mellitus type 2 on 2015-03-01",
        "Poor control or new AF": f"{HBA1C_TERM} 72 mmol/mol on 2026-03-01; "
                                  "first Paroxysmal atrial fibrillation on 2025-11-02",
        "On metformin": "Metformin 500mg tablets on 2026-05-10",
    }
    # The latest HbA1c (50) fails, so only the branch that held is named.
    assert reasons_of(found, 2)["Poor control or new AF"] == \
        "first Atrial fibrillation on 2025-10-01"
    # A first AF before the window is no reason; the HbA1c is.
    assert reasons_of(found, 3)["Poor control or new AF"] == \
        f"{HBA1C_TERM} 60 mmol/mol on 2026-02-01"
    assert reasons_of(found, 4)["Aged 40 or over"] == "age 40"


def test_reasons_reach_the_json_and_the_csv(store, study, library):
    found = invite_list(store, study, 1, TODAY, library, new_since=D1)
    patient = next(p for p in found.to_json()["patients"] if p["patient_id"] == 1)
    assert patient["reasons"][3] == {"rule": "On metformin",
                                     "text": "Metformin 500mg tablets on 2026-05-10"}
    lines = invite_list_csv(found).splitlines()
    preamble = [ln.strip('"') for ln in lines if ln.lstrip('"').startswith("#")]
    assert preamble[1] == "# list date 2026-07-15; index date 2026-06-30; new since 2026-01-31"
    assert any("aged at least 40 on 2026-06-30" in ln for ln in preamble)
    header = next(ln for ln in lines if ln.startswith("patient_id"))
    assert header.split(",")[6:8] == ["new", "reason: Aged 40 or over"]
    row = next(ln for ln in lines if ln.startswith("4,"))
    assert ",yes,age 40," in row
