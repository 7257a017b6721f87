"""A practice never obtains another practice's patient, by any endpoint or parameter."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dart.store.app_tables import invitations
from tests.functional.api.conftest import CRITERIA, PRACTICE_1, PRACTICE_2
from tests.functional.api.helpers import nhs_in, nhs_numbers

OWN = {"practice": nhs_numbers(PRACTICE_1), "practice2": nhs_numbers(PRACTICE_2)}


@pytest.fixture
def approved(api):
    study = api.services.create_study(api.user("sponsor"), CRITERIA)
    api.services.approve_study(api.user("admin"), study.study_id)
    return api


def every_request(api, who: str):
    """Everything a practice user can send, with every parameter we can think of."""
    other = PRACTICE_2 if who == "practice" else PRACTICE_1
    gets = ["/me", "/studies", "/studies?status=approved", "/studies/1", "/studies/1/invites",
            "/studies/1/invites?format=csv", "/studies/1/invites?format=json",
            "/studies/1/invites?practice=T00002", "/studies/1/invites?practice_id=2",
            "/studies/1/invites?practice=T00001", "/audit", "/studies/2/invites"]
    for path in gets:
        yield api.get(f"/api/v1{path}", who)
    for accept in ("text/csv", "application/json", "*/*", "text/html"):
        yield api.get("/api/v1/studies/1/invites", who, headers={"Accept": accept})
    posts = [("/criteria/check", {"criteria": CRITERIA}),
             ("/feasibility", {"criteria": CRITERIA}),
             ("/representativeness", {"study_id": 1}),
             ("/representativeness", {"criteria": CRITERIA}),
             ("/studies/1/invitations", {"patient_ids": list(other)}),
             ("/studies/1/invitations", {"patient_ids": [other[0]]}),
             ("/studies/1/invitations", {"patient_ids": [1, 21], "practice_id": 2}),
             ("/studies/1/invites", {})]
    for path, body in posts:
        yield api.post(f"/api/v1{path}", who, body)


@pytest.mark.parametrize("who", ["practice", "practice2"])
def test_no_other_practice_patient_ever(approved, who):
    seen: set[str] = set()
    for response in every_request(approved, who):
        assert response.status_code < 500
        seen |= nhs_in(response)
    assert seen == OWN[who]
    with approved.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(invitations)).scalar() == 0


def test_own_list_then_other_practices_list_is_unaffected(approved):
    approved.post("/api/v1/studies/1/invitations", "practice", {"patient_ids": [1]})
    mine = approved.get("/api/v1/studies/1/invites", "practice").get_json()
    theirs = approved.get("/api/v1/studies/1/invites", "practice2").get_json()
    assert mine["count"] == len(PRACTICE_1) - 1
    assert {p["patient_id"] for p in theirs["patients"]} == set(PRACTICE_2)
