"""GET /api/v1/profile: exact for an admin, every count disclosure-controlled for a sponsor
or researcher, refused for a practice user; audited."""

from __future__ import annotations

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.profile.model import shown
from tests.functional.api.helpers import assert_disclosed, assert_error, nhs_in

# Integers in a profile that are not counts of people or records.
# Integers of the profile that are not counts of people or records.
NOT_COUNTS = ("practice_id", ".counts.")


def test_admin_gets_exact_figures(api):
    response = api.get("/api/v1/profile", "admin")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    # The hand-built store: 14 patients at practice 1 and 11 at practice 2, no records.
    assert body["patients"] == 25 and body["records"] == 0
    assert body["disclosure"] is None
    patients = {p["ods_code"]: p["patients"] for p in body["practices"]}
    assert patients == {"T00001": 14, "T00002": 11}
    assert {c["key"] for c in body["checks"]} >= {"conformance.nhs_number",
                                                  "practices.up_to_standard"}


def test_sponsor_gets_disclosed_counts_only(api):
    for who in ("sponsor", "researcher"):
        response = api.get("/api/v1/profile", who)
        assert response.status_code == 200
        body = response.get_json()
        assert body["disclosure"]["applied"] is True
        # 25 patients, 15 and 10 by practice: each published through the engine (the
        # suite's fixed secret), so within 4 of the truth.
        policy = DisclosurePolicy()
        assert body["patients"] == shown(policy, 25) and abs(body["patients"] - 25) <= 4
        exact = api.get("/api/v1/profile", "admin").get_json()["practices"]
        patients = {p["ods_code"]: p["patients"] for p in body["practices"]}
        assert patients == {p["ods_code"]: shown(policy, p["patients"]) for p in exact}
        assert_disclosed(body, skip=NOT_COUNTS)  # no count 0..7: the marker (null) instead
        assert not nhs_in(response)  # aggregates only


def test_practice_users_are_refused_and_everything_is_audited(api):
    assert_error(api.get("/api/v1/profile", "practice"), 403)
    assert_error(api.get("/api/v1/profile", None), 401)
    assert_error(api.get("/api/v1/profile?x=1", "admin"), 400)
    api.get("/api/v1/profile", "sponsor")
    entries = api.get("/api/v1/audit?action=profile", "admin").get_json()["entries"]
    outcomes = sorted(e["outcome"] for e in entries if e["outcome"])  # end entries
    assert outcomes.count("ok") == 1 and "forbidden" in " ".join(outcomes)


def test_feasibility_up_to_standard(api):
    criteria = 'include "Adults": age >= 18\n'
    body = api.post("/api/v1/feasibility", "admin",
                    {"criteria": criteria, "up_to_standard": True}).get_json()
    # The hand-built store holds no records: no practice is up to standard, nobody is left.
    assert body["base"] == 0 and body["eligible"] == 0
    assert body["restriction"]["practices_left_out"] == ["T00001", "T00002"]
    plain = api.post("/api/v1/feasibility", "admin", {"criteria": criteria}).get_json()
    assert plain["base"] == 23 and "restriction" not in plain
    sponsor = api.post("/api/v1/feasibility", "sponsor",
                       {"criteria": criteria, "up_to_standard": True}).get_json()
    assert sponsor["base"] is None and sponsor["restriction"]["practices_kept"] == 0
    assert_error(api.post("/api/v1/feasibility", "admin",
                          {"criteria": criteria, "up_to_standard": "yes"}), 400, "bad_type")
