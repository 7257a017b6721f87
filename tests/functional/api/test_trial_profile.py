"""``Services.trial_profile`` (the workbench's data-quality panel): exact for an admin,
through the disclosure engine for a sponsor, audited as ``feasibility.profile``.

The store is the one of ``tests/unit/analysis/profile/test_trial.py``: four patients with
t2dm (three eligible at practice 1, one at practice 2, which stopped sending data in
2025-01 and so is not up to standard); code 703138006 is in no record.
"""

from __future__ import annotations

from dart.store.codelists import CodelistLibrary
from tests.support.api import make_api
from tests.support.tables import load_tables
from tests.unit.analysis.profile.test_trial import CRITERIA, MONTHLY, STORE


def test_the_data_behind_criteria_per_reader(sqlite_engine):
    load_tables(sqlite_engine, STORE)
    api = make_api(sqlite_engine, CodelistLibrary({}))
    services = api.services
    exact = services.trial_profile(api.user("admin"), CRITERIA)
    assert {(c["codeset"], c["code"], c["records"], c["patients"]) for c in exact["codes"]} == {
        ("t2dm", "44054006", 4, 4), ("metformin", "325278007", 1, 1)}
    assert exact["never_seen"] == [{"codeset": "t2dm", "code": "703138006"}]
    assert exact["practices_not_up_to_standard"] == ["T00002"]
    assert (exact["eligible"], exact["eligible_not_up_to_standard"]) == (3, 1)

    shown = services.trial_profile(api.user("sponsor"), CRITERIA)
    # every count is 1 to 4: below the threshold, so none is published; the codes never
    # seen and the practices flagged are not counts and stay
    assert all(c["records"] is None and c["patients"] is None for c in shown["codes"])
    assert shown["suppressed"] == ["eligible", "eligible_not_up_to_standard"]
    assert shown["never_seen"] == exact["never_seen"]
    assert shown["disclosure"]["applied"] is True

    # The sponsor had no feasibility answer for these criteria: the profile gave one, so
    # it was counted as one (audited as feasibility, detail "profile"); a second profile of
    # the same criteria is covered by it
    services.trial_profile(api.user("sponsor"), CRITERIA)
    entries = api.get("/api/v1/audit?action=feasibility.profile", "admin").get_json()
    assert sorted(e["outcome"] for e in entries["entries"] if e["outcome"]) == ["ok", "ok"]
    counted = api.get("/api/v1/audit?action=feasibility", "admin").get_json()["entries"]
    assert [e["detail"] for e in counted if e["outcome"] == "ok"] == ["profile"]


def test_the_profile_publishes_what_the_feasibility_answer_did(sqlite_engine):
    # Its eligible counts are the published feasibility numbers, so it tells nothing new
    # (and does not give a free answer outside the budget)
    load_tables(sqlite_engine, STORE_OF_MANY)
    api = make_api(sqlite_engine, CodelistLibrary({}))
    services, sponsor = api.services, api.user("sponsor")
    text = "include age >= 18\n"
    answer = services.feasibility(sponsor, text)
    profile = services.trial_profile(sponsor, text)
    assert profile["eligible"] == answer["eligible"] is not None
    cells = {c["group"]: c["count"] for c in answer["breakdowns"]["practice"]}
    assert profile["eligible_not_up_to_standard"] == cells["T00002"] is not None


STORE_OF_MANY = "\n".join(  # 30 patients at each practice; practice 2 stopped in 2025-01
    ["patient", "patient_id | practice_id"]
    + [f"{i} | {1 + i % 2}" for i in range(1, 61)]
    + ["", "observation", "patient_id | obs_date | code"]
    + [f"2 | {m}-10 | 1234567" for m in MONTHLY]
    + [f"1 | {m}-10 | 1234567" for m in MONTHLY if m <= "2025-01"])
