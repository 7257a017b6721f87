"""Every role against every endpoint: the status, and what the body holds and hides.

World: study 1 is the sponsor's draft, study 2 the sponsor's approved study, study 3
another sponsor's draft; study 99 does not exist. A study a caller may not see answers the
same 404 as study 99. Practice users and researchers see approved studies only.
"""

from __future__ import annotations

import pytest

from tests.functional.api.conftest import CRITERIA, PRACTICE_1, PRACTICE_2
from tests.functional.api.helpers import assert_disclosed, assert_error, nhs_in, nhs_numbers

WHO = (None, "sponsor", "practice", "researcher", "admin")
OTHER = CRITERIA.replace("Adult women", "Other")

# name: (method, path, body, {caller: status}); None is the anonymous caller.
MATRIX = {
    "me": ("GET", "/me", None, dict(sponsor=200, practice=200, researcher=200, admin=200)),
    "check": ("POST", "/criteria/check", {"criteria": CRITERIA},
              dict(sponsor=200, practice=200, researcher=200, admin=200)),
    "feasibility": ("POST", "/feasibility", {"criteria": CRITERIA},
                    dict(sponsor=200, practice=403, researcher=200, admin=200)),
    "representativeness": ("POST", "/representativeness", {"criteria": CRITERIA},
                           dict(sponsor=200, practice=403, researcher=200, admin=200)),
    "representativeness-approved": ("POST", "/representativeness", {"study_id": 2},
                                    dict(sponsor=200, practice=403, researcher=200, admin=200)),
    "representativeness-draft": ("POST", "/representativeness", {"study_id": 1},
                                 dict(sponsor=200, practice=403, researcher=404, admin=200)),
    "representativeness-others": ("POST", "/representativeness", {"study_id": 3},
                                  dict(sponsor=404, practice=403, researcher=404, admin=200)),
    "representativeness-missing": ("POST", "/representativeness", {"study_id": 99},
                                   dict(sponsor=404, practice=403, researcher=404, admin=404)),
    "list": ("GET", "/studies", None, dict(sponsor=200, practice=200, researcher=200, admin=200)),
    "list-drafts": ("GET", "/studies?status=draft", None,
                    dict(sponsor=200, practice=200, researcher=200, admin=200)),
    "create": ("POST", "/studies", {"criteria": OTHER},
               dict(sponsor=201, practice=403, researcher=403, admin=403)),
    "get-draft": ("GET", "/studies/1", None,
                  dict(sponsor=200, practice=404, researcher=404, admin=200)),
    "get-approved": ("GET", "/studies/2", None,
                     dict(sponsor=200, practice=200, researcher=200, admin=200)),
    "get-others": ("GET", "/studies/3", None,
                   dict(sponsor=404, practice=404, researcher=404, admin=200)),
    "get-missing": ("GET", "/studies/99", None,
                    dict(sponsor=404, practice=404, researcher=404, admin=404)),
    "version": ("POST", "/studies/1/versions", {"criteria": OTHER},
                dict(sponsor=201, practice=403, researcher=403, admin=403)),
    "version-others": ("POST", "/studies/3/versions", {"criteria": OTHER},
                       dict(sponsor=404, practice=403, researcher=403, admin=403)),
    "version-approved": ("POST", "/studies/2/versions", {"criteria": OTHER},
                         dict(sponsor=409, practice=403, researcher=403, admin=403)),
    "approve": ("POST", "/studies/1/approve", {},
                dict(sponsor=403, practice=403, researcher=403, admin=200)),
    "approve-approved": ("POST", "/studies/2/approve", None,
                         dict(sponsor=403, practice=403, researcher=403, admin=409)),
    "close": ("POST", "/studies/1/close", None,
              dict(sponsor=200, practice=403, researcher=403, admin=200)),
    "close-others": ("POST", "/studies/3/close", None,
                     dict(sponsor=404, practice=403, researcher=403, admin=200)),
    "invites": ("GET", "/studies/2/invites", None,
                dict(sponsor=403, practice=200, researcher=403, admin=403)),
    "invites-draft": ("GET", "/studies/1/invites", None,
                      dict(sponsor=403, practice=404, researcher=403, admin=403)),
    "invites-csv": ("GET", "/studies/2/invites?format=csv", None,
                    dict(sponsor=403, practice=200, researcher=403, admin=403)),
    "invitations": ("POST", "/studies/2/invitations", {"patient_ids": [1, 2]},
                    dict(sponsor=403, practice=201, researcher=403, admin=403)),
    "invitations-draft": ("POST", "/studies/1/invitations", {"patient_ids": [1]},
                          dict(sponsor=403, practice=404, researcher=403, admin=403)),
    "audit": ("GET", "/audit", None, dict(sponsor=403, practice=403, researcher=403, admin=200)),
}
CELLS = [(name, who) for name in MATRIX for who in WHO]


