"""Signing in: each role reaches its own view only; the checks are on the server."""

from __future__ import annotations

import pytest
import requests
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from dashboards.invites import ids as invite_ids
from dashboards.workbench import ids as wb_ids
from tests.dashboard.audit import audit
from tests.dashboard.helpers import call_callback, outputs_of, session_cookies
from tests.dashboard.store import CRITERIA
from tests.support.browser import WAIT, screenshot

pytestmark = pytest.mark.browser

HOME = {"sponsor1": "#workbench-page", "researcher1": "#representativeness-page",
        "practice1": "#invites-page", "admin1": "#admin-page"}
MENU = {"sponsor1": ["Criteria workbench", "My studies"], "researcher1": ["Representativeness"],
        "practice1": ["Invite lists"], "admin1": ["Administration"]}


def test_each_role_signs_in_to_its_own_view(signed_in):
    for name, page in HOME.items():
        duo = signed_in(name, until=page)  # timed from the button pressed to the view drawn
        links = [a.text for a in duo.find_elements("#app-nav a")]
        assert links == MENU[name]
        audit(duo, f"{name}'s first view")
    duo.find_element("#app-logout").click()
    duo.wait_for_element("#login-name", timeout=WAIT)
    audit(duo, "sign-in form")
    screenshot(duo, "login")


def test_sign_in_by_keyboard(signed_in, test_store):
    duo = signed_in("practice1")
    duo.find_element("#app-logout").click()
    name = duo.wait_for_element("#login-name", timeout=WAIT)  # focused on load
    # the focus is set once the form has rendered, a moment after the element appears
    until(lambda: duo.driver.switch_to.active_element == name, timeout=WAIT)
    name.send_keys("admin1", Keys.TAB)
    duo.driver.switch_to.active_element.send_keys(test_store.tokens["admin1"], Keys.ENTER)
    duo.wait_for_contains_text("#app-who", "admin1", timeout=WAIT)


def test_wrong_secret_is_refused(signed_in, test_store):
    duo = signed_in("sponsor1", secret=test_store.tokens["admin1"])  # another user's token
    assert "wrong token" in duo.wait_for_element("#login-error", timeout=WAIT).text
    duo.driver.get(f"{signed_in.base}/dashboard/workbench")
    duo.wait_for_element("#login-name", timeout=WAIT)  # anonymous visitors are sent to the form


def test_practice_user_cannot_open_other_views(signed_in, flask_app):
    duo = signed_in("practice1")
    for view in ("workbench", "representativeness", "admin"):
        duo.driver.get(f"{signed_in.base}/dashboard/{view}")
        duo.wait_for_contains_text("#app-denied", "cannot open", timeout=WAIT)
        assert not duo.find_elements("#workbench-page")
    # a hand-made request for the workbench's run callback does nothing on the server
    response = call_callback(
        duo, signed_in.base,
        outputs=outputs_of(flask_app.dash, f"{wb_ids.RESULT}.data"),
        inputs=[(wb_ids.RUN, "n_clicks", 1)],
        state=[(wb_ids.TEXT, "value", CRITERIA), (wb_ids.RESULT, "data", None)])
    assert response.status_code == 204, response.text[:200]


def test_server_check_allows_the_right_role(signed_in, test_store):
    duo = signed_in("practice2")
    allowed = call_callback(duo, signed_in.base, [(invite_ids.DOWNLOAD, "data")],
                            [(invite_ids.DOWNLOAD_BUTTON, "n_clicks", 1)],
                            [(invite_ids.STUDY, "value", test_store.study_id)])
    assert allowed.status_code == 200
    duo = signed_in("sponsor1")
    refused = call_callback(duo, signed_in.base, [(invite_ids.DOWNLOAD, "data")],
                            [(invite_ids.DOWNLOAD_BUTTON, "n_clicks", 1)],
                            [(invite_ids.STUDY, "value", test_store.study_id)])
    assert refused.status_code == 204


def test_sign_out_ends_the_session_under_the_strict_headers(signed_in, flask_app):
    duo = signed_in("admin1")
    duo.wait_for_element("#admin-page", timeout=WAIT)
    duo.wait_for_element("#adm-usage", timeout=WAIT)  # the query-budget table
    # the page ran under the full policy: no script or style was refused
    refused = [e for e in duo.get_logs() or [] if "Content Security Policy" in e["message"]]
    assert refused == []
    answer = requests.get(f"{signed_in.base}/dashboard/", cookies=session_cookies(duo),
                          timeout=30)
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"] == "no-store"
    copied = session_cookies(duo)
    duo.find_element("#app-logout").click()  # a POST carrying the CSRF token
    duo.wait_for_element("#login-name", timeout=WAIT)
    # the copied cookie no longer opens anything: the session is gone from the server
    replay = requests.get(f"{signed_in.base}/dashboard/admin", cookies=copied, timeout=30,
                          allow_redirects=False)
    assert replay.status_code == 302 and replay.headers["Location"].endswith("/login")
    call = call_callback(duo, signed_in.base, outputs_of(flask_app.dash, "adm-audit.data"),
                         [("adm-approve", "n_clicks", 1), ("adm-close", "n_clicks", 0)],
                         [("adm-study", "value", 1)], cookies=copied)
    assert call.status_code == 204  # past the CSRF check, but nobody: nothing approved
