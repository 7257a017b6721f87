"""Every request is audited before anything else runs, and guessing tokens or sign-ins is
locked out with 429 and ``Retry-After`` (per client address and per token or name)."""

from __future__ import annotations

import secrets

import pytest

from tests.functional.api.conftest import CRITERIA, HAND_STORE, make_api, make_site
from tests.functional.api.helpers import assert_error
from tests.support.tables import load_tables
from tests.unit.dashboards.helpers import csrf_token


def requests_logged(api) -> list[dict]:
    """Every request entry, oldest first, with its end entry's status beside its start
    (read from the log directly: the admin's own requests may be locked out here too)."""
    found = api.services.log.read(limit=10_000, action="request")
    ends = {e["start_id"]: e for e in found if e["phase"] == "end"}
    return [{**s, "status": ends[s["id"]]["status"] if s["id"] in ends else None,
             "outcome": ends[s["id"]]["outcome"] if s["id"] in ends else None}
            for s in found[::-1] if s["phase"] == "start"]


def test_300_bad_tokens_are_audited_and_locked_out(api):
    answers = [api.client.get("/api/v1/studies",
                              headers={"Authorization": f"Bearer dart_{secrets.token_hex(8)}"})
               for _ in range(300)]
    statuses = [a.status_code for a in answers]
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
    error = assert_error(answers[-1], 429, "rate_limited")
    wait = int(answers[-1].headers["Retry-After"])
    assert 0 < wait <= 600 and error["details"]["retry_after"] == wait
    logged = [e for e in requests_logged(api) if e["detail"] == "GET /api/v1/studies"]
    assert len(logged) == 300
    assert [e["status"] for e in logged] == statuses
    assert {e["client"] for e in logged} == {"127.0.0.1"} and {e["user"] for e in logged} == {None}
    # the address is locked out even with a good token: a guesser cannot tell it found one
    assert api.get("/api/v1/me", "sponsor").status_code == 429
    # another address is not
    other = api.client.get("/api/v1/me", headers=api.headers("sponsor"),
                           environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_one_bad_token_from_many_addresses_is_locked_out_too(api):
    token = {"Authorization": "Bearer dart_guessed"}
    statuses = [api.client.get("/api/v1/me", headers=token,
                               environ_base={"REMOTE_ADDR": f"10.0.1.{i}"}).status_code
                for i in range(25)]
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}


def test_the_request_rate_is_limited_per_token(sqlite_engine, library):

    load_tables(sqlite_engine, HAND_STORE)
    api = make_api(sqlite_engine, library, RATE_LIMIT_API="5 per minute")
    assert [api.get("/api/v1/me", "sponsor").status_code for _ in range(6)] == [200] * 5 + [429]
    assert api.get("/api/v1/me", "researcher").status_code == 200
    assert "Retry-After" in api.get("/api/v1/me", "sponsor").headers


def test_refused_input_is_audited(api):
    bad = [
        api.post("/api/v1/feasibility", "sponsor", {"criteria": 5}),            # wrong type
        api.post("/api/v1/feasibility", "sponsor", {"criteria": "x", "y": 1}),  # unknown field
        api.client.post("/api/v1/feasibility", data="{not json", headers={
            **api.headers("sponsor"), "Content-Type": "application/json"}),
        api.get("/api/v1/studies/abc", "sponsor"),                              # bad id
        api.get("/api/v1/me?x=1", "sponsor"),                                   # unknown arg
    ]
    assert {r.status_code for r in bad} == {400}
    logged = requests_logged(api)[-5:]
    assert [(e["status"], e["outcome"] != "ok") for e in logged] == [(400, True)] * 5
    assert logged[0]["detail"] == "POST /api/v1/feasibility"
    assert logged[3]["detail"] == "GET /api/v1/studies/abc"


def test_a_request_leaves_its_start_before_it_runs(api, monkeypatch):
    """A request that never finishes (here: the process dies in the run) leaves its start."""
    def die(*args, **kwargs):
        raise SystemExit("killed")  # not caught by any handler, like a crash

    monkeypatch.setattr("dart.app.analyses.run_feasibility", die)
    with pytest.raises(SystemExit):
        api.post("/api/v1/feasibility", "sponsor", {"criteria": CRITERIA})
    started = api.services.log.read(action="feasibility")
    assert [e["phase"] for e in started] == ["start"]  # no outcome: it never came
    assert started[0]["criteria_text"] == CRITERIA and started[0]["user"] == "sponsor"
    last = requests_logged(api)[-1]
    assert (last["detail"], last["status"]) == ("POST /api/v1/feasibility", None)


def test_sign_in_lockout_per_address_and_per_name(tmp_path, library):
    app, tokens, engine = make_site(tmp_path, library)
    client = app.test_client()

    def sign_in(secret: str, addr: str = "127.0.0.1"):
        token = csrf_token(client)
        return client.post("/dashboard/login", environ_base={"REMOTE_ADDR": addr},
                           data={"name": "sponsor", "secret": secret, "csrf_token": token})

    statuses = [sign_in("dart_wrong").status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    assert sign_in(tokens["sponsor"]).status_code == 429  # the right token, locked out
    # from elsewhere, the name is locked out too (guessing one account from many places)
    refused = sign_in(tokens["sponsor"], "10.0.0.7")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    engine.dispose()
