"""Concurrent trials through the API (the store of conftest.py: 13 eligible women at practice
1): an enrolment recorded for one interventional study leaves the patient out of another's
eligible, not out of its own, an observational study's, or one whose criteria say
themselves who is excluded by `enrolled` (docs/recruitment.md, concurrent trials)."""

from __future__ import annotations

from tests.functional.api.helpers import assert_error
from tests.support.api import CRITERIA


def eligible_at_practice_1(api, study_id: int) -> int:
    funnel = api.get(f"/api/v1/studies/{study_id}/funnel", "admin").get_json()
    return {s["stage"]: s["count"] for s in funnel["practices"][0]["stages"]}["eligible"]


def new_study(api, body: dict) -> int:
    made = api.post("/api/v1/studies", "sponsor", body)
    assert made.status_code == 201, made.get_json()
    study_id = made.get_json()["id"]
    api.services.approve_study(api.user("admin"), study_id)
    return study_id


def test_an_enrolment_recorded_through_the_api_leaves_the_patient_out_of_other_trials(api):
    first = new_study(api, {"criteria": CRITERIA})
    second = new_study(api, {"criteria": CRITERIA})
    observational = new_study(api, {"criteria": CRITERIA, "design": "observational"})
    own_rule = new_study(api, {"criteria": CRITERIA + "exclude enrolled in study "
                               f"{observational} ever\n"})
    assert api.get(f"/api/v1/studies/{observational}", "admin").get_json()["design"] == \
        "observational"
    assert [eligible_at_practice_1(api, s) for s in (first, second, observational,
                                                      own_rule)] == [13, 13, 13, 13]
    path = f"/api/v1/studies/{first}/invitations"
    assert api.post(path, "practice", {"patient_ids": [1, 2, 3]}).status_code == 201
    assert api.post(path, "practice", {"patient_ids": [1, 2],
                                       "status": "enrolled"}).status_code == 201
    # 1 and 2 are enrolled in the first study: out of the second's 13, still in the first's
    # own count, the observational study's and the one whose criteria use `enrolled`.
    assert [eligible_at_practice_1(api, s) for s in (first, second, observational,
                                                      own_rule)] == [13, 11, 13, 13]


def test_a_design_that_is_not_known_is_refused_and_nothing_is_made(api):
    refused = api.post("/api/v1/studies", "sponsor", {"criteria": CRITERIA,
                                                      "design": "pragmatic"})
    assert assert_error(refused, 400, "bad_value")["details"] == {"field": "design"}
    assert api.get("/api/v1/studies", "admin").get_json()["studies"] == []
