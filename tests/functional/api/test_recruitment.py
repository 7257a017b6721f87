"""The recruitment routes over the API store (conftest.py: 13 eligible women at practice 1,
9 at practice 2): lifecycle statuses, CSV outcomes, rescreening, the sponsor's funnel,
forecast and newly eligible (disclosed), fair invitations; who may call what."""

from __future__ import annotations

import pytest

from dart.analysis.disclosure import DisclosurePolicy
from tests.functional.api.helpers import assert_disclosed, assert_error, nhs_in, nhs_numbers
from tests.support.api import CRITERIA, PRACTICE_1, PRACTICE_2

STUDY = "/api/v1/studies/1"


@pytest.fixture
def approved(api):
    study = api.services.create_study(api.user("sponsor"), CRITERIA)
    api.services.approve_study(api.user("admin"), study.study_id)
    return api


def post(api, path, body, who="practice"):
    return api.post(f"{STUDY}{path}", who, body)


def test_the_lifecycle_through_the_api(approved):
    ok = post(approved, "/invitations", {"patient_ids": [1, 2, 3], "channel": "letter"})
    assert ok.status_code == 201 and ok.get_json()["recorded"] == 3
    assert post(approved, "/invitations", {"patient_ids": [1, 2],
                                           "status": "responded"}).status_code == 201
    assert post(approved, "/invitations", {"patient_ids": [1],
                                           "status": "enrolled"}).status_code == 201
    refused = post(approved, "/invitations", {"patient_ids": [4], "status": "enrolled"})
    assert assert_error(refused, 409, "bad_transition")["details"] == {"patient_ids": [4]}
    assert_error(post(approved, "/invitations", {"patient_ids": [2],
                                                 "status": "screened_out"}), 400, "bad_value")
    assert_error(post(approved, "/invitations", {"patient_ids": [2], "status": "accepted"}),
                 400, "bad_value")
    assert_error(post(approved, "/invitations", {"patient_ids": [2], "correction": "yes"}),
                 400, "bad_type")
    funnel = approved.get(f"{STUDY}/funnel", "admin").get_json()
    counts = {s["stage"]: s["count"] for s in funnel["practices"][0]["stages"]}
    assert counts == {"eligible": 13, "invited": 3, "responded": 2, "enrolled": 1}


def csv_post(api, text, who="practice"):
    return api.post(f"{STUDY}/outcomes", who, data=text.encode(),
                    headers={"Content-Type": "text/csv"})


def test_outcomes_uploaded_as_csv(approved):
    post(approved, "/invitations", {"patient_ids": [1, 2, 3]})
    listed = approved.get(f"{STUDY}/invites?format=csv", "practice").get_data(as_text=True)
    # The downloaded list, with a status column added, is a valid upload.
    lines = listed.splitlines()
    header = next(i for i, ln in enumerate(lines) if ln.startswith("patient_id"))
    rows = [f"{ln},invited" for ln in lines[header + 1:header + 3]]
    upload = "\n".join([*lines[:header], lines[header] + ",status", *rows])
    first = csv_post(approved, upload).get_json()  # the list's first two: 10 and 11
    assert (first["recorded"], first["already_recorded"]) == (2, 0)
    nhs = sorted(nhs_numbers([1]))[0]
    text = ("patient_id,nhs_number,status,reason\n"
            f",{nhs[:3]} {nhs[3:6]} {nhs[6:]},screened_out,frail\n2,,Declined,\n3,,,\n")
    done = csv_post(approved, text)
    assert done.status_code == 201 and done.get_json()["recorded"] == 2
    funnel = approved.get(f"{STUDY}/funnel", "admin").get_json()["total"]
    assert {s["stage"]: s["count"] for s in funnel}["invited"] == 5


@pytest.mark.parametrize("text", [
    "", "patient_id\n1\n", "status\ninvited\n", "patient_id,status\nabc,invited\n",
    "patient_id,status\n21,invited\n",  # another practice's patient
    "nhs_number,status\n9990000000,invited\n", "patient_id,status\n1,enrolled\n",
    "patient_id,status\n1,invited\n1,declined\n", "patient_id,status\n,\n",
])
def test_bad_outcome_files_write_nothing(approved, text):
    response = csv_post(approved, text)
    assert response.status_code in (400, 409)
    assert_error(response, response.status_code)
    total = approved.get(f"{STUDY}/funnel", "admin").get_json()["total"]
    assert {s["stage"]: s["count"] for s in total}["invited"] == 0


