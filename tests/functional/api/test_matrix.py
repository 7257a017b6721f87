"""Every role against every endpoint: the status, and what the body holds and hides.

World: study 1 is the sponsor's draft, study 2 the sponsor's approved study, study 3
another sponsor's draft; study 99 does not exist. A study a caller may not see answers the
same 404 as study 99. Practice users and researchers see approved studies only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.functional.api.helpers import assert_disclosed, assert_error, nhs_in, nhs_numbers
from tests.support.api import CRITERIA, PRACTICE_1, PRACTICE_2

WHO = (None, "sponsor", "practice", "researcher", "admin")
OTHER = CRITERIA.replace("Adult women", "Other")
ELIGIBLE = len(PRACTICE_1) + len(PRACTICE_2)


# --- what a 2xx body must hold and hide, per endpoint (checks of a row) ---------------------

def counts_disclosed(exact: str):
    """Feasibility and representativeness: exact counts for the admin, else disclosed."""
    def check(who, response, body):
        if who == "admin":
            assert body["disclosure"]["applied"] is False
            assert (body["eligible"] if exact == "eligible" else body["cohort"]["total"]) \
                == ELIGIBLE
        else:
            assert body["disclosure"]["applied"] is True
            assert_disclosed(body)
    return check


def studys_criteria_run(who, response, body):
    counts_disclosed("cohort")(who, response, body)
    assert body["study"] == "Adult women"  # the study's criteria were run


def study_ids(by_role: dict[str, set[int]]):
    def check(who, response, body):
        assert {s["id"] for s in body["studies"]} == by_role[who]
    return check


def frozen_version_only(who, response, body):
    if who in ("practice", "researcher"):
        # read-only: the frozen version (text and hash) alone, no draft versions
        assert [v["version"] for v in body["versions"]] == [body["approved_version"]]
        assert body["status"] == "approved" and body["title"] == "Approved"
        assert set(body["versions"][0]) >= {"criteria", "criteria_hash"}


def own_role_no_token(who, response, body):
    assert body["role"] == who and "token" not in body


def no_tokens_in_entries(who, response, body):
    assert all("token" not in str(e) for e in body["entries"])


def invite_csv(who, response, body):
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "screen: Willing to attend clinic" in response.get_data(as_text=True)


def two_recorded(who, response, body):
    assert body["recorded"] == 2


@dataclass(frozen=True)
class Row:
    """One endpoint call: the status for each caller (anonymous: 401 unless given), the
    patients whose NHS numbers a 2xx body shows (none unless given) and what else it must
    hold."""

    method: str
    path: str
    body: dict | None
    status: dict[str | None, int]
    shows: tuple[int, ...] = ()
    check: Callable | None = None


def everyone(status: int) -> dict[str, int]:
    return dict(sponsor=status, practice=status, researcher=status, admin=status)


# Every role against every endpoint; None is the anonymous caller.
MATRIX = {
    "me": Row("GET", "/me", None, everyone(200), check=own_role_no_token),
    "check": Row("POST", "/criteria/check", {"criteria": CRITERIA}, everyone(200)),
    "feasibility": Row("POST", "/feasibility", {"criteria": CRITERIA},
                       dict(sponsor=200, practice=403, researcher=200, admin=200),
                       check=counts_disclosed("eligible")),
    "representativeness": Row("POST", "/representativeness", {"criteria": CRITERIA},
                              dict(sponsor=200, practice=403, researcher=200, admin=200),
                              check=counts_disclosed("cohort")),
    "representativeness-approved": Row(
        "POST", "/representativeness", {"study_id": 2},
        dict(sponsor=200, practice=403, researcher=200, admin=200), check=studys_criteria_run),
    "representativeness-draft": Row(
        "POST", "/representativeness", {"study_id": 1},
        dict(sponsor=200, practice=403, researcher=404, admin=200), check=studys_criteria_run),
    "representativeness-others": Row(
        "POST", "/representativeness", {"study_id": 3},
        dict(sponsor=404, practice=403, researcher=404, admin=200), check=studys_criteria_run),
    "representativeness-missing": Row(
        "POST", "/representativeness", {"study_id": 99},
        dict(sponsor=404, practice=403, researcher=404, admin=404)),
    "list": Row("GET", "/studies", None, everyone(200), check=study_ids(
        {"sponsor": {1, 2}, "practice": {2}, "researcher": {2}, "admin": {1, 2, 3}})),
    "list-drafts": Row("GET", "/studies?status=draft", None, everyone(200), check=study_ids(
        {"sponsor": {1}, "practice": set(), "researcher": set(), "admin": {1, 3}})),
    "create": Row("POST", "/studies", {"criteria": OTHER},
                  dict(sponsor=201, practice=403, researcher=403, admin=403)),
    "get-draft": Row("GET", "/studies/1", None,
                     dict(sponsor=200, practice=404, researcher=404, admin=200)),
    "get-approved": Row("GET", "/studies/2", None, everyone(200), check=frozen_version_only),
    "get-others": Row("GET", "/studies/3", None,
                      dict(sponsor=404, practice=404, researcher=404, admin=200)),
    "get-missing": Row("GET", "/studies/99", None, everyone(404)),
    "version": Row("POST", "/studies/1/versions", {"criteria": OTHER},
                   dict(sponsor=201, practice=403, researcher=403, admin=403)),
    "version-others": Row("POST", "/studies/3/versions", {"criteria": OTHER},
                          dict(sponsor=404, practice=403, researcher=403, admin=403)),
    "version-approved": Row("POST", "/studies/2/versions", {"criteria": OTHER},
                            dict(sponsor=409, practice=403, researcher=403, admin=403)),
    "approve": Row("POST", "/studies/1/approve", {},
                   dict(sponsor=403, practice=403, researcher=403, admin=200)),
    "approve-approved": Row("POST", "/studies/2/approve", None,
                            dict(sponsor=403, practice=403, researcher=403, admin=409)),
    "close": Row("POST", "/studies/1/close", None,
                 dict(sponsor=200, practice=403, researcher=403, admin=200)),
    "close-others": Row("POST", "/studies/3/close", None,
                        dict(sponsor=404, practice=403, researcher=403, admin=200)),
    "invites": Row("GET", "/studies/2/invites", None,
                   dict(sponsor=403, practice=200, researcher=403, admin=403),
                   shows=PRACTICE_1),
    "invites-draft": Row("GET", "/studies/1/invites", None,
                         dict(sponsor=403, practice=404, researcher=403, admin=403)),
    "invites-csv": Row("GET", "/studies/2/invites?format=csv", None,
                       dict(sponsor=403, practice=200, researcher=403, admin=403),
                       shows=PRACTICE_1, check=invite_csv),
    "invitations": Row("POST", "/studies/2/invitations", {"patient_ids": [1, 2]},
                       dict(sponsor=403, practice=201, researcher=403, admin=403),
                       check=two_recorded),
    "invitations-draft": Row("POST", "/studies/1/invitations", {"patient_ids": [1]},
                             dict(sponsor=403, practice=404, researcher=403, admin=403)),
    "audit": Row("GET", "/audit", None,
                 dict(sponsor=403, practice=403, researcher=403, admin=200),
                 check=no_tokens_in_entries),
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


def call(api, row: Row, who: str | None):
    url = f"/api/v1{row.path}"
    if row.method == "GET":
        return api.get(url, who)
    return api.post(url, who, row.body)


@pytest.mark.parametrize("name,who", CELLS, ids=[f"{n}-{w}" for n, w in CELLS])
def test_cell(world, name, who):
    row = MATRIX[name]
    response = call(world, row, who)
    expected = row.status.get(who, 401)
    if expected >= 400:
        error = assert_error(response, expected)
        assert not nhs_in(response), "an error shows an NHS number"
        if expected == 404:
            # Hidden and missing studies answer alike.
            missing = world.get("/api/v1/studies/99", "admin").get_json()
            assert error == missing["error"]
        return
    assert response.status_code == expected, response.get_data(as_text=True)
    assert nhs_in(response) == nhs_numbers(row.shows), f"{name}: NHS numbers shown to {who}"
    if row.check is not None:
        row.check(who, response, response.get_json() if response.is_json else None)


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
