"""The server's defences, through a test client: security headers on every answer, sessions
that end at sign-out, CSRF and Origin checks on every dashboard POST, logout by POST only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dart.store.app_tables import dashboard_sessions
from dashboards.workbench import ids as wb_ids
from tests.support.api import CRITERIA, make_site
from tests.unit.dashboards.helpers import csrf_token

DASH_CALLBACK = "/dashboard/_dash-update-component"


@pytest.fixture
def site(tmp_path, library):
    app, tokens, engine = make_site(tmp_path, library)
    yield app, tokens, engine
    engine.dispose()


def sign_in(client, tokens, name: str = "sponsor"):
    return client.post("/dashboard/login", data={"name": name, "secret": tokens[name],
                                                 "csrf_token": csrf_token(client)})


def run_callback(client, headers: dict | None = None):
    """The workbench's run callback, as Dash's renderer posts it."""
    outputs = [(wb_ids.RESULT, "data"), (wb_ids.RESULTS, "children"),
               (wb_ids.STATUS, "children"), (wb_ids.INTRO, "hidden"), (wb_ids.RAN, "data")]
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": wb_ids.RUN, "property": "n_clicks", "value": 1}],
            "state": [{"id": wb_ids.TEXT, "property": "value", "value": CRITERIA},
                      {"id": wb_ids.RESULT, "property": "data", "value": None}],
            "changedPropIds": [f"{wb_ids.RUN}.n_clicks"]}
    return client.post(DASH_CALLBACK, json=body, headers=headers or {})


def csrf_header(client) -> dict:
    return {"X-CSRFToken": client.get_cookie("_csrf_token", path="/dashboard/").value}


def assert_secure(response, cached: bool = False) -> None:
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert (headers.get("Cache-Control") == "no-store") is not cached


def test_headers_on_api_and_dashboard_answers(site):
    app, tokens, _ = site
    client = app.test_client()
    auth = {"Authorization": f"Bearer {tokens['sponsor']}"}
    assert_secure(client.get("/api/v1/me", headers=auth))
    assert_secure(client.get("/api/v1/me"))  # a 401
    assert_secure(client.post("/api/v1/feasibility", json={"criteria": CRITERIA}, headers=auth))
    assert_secure(client.get("/dashboard/login"))
    sign_in(client, tokens)
    assert_secure(client.get("/dashboard/"))
    assert_secure(client.get("/dashboard/_dash-layout"))
    answer = run_callback(client, csrf_header(client))
    assert answer.status_code == 200 and "eligible" in answer.get_data(as_text=True)
    assert_secure(answer)
    assert_secure(client.get("/dashboard/assets/style.css"), cached=True)  # a static file


def test_a_replayed_cookie_is_refused_after_sign_out(site):
    app, tokens, engine = site
    client = app.test_client()
    assert sign_in(client, tokens).status_code == 302
    stolen = client.get_cookie("session").value
    stolen_csrf = csrf_header(client)  # whoever copies one cookie can copy the other
    assert client.get("/dashboard/workbench").status_code == 200
    out = client.post("/dashboard/logout", data={"csrf_token": csrf_token(client,
                                                                            "/dashboard/")})
    assert out.status_code == 302
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(dashboard_sessions)
                            ).scalar() == 0
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/dashboard/workbench").status_code == 302  # to the login form
    # past the CSRF check (the copied token matches the copied cookie), still nobody:
    assert run_callback(replay, stolen_csrf).status_code == 204  # the callback did nothing
    log = app.extensions["dart"].log
    assert log.read(action="feasibility") == []
    logged = log.read(action="dashboard.sign_out")
    assert [(e["phase"], e["user"], e["outcome"]) for e in logged] == [
        ("end", "sponsor", "ok"), ("start", "sponsor", None)]


def test_csrf_is_required_on_sign_in_and_every_callback(site):
    app, tokens, _ = site
    client = app.test_client()
    client.get("/dashboard/login")
    missing = client.post("/dashboard/login", data={"name": "sponsor",
                                                    "secret": tokens["sponsor"]})
    assert missing.status_code == 403 and missing.get_json()["error"]["code"] == "csrf_failed"
    assert client.get_cookie("session") is None or client.get("/dashboard/").status_code == 302
    sign_in(client, tokens)
    refused = run_callback(client)  # no X-CSRFToken header
    assert refused.status_code == 403
    forged = run_callback(client, {"X-CSRFToken": "forged"})
    assert forged.status_code == 403
    cross = run_callback(client, {**csrf_header(client), "Origin": "https://evil.example"})
    assert cross.status_code == 403 and cross.get_json()["error"]["code"] == "cross_origin"
    assert run_callback(client, csrf_header(client)).status_code == 200
    feasibility = app.extensions["dart"].log.read(action="feasibility")
    assert len(feasibility) == 2  # only the accepted callback ran (start and end)


def test_logout_by_get_is_refused(site):
    app, tokens, _ = site
    client = app.test_client()
    sign_in(client, tokens)
    # A GET (a link, an <img> on another page) reaches Dash's page route, not the logout:
    assert client.get("/dashboard/logout").status_code in (200, 405)
    assert client.get("/dashboard/workbench").status_code == 200  # still signed in
    assert app.extensions["dart"].log.read(action="dashboard.sign_out") == []
    assert client.post("/dashboard/logout").status_code == 403  # a POST without the token


def test_cookies_are_secure_when_asked(tmp_path, library):
    app, tokens, engine = make_site(tmp_path, library, SECURE_COOKIES=True)
    client = app.test_client()
    page = client.get("/dashboard/login", base_url="https://localhost")
    cookies = page.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "SameSite=Strict" in c for c in cookies)
    token = csrf_token(client)
    signed = client.post("/dashboard/login", base_url="https://localhost",
                         headers={"Referer": "https://localhost/dashboard/login"},
                         data={"name": "sponsor", "secret": tokens["sponsor"],
                               "csrf_token": token})
    assert signed.status_code == 302
    session = [c for c in signed.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert session and "Secure" in session[0] and "HttpOnly" in session[0]
    engine.dispose()
