"""What the audit log records: dashboard sign-ins (never the token), invite lists viewed
versus downloaded, and the researcher's runs of an approved study."""

from __future__ import annotations

from tests.functional.api.conftest import CRITERIA, PRACTICE_1, PRACTICE_2


def entries(api, action: str, phase: str = "end") -> list[dict]:
    """The ``phase`` entries for ``action``, oldest first (read through the API as an
    admin)."""
    found = api.get(f"/api/v1/audit?action={action}&limit=1000",
                    "admin").get_json()["entries"]
    return [e for e in found[::-1] if e["phase"] == phase]


def test_dashboard_sign_ins_are_audited_without_the_token(api):
    services = api.services
    assert services.sign_in("sponsor", api.tokens["sponsor"]).name == "sponsor"
    assert services.sign_in("sponsor", api.tokens["admin"]) is None  # another user's token
    assert services.sign_in(api.tokens["admin"], "x") is None  # a token typed as the name
    assert services.sign_in("nobody", "dart_wrong") is None
    found = entries(api, "dashboard.sign_in")
    assert [(e["user"], e["outcome"], e["status"]) for e in found] == [
        ("sponsor", "ok", 200), ("sponsor", "unauthorized", 401),
        (None, "unauthorized", 401), (None, "unauthorized", 401)]
    everything = str(api.get("/api/v1/audit?limit=1000", "admin").get_json())
    assert not any(token in everything for token in api.tokens.values())
    assert "nobody" not in everything


def test_invite_list_viewed_and_downloaded_are_told_apart(api):
    sponsor, admin = api.user("sponsor"), api.user("admin")
    study = api.services.create_study(sponsor, CRITERIA)
    api.services.approve_study(admin, study.study_id)
    url = f"/api/v1/studies/{study.study_id}/invites"
    assert api.get(url, "practice").status_code == 200
    assert api.get(f"{url}?format=csv", "practice").status_code == 200
    assert api.get(url, "practice", headers={"Accept": "text/csv"}).status_code == 200
    assert [e["row_count"] for e in entries(api, "invites.view")] == [13]
    assert [e["row_count"] for e in entries(api, "invites.download")] == [13, 13]
    assert api.get(url, "sponsor").status_code == 403  # refused: still audited as a view
    assert entries(api, "invites.view")[-1]["outcome"] == "forbidden"


def test_researcher_runs_an_approved_study(api):
    sponsor, admin = api.user("sponsor"), api.user("admin")
    study = api.services.create_study(sponsor, CRITERIA)
    api.services.approve_study(admin, study.study_id)
    listed = api.get("/api/v1/studies", "researcher").get_json()["studies"]
    assert [s["id"] for s in listed] == [study.study_id]
    response = api.post("/api/v1/representativeness", "researcher",
                        {"study_id": study.study_id})
    assert response.status_code == 200 and response.get_json()["disclosure"]["applied"]
    run = entries(api, "representativeness")[-1]
    assert (run["user"], run["study_id"], run["outcome"]) == (
        "researcher", study.study_id, "ok")
    assert run["criteria_hash"] == listed[0]["versions"][0]["criteria_hash"]


def test_invite_lists_and_invitations_name_their_patients(api):
    sponsor, admin = api.user("sponsor"), api.user("admin")
    study = api.services.create_study(sponsor, CRITERIA)
    api.services.approve_study(admin, study.study_id)
    url = f"/api/v1/studies/{study.study_id}"
    assert api.get(f"{url}/invites?format=csv", "practice").status_code == 200
    assert api.get(f"{url}/invites", "practice2").status_code == 200
    # practice 1's eligible women, and practice 2's less the opted-out and the dead
    assert [e["patient_ids"] for e in entries(api, "invites.download")] == [list(PRACTICE_1)]
    assert [e["patient_ids"] for e in entries(api, "invites.view")] == [list(PRACTICE_2)]
    assert api.post(f"{url}/invitations", "practice",
                    {"patient_ids": [3, 1]}).status_code == 201
    assert api.post(f"{url}/invitations", "practice",
                    {"patient_ids": [1, 2]}).status_code == 201  # 1 was recorded already
    assert api.post(f"{url}/invitations", "practice",
                    {"patient_ids": [21]}).status_code == 400  # not on this practice's list
    asked = [e["patient_ids"] for e in entries(api, "invitations.record", "start")]
    done = [(e["patient_ids"], e["outcome"]) for e in entries(api, "invitations.record")]
    assert asked == [[1, 3], [1, 2], [21]]
    assert done == [([1, 3], "ok"), ([2], "ok"), ([21], "not_on_list")]
    download = entries(api, "invites.download")[0]
    assert download["criteria_text"] == CRITERIA and download["study_id"] == study.study_id


def test_every_action_has_a_start_and_an_end_linked_to_it(api):
    assert api.post("/api/v1/feasibility", "sponsor", {"criteria": CRITERIA}).status_code == 200
    assert api.post("/api/v1/feasibility", "practice", {"criteria": CRITERIA}).status_code == 403
    starts = entries(api, "feasibility", "start")
    ends = entries(api, "feasibility")
    assert [e["start_id"] for e in ends] == [s["id"] for s in starts]
    assert [(e["user"], e["outcome"], e["status"]) for e in ends] == [
        ("sponsor", "ok", 200), ("practice", "forbidden", 403)]
    assert all(s["id"] < e["id"] for s, e in zip(starts, ends, strict=True))
    assert {e["criteria_text"] for e in starts + ends} == {CRITERIA}
