"""The researcher's representativeness view and the admin's approvals and audit log."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.wait import WebDriverWait

from dashboards.admin import ids as admin_ids
from dashboards.representativeness import ids as rep_ids
from tests.dashboard.audit import audit, timed
from tests.dashboard.store import CRITERIA
from tests.support.browser import WAIT, screenshot

pytestmark = pytest.mark.browser


# How many callback requests the page has sent so far (the browser's resource timings).
CALLBACK_REQUESTS = """return performance.getEntriesByType("resource")
    .filter(e => e.name.includes("_dash-update-component")).length"""


def wait_for_report(duo) -> None:
    """Wait until the three charts and the summary of a report are drawn (a chart's
    title: an empty chart, drawn before any report, has its axes but no title)."""
    for graph in (rep_ids.SHARES, rep_ids.RATIO, rep_ids.HEATMAP):
        duo.wait_for_element(f"#{graph} .main-svg .gtitle", timeout=WAIT)
    duo.wait_for_element("#rep-summary-list li", timeout=WAIT)


def approved_study(flask_app, test_store, title: str, criteria: str) -> int:
    """A new study, created by the sponsor and approved by the admin through the API."""
    client = flask_app.test_client()

    def bearer(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {test_store.tokens[name]}"}

    created = client.post("/api/v1/studies", json={"criteria": criteria, "title": title},
                          headers=bearer("sponsor1")).get_json()
    assert client.post(f"/api/v1/studies/{created['id']}/approve",
                       headers=bearer("admin1")).status_code == 200
    return created["id"]


def settled(duo, quiet: float = 2.5) -> int:
    """The number of callback requests sent, once none is pending and none more has been
    sent for ``quiet`` seconds."""
    count, since = -1, time.monotonic()
    end = since + WAIT
    while time.monotonic() < end:
        now = duo.driver.execute_script(CALLBACK_REQUESTS)
        if now != count or duo.redux_state_rqs:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return count
        time.sleep(0.1)
    raise AssertionError("the page kept sending callback requests")


def test_researcher_picks_an_approved_study(signed_in, flask_app, test_store):
    picked = approved_study(flask_app, test_store, "Researcher's pick",
                            CRITERIA.replace("Dashboard test study", "Picked study"))
    duo = signed_in("researcher1")
    duo.wait_for_element(f"#{rep_ids.STUDY}", timeout=WAIT)
    # the first approved study is preselected; pick the new one instead
    duo.wait_for_contains_text(f"#{rep_ids.STUDY}", "Dashboard test study", timeout=WAIT)
    duo.find_element(f"#{rep_ids.SOURCE} input[value='text']").click()
    duo.select_dcc_dropdown(f"#{rep_ids.STUDY}", f"Researcher's pick (#{picked}, approved)")
    # picking a study switches the source back to the study
    duo.wait_for_element(f"#{rep_ids.SOURCE} input[value='study']:checked", timeout=WAIT)
    assert duo.find_element(f"#{rep_ids.TEXT}").get_attribute("value") == ""
    with timed("representativeness: Run until the report is drawn", duo):
        duo.find_element(f"#{rep_ids.RUN}").click()
        wait_for_report(duo)  # drawn from the study's frozen criteria: the text area is empty
    # the same report again: answered from the report kept for this store
    drawn = duo.find_element(f"#{rep_ids.SUMMARY} h3")
    with timed("representativeness: Run the same study again (kept) until drawn", duo):
        duo.find_element(f"#{rep_ids.RUN}").click()
        WebDriverWait(duo.driver, WAIT).until(staleness_of(drawn))
        wait_for_report(duo)
    duo.wait_for_contains_text(f"#{rep_ids.SUMMARY} h3", "Picked study", timeout=WAIT)
    assert "disclosure-controlled" in duo.find_element(f"#{rep_ids.SUMMARY}").text
    assert "representation ratio against the target population" in duo.find_element(
        f"#{rep_ids.RATIO}").text
    audit(duo, "representativeness with a report")
    screenshot(duo, "representativeness")

    # switching dimension and reference is done in the browser: no request to the server,
    # once the rest of the run's figures have come (asked for when the browser is idle
    # after drawing the first ones, up to about 2.3 s later under load)
    sent = settled(duo)
    with timed("representativeness: switch the dimension to age band", duo):
        duo.select_dcc_dropdown(f"#{rep_ids.DIMENSION}", "Age band")
        duo.wait_for_contains_text(f"#{rep_ids.RATIO}", "Age band: representation ratio",
                                   timeout=WAIT)
    with timed("representativeness: switch the reference to the UK", duo):
        duo.select_dcc_dropdown(f"#{rep_ids.REFERENCE}", "UK population")
        duo.wait_for_contains_text(f"#{rep_ids.RATIO}", "against the UK population",
                                   timeout=WAIT)
    assert duo.driver.execute_script(CALLBACK_REQUESTS) == sent
    heatmap = duo.find_element(f"#{rep_ids.HEATMAP}").text
    assert "vs UK population" in heatmap and "-0.00" not in heatmap
    # the criteria allow ages 40 to 80 (and 18+ in the population): the bands below 40
    # are excluded by design, said as such, and never flagged
    assert "excluded by criteria" in duo.find_element(f"#{rep_ids.RATIO}").text
    assert "35-39" in duo.find_element(f"#{rep_ids.BY_DESIGN}").text
    assert "35-39" not in duo.find_element(f"#{rep_ids.GAPS}").text
    audit(duo, "representativeness after switching")


def test_researcher_pastes_criteria(signed_in):
    duo = signed_in("researcher1")
    area = duo.wait_for_element(f"#{rep_ids.TEXT}", timeout=WAIT)
    duo.find_element(f"#{rep_ids.SOURCE} input[value='text']").click()
    area.send_keys(CRITERIA.replace("Dashboard test study", "Pasted study"))
    duo.find_element(f"#{rep_ids.RUN}").click()
    wait_for_report(duo)
    duo.wait_for_contains_text(f"#{rep_ids.SUMMARY} h3", "Pasted study", timeout=WAIT)
    # switched at once, likely before the report's other figures have come (the Run sends
    # those shown first): the chart shown is the one picked, once they have
    duo.select_dcc_dropdown(f"#{rep_ids.DIMENSION}", "Ethnic group")
    duo.wait_for_contains_text(f"#{rep_ids.RATIO}", "Ethnic group: representation ratio",
                               timeout=WAIT)
    duo.wait_for_contains_text(f"#{rep_ids.SHARES}", "Ethnic group: eligible cohort",
                               timeout=WAIT)


def test_admin_approves_a_study_and_sees_it_audited(signed_in, flask_app, test_store):
    sponsor = flask_app.test_client().post(
        "/api/v1/studies", json={"criteria": CRITERIA, "title": "Awaiting approval"},
        headers={"Authorization": f"Bearer {test_store.tokens['sponsor1']}"})
    study_id = sponsor.get_json()["id"]
    duo = signed_in("admin1")
    duo.wait_for_element(f"#{admin_ids.PENDING}", timeout=WAIT)
    duo.find_element(f"#{admin_ids.STUDY} input[value='{study_id}']").click()
    audit(duo, "administration")
    screenshot(duo, "admin")
    with timed("administration: approve a study until it says so", duo):
        duo.find_element(f"#{admin_ids.APPROVE}").click()
        duo.wait_for_contains_text(f"#{admin_ids.MESSAGE}",
                                   f"Study {study_id} is now approved", timeout=WAIT)
    actions = [td.text for td in duo.find_elements(
        f"#{admin_ids.AUDIT} td[data-dash-column=action]")]
    assert "study.approve" in actions
