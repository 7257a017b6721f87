"""``dart count --profile``'s figures on a hand-built store, on every engine."""

from __future__ import annotations

from criteria_grammar import check, parse
from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.feasibility import run_feasibility
from dart.analysis.profile.trial import trial_profile, used_code_sets
from dart.store.codelists import CodelistLibrary
from tests.support.tables import load_tables

CRITERIA = """
codelist t2dm = snomed("44054006", "703138006")
codelist metformin = dmd("325278007")
include has t2dm
exclude has metformin
"""
# Practice 1 records every month (patients 1-3 have t2dm); practice 2's last record is in
# 2025-01 (stopped sending data); patient 4 there has t2dm too and is eligible.
MONTHLY = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)
           if f"{y}-{m:02d}" <= "2026-06"]
STORE = "\n".join(
    ["patient", "patient_id | practice_id"]
    + ["1 | 1", "2 | 1", "3 | 1", "4 | 2"]
    + ["", "observation", "patient_id | obs_date | code"]
    + ["1 | 2020-01-01 | 44054006", "2 | 2020-01-01 | 44054006",
       "3 | 2020-01-01 | 44054006", "4 | 2020-01-01 | 44054006"]
    + [f"1 | {m}-10 | 1234567" for m in MONTHLY]
    + [f"4 | {m}-10 | 1234567" for m in MONTHLY if m <= "2025-01"]
    + ["", "prescription", "patient_id | issue_date | code", "3 | 2026-01-01 | 325278007"])


def test_trial_profile(store):
    load_tables(store, STORE)
    criteria = parse(CRITERIA)
    library = CodelistLibrary({})
    check(criteria, library)
    assert used_code_sets(criteria) == ["t2dm", "metformin"]
    result = run_feasibility(store, criteria, library)
    trial = trial_profile(store, criteria, library, result)
    assert {(c.codeset, c.code, c.records, c.patients) for c in trial.codes} == {
        ("t2dm", "44054006", 4, 4), ("metformin", "325278007", 1, 1)}
    assert trial.never_seen == (("t2dm", "703138006"),)
    assert trial.practices_not_up_to_standard == ("T00002",)
    assert (trial.eligible, trial.eligible_not_up_to_standard) == (3, 1)
    shown = trial.disclosed(DisclosurePolicy(), {"T00001": None, "T00002": None}, None)
    assert shown.eligible is None and shown.eligible_not_up_to_standard is None
    assert all(c.records is None and c.patients is None for c in shown.codes)
    assert shown.to_json()["suppressed"] == ["eligible", "eligible_not_up_to_standard"]
    # The eligible counts are the feasibility answer's published numbers: the eligible
    # count, and the sum of the published cells of the practices not up to standard.
    shown = trial.disclosed(DisclosurePolicy(), {"T00001": 9, "T00002": 12}, 23)
    assert (shown.eligible, shown.eligible_not_up_to_standard) == (23, 12)
    shown = trial.disclosed(DisclosurePolicy(), {"T00001": 9, "T00002": None}, 23)
    assert (shown.eligible, shown.eligible_not_up_to_standard) == (23, None)