def test_outcomes_need_a_csv_body(approved):
    assert_error(approved.post(f"{STUDY}/outcomes", "practice", {"patient_ids": [1]}), 400,
                 "bad_content_type")


def test_new_since_lists_only_the_new(approved):
    body = approved.get(f"{STUDY}/invites?new_since=2026-01-31", "practice").get_json()
    assert body["new_since"] == "2026-01-31" and body["count"] == 0  # all adults long ago
    full = approved.get(f"{STUDY}/invites", "practice").get_json()
    assert full["count"] == 13 and full["patients"][0]["reasons"][0]["rule"] == "Adults"
    for bad in ("2026-13-01", "yesterday", "2026-06-30", "2026-07-01"):
        assert_error(approved.get(f"{STUDY}/invites?new_since={bad}", "practice"), 400,
                     "bad_parameter")


NOT_COUNTS = ("study_id", "practice_id", "projection", "disclosure")


def counts_only(body):
    """The body without the integers that are not counts of people."""
    if isinstance(body, dict):
        return {k: counts_only(v) for k, v in body.items() if k not in NOT_COUNTS}
    if isinstance(body, list):
        return [counts_only(v) for v in body]
    return body


def test_the_sponsor_sees_disclosed_counts(approved):
    for path in ("/funnel", "/forecast?target=50&months=3", "/newly-eligible?since=2025-01-01"):
        response = approved.get(f"{STUDY}{path}", "sponsor")
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert_disclosed({**counts_only(body), "disclosure": body["disclosure"]})
        assert not nhs_in(response)
    funnel = approved.get(f"{STUDY}/funnel", "sponsor").get_json()
    # 22 eligible, published by their record keys (the suite's fixed secret): within 4,
    # and the same number as feasibility publishes for the same patients (linked tables).
    shown = DisclosurePolicy().disclose_ids(PRACTICE_1 + PRACTICE_2)
    assert funnel["total"][0] == {"stage": "eligible", "count": shown} and abs(shown - 22) <= 4
    asked = approved.post("/api/v1/feasibility", "sponsor", json={"criteria": CRITERIA})
    feasibility = asked.get_json()
    assert feasibility["eligible"] == shown
    practice_1 = next(c for c in feasibility["breakdowns"]["practice"] if c["count"])
    assert funnel["practices"][0]["stages"][0]["count"] == practice_1["count"] \
        == DisclosurePolicy().disclose_ids(PRACTICE_1)
    # Nobody invited at practice 2: a zero is the marker, never 0.
    assert funnel["practices"][1]["stages"][1] == {"stage": "invited", "count": None,
                                                   "suppressed": True}
    newly = approved.get(f"{STUDY}/newly-eligible", "sponsor").get_json()
    assert [p["since"] for p in newly["practices"]] == [None, None]


def test_the_projection_is_computed_from_published_counts_only(approved):
    """The projection's inputs (enrolled, the months' newly eligible, the rates) are the
    counts a sponsor is shown, never exact ones: one woman enrolled reads as the marker."""
    post(approved, "/invitations", {"patient_ids": [1, 2, 3]})
    post(approved, "/invitations", {"patient_ids": [1], "status": "responded"})
    post(approved, "/invitations", {"patient_ids": [1], "status": "enrolled"})
    path = f"{STUDY}/forecast?target=50&months=3"
    exact = approved.get(path, "admin").get_json()["projection"]
    assert exact["enrolled"] == 1 and exact["monthly_new"] == 0.0  # everyone adult long ago
    body = approved.get(path, "sponsor").get_json()
    shown = body["projection"]
    assert shown["enrolled"] is None  # the marker, as in the sponsor's funnel
    funnel = approved.get(f"{STUDY}/funnel", "sponsor").get_json()["total"]
    assert {s["stage"]: s["count"] for s in funnel}["enrolled"] is None
    # Each month's newly eligible as published; a marker counts as 4, the middle of 0..7.
    months = [m["newly_eligible"]["count"] for m in body["months"]]
    assert months == [None, None, None]
    assert shown["monthly_new"] == 4.0
    # With the rates' defaults (fewer than 50 invited), the pool is the published eligible
    # (22 women, published by their keys) less the invited (a marker: 4).
    eligible = DisclosurePolicy().disclose_ids(PRACTICE_1 + PRACTICE_2)
    assert shown["months_to_target"]["median"] == forecast_median(50 - 4, eligible - 4, 4.0)