@pytest.fixture
def world(api):
    services = api.services
    sponsor, sponsor2, admin = api.user("sponsor"), api.user("sponsor2"), api.user("admin")
    assert services.create_study(sponsor, CRITERIA).study_id == 1
    assert services.create_study(sponsor, CRITERIA, "Approved").study_id == 2
    services.approve_study(admin, 2)
    assert services.create_study(sponsor2, CRITERIA, "Someone else's").study_id == 3
    return api


def call(api, name: str, who: str | None):
    method, path, body, _ = MATRIX[name]
    url = f"/api/v1{path}"
    if method == "GET":
        return api.get(url, who)
    return api.post(url, who, body)


@pytest.mark.parametrize("name,who", CELLS, ids=[f"{n}-{w}" for n, w in CELLS])
def test_cell(world, name, who):
    response = call(world, name, who)
    expected = MATRIX[name][3].get(who, 401)
    if expected >= 400:
        error = assert_error(response, expected)
        assert not nhs_in(response), "an error shows an NHS number"
        if expected == 404:
            # Hidden and missing studies answer alike.
            missing = world.get("/api/v1/studies/99", "admin").get_json()
            assert error == missing["error"]
        return
    assert response.status_code == expected, response.get_data(as_text=True)
    check_body(world, name, who, response)


def check_body(api, name: str, who: str, response) -> None:
    body = response.get_json() if response.is_json else None
    shown = nhs_in(response)
    if name in ("invites", "invites-csv"):
        assert shown == nhs_numbers(PRACTICE_1)
        assert not shown & nhs_numbers(PRACTICE_2)
    else:
        assert not shown, f"{name} shows NHS numbers to {who}"
    if name == "feasibility" or name.startswith("representativeness"):
        if who == "admin":
            assert body["disclosure"]["applied"] is False
            exact = body["eligible"] if name == "feasibility" else body["cohort"]["total"]
            assert exact == len(PRACTICE_1) + len(PRACTICE_2)
        else:
            assert body["disclosure"]["applied"] is True
            assert_disclosed(body)
    if name.startswith("representativeness-"):
        assert body["study"] == "Adult women"  # the study's criteria were run
    if name == "list":
        ids = {s["id"] for s in body["studies"]}
        assert ids == {"sponsor": {1, 2}, "practice": {2}, "researcher": {2},
                       "admin": {1, 2, 3}}[who]
    if name == "list-drafts":
        ids = {s["id"] for s in body["studies"]}
        assert ids == {"sponsor": {1}, "practice": set(), "researcher": set(),
                       "admin": {1, 3}}[who]
    if name == "get-approved" and who in ("practice", "researcher"):
        # read-only: the frozen version (text and hash) alone, no draft versions
        assert [v["version"] for v in body["versions"]] == [body["approved_version"]]
        assert body["status"] == "approved" and body["title"] == "Approved"
        assert set(body["versions"][0]) >= {"criteria", "criteria_hash"}
    if name == "me":
        assert body["role"] == who and "token" not in body
    if name == "audit":
        assert all("token" not in str(e) for e in body["entries"])
    if name == "invites-csv":
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        assert "screen: Willing to attend clinic" in response.get_data(as_text=True)
    if name == "invitations":
        assert body["recorded"] == 2


def test_revoked_token_is_refused(api):
    from dart.app.accounts import revoke_user

    assert api.get("/api/v1/me", "researcher").status_code == 200
    revoke_user(api.engine, "researcher")
    assert_error(api.get("/api/v1/me", "researcher"), 401, "unauthorized")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "Bearer a b",
                                    "Bearer dart_wrong", "bearer " + "x" * 300])
def test_bad_authorization_headers(api, header):
    response = api.client.get("/api/v1/me", headers={"Authorization": header})
    error = assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "exist" not in error["message"]
