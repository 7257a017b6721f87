"""GET /api/v1/profile: exact for an admin, every count disclosure-controlled for a sponsor
or researcher, refused for a practice user; audited."""

from __future__ import annotations

from tests.functional.api.helpers import assert_error, counts_in, nhs_in

# Integers in a profile that are not counts of people or records.
NOT_COUNTS = ("practice_id", ".counts.", "disclosure.threshold", "disclosure.rounding")


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
        assert body["patients"] == 25  # already a multiple of 5
        patients = {p["ods_code"]: p["patients"] for p in body["practices"]}
        assert patients == {"T00001": 15, "T00002": 10}
        for path, value in counts_in(body):
            if any(marker in path for marker in NOT_COUNTS):
                continue
            assert not 1 <= value <= 7, f"{path} = {value} is a small count"
            assert value % 5 == 0, f"{path} = {value} is not rounded"
        assert not nhs_in(response)  # aggregates only


def test_practice_users_are_refused_and_everything_is_audited(api):
    assert_error(api.get("/api/v1/profile", "practice"), 403)
    assert_error(api.get("/api/v1/profile", None), 401)
    assert_error(api.get("/api/v1/profile?x=1", "admin"), 400)
    api.get("/api/v1/profile", "sponsor")
    entries = api.get("/api/v1/audit?action=profile", "admin").get_json()["entries"]
    outcomes = sorted(e["outcome"] for e in entries)
    assert outcomes.count("ok") == 1 and "forbidden" in " ".join(outcomes)