def forecast_median(target: int, pool: int, monthly: float) -> int | None:
    from dart.recruitment.forecast import DEFAULT_ENROLMENT, DEFAULT_RESPONSE, simulate

    return simulate(target, pool, monthly, DEFAULT_RESPONSE * DEFAULT_ENROLMENT)[0]


@pytest.mark.parametrize(("who", "path", "status"), [
    ("practice", "/funnel", 403), ("researcher", "/forecast", 403),
    ("sponsor2", "/funnel", 404), ("practice", "/newly-eligible", 403),
    ("sponsor", "/fair-invitations?n=3", 403), ("practice", "/fair-invitations", 400),
    ("practice", "/fair-invitations?n=0", 400), ("sponsor", "/forecast?target=0", 400),
    ("practice", "/representativeness?stage=invited", 403),
    ("sponsor2", "/representativeness", 404),
    ("sponsor", "/representativeness?stage=responded", 400),
    ("sponsor", "/representativeness?stage=invited&x=1", 400),
])
def test_who_may_call_what(approved, who, path, status):
    assert_error(approved.get(f"{STUDY}{path}", who), status)


def test_representativeness_of_the_invited(approved):
    post(approved, "/invitations", {"patient_ids": list(range(1, 11)), "channel": "letter"})
    body = approved.get(f"{STUDY}/representativeness?stage=invited", "admin").get_json()
    # Ten of practice 1's thirteen invited, nobody at practice 2's nine: every one in London,
    # women aged 56, so the invited are all of one group in every dimension.
    assert body["stage"] == "invited" and body["cohort"]["total"] == 10
    refs = {r["key"]: r["total"] for r in body["references"]}
    assert refs["eligible"] == 22 and body["rule_impact"]["rules"] == []
    sponsor = approved.get(f"{STUDY}/representativeness?stage=invited", "sponsor").get_json()
    assert sponsor["disclosure"]["applied"] and abs(sponsor["cohort"]["total"] - 10) <= 4
    eligible = approved.get(f"{STUDY}/representativeness", "sponsor").get_json()
    # The study's two rules and the default concurrent-trial exclusion (an interventional
    # study's; docs/recruitment.md).
    assert eligible["stage"] == "eligible"
    assert [r["label"] for r in eligible["rule_impact"]["rules"]] == [
        "Adults", "Women", "Enrolled in another interventional trial (default)"]


def test_fair_invitations_come_from_the_callers_list(approved):
    body = approved.get(f"{STUDY}/fair-invitations?n=5", "practice").get_json()
    assert len(body["patient_ids"]) == 5 and set(body["patient_ids"]) <= set(PRACTICE_1)
    assert body["listed"] == 13 and body["proposed"]["tv"] <= body["random_expected"]["tv"]
    assert "target_shares" not in body  # no aggregate over other practices
    other = approved.get(f"{STUDY}/fair-invitations?n=5", "practice2").get_json()
    assert set(other["patient_ids"]) <= set(PRACTICE_2)
    assert_error(approved.get(f"{STUDY}/fair-invitations?n=14", "practice"), 400)


def test_the_admin_review_of_a_study(api):
    from dart.app.errors import Forbidden

    sponsor, admin = api.user("sponsor"), api.user("admin")
    study = api.services.create_study(sponsor, CRITERIA)
    api.services.add_version(sponsor, study.study_id, CRITERIA.replace(">= 18", ">= 21"))
    found = api.services.study_review(admin, study.study_id)
    assert (found["sponsor"], found["version"], found["versions"]) == ("sponsor", 2, 2)
    assert found["counts"]["eligible"] == 22  # exact for an admin: 13 + 9 adult women
    assert any("aged at least 21" in line for line in found["english"])
    assert "-include \"Adults\": age >= 18" in found["diff"]
    assert "+include \"Adults\": age >= 21" in found["diff"]
    with pytest.raises(Forbidden):
        api.services.study_review(sponsor, study.study_id)
