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
from tests.unit.analysis.profile.test_trial import CRITERIA, STORE


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

    entries = api.get("/api/v1/audit?action=feasibility.profile", "admin").get_json()
    assert sorted(e["outcome"] for e in entries["entries"] if e["outcome"]) == ["ok", "ok"]
