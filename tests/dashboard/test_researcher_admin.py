"""The researcher's representativeness view and the admin's approvals and audit log."""

from __future__ import annotations

import pytest

from dashboards.admin import ids as admin_ids
from dashboards.representativeness import ids as rep_ids
from tests.dashboard.conftest import WAIT, screenshot
from tests.dashboard.store import CRITERIA

pytestmark = pytest.mark.browser


def test_researcher_sees_representativeness(signed_in):
    duo = signed_in("researcher1")
    area = duo.wait_for_element(f"#{rep_ids.TEXT}", timeout=WAIT)
    area.send_keys(CRITERIA)
    duo.find_element(f"#{rep_ids.RUN}").click()
    for graph in (rep_ids.SHARES, rep_ids.RATIO, rep_ids.HEATMAP):
        duo.wait_for_element(f"#{graph} .main-svg", timeout=WAIT)
    duo.wait_for_element("#rep-summary-list li", timeout=WAIT)
    assert "Cohort compared" not in duo.find_element(f"#{rep_ids.SHARES}").text
    screenshot(duo, "representativeness")


def test_admin_approves_a_study_and_sees_it_audited(signed_in, flask_app, test_store):
    sponsor = flask_app.test_client().post(
        "/api/v1/studies", json={"criteria": CRITERIA, "title": "Awaiting approval"},
        headers={"Authorization": f"Bearer {test_store.tokens['sponsor1']}"})
    study_id = sponsor.get_json()["id"]
    duo = signed_in("admin1")
    duo.wait_for_element(f"#{admin_ids.PENDING}", timeout=WAIT)
    duo.find_element(f"#{admin_ids.STUDY} input[value='{study_id}']").click()
    screenshot(duo, "admin")
    duo.find_element(f"#{admin_ids.APPROVE}").click()
    duo.wait_for_contains_text(f"#{admin_ids.MESSAGE}",
                               f"Study {study_id} is now approved", timeout=WAIT)
    actions = [td.text for td in duo.find_elements(
        f"#{admin_ids.AUDIT} td[data-dash-column=action]")]
    assert "study.approve" in actions
