"""The sponsor's criteria workbench in a browser: live errors, a run, exports, saving."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys

from dashboards.theme import format_count
from dashboards.workbench import ids
from tests.dashboard.conftest import WAIT, screenshot
from tests.dashboard.store import BAD_CRITERIA, CRITERIA

pytestmark = pytest.mark.browser


def set_text(duo, text: str) -> None:
    """Replace the editor's text as a user would (select all, type)."""
    area = duo.find_element(f"#{ids.TEXT}")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(text)


def wait_for_file(folder, suffix: str, timeout: float = WAIT):
    """The first file in ``folder`` ending in ``suffix`` once the download has finished."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file downloaded into {folder}")


def run(signed_in, flask_app, test_store, text: str, wait_for: str):
    """Run ``text`` in the workbench as sponsor1; the driver and the API's answer to it."""
    duo = signed_in("sponsor1")
    duo.wait_for_element(f"#{ids.TEXT}", timeout=WAIT)
    set_text(duo, text)
    duo.wait_for_element("#wb-check-ok", timeout=WAIT)
    duo.find_element(f"#{ids.RUN}").click()
    duo.wait_for_element(wait_for, timeout=WAIT)
    api = flask_app.test_client().post(
        "/api/v1/feasibility", json={"criteria": text},
        headers={"Authorization": f"Bearer {test_store.tokens['sponsor1']}"}).get_json()
    return duo, api


def test_criteria_error_is_shown_at_its_line(signed_in):
    duo = signed_in("sponsor1")
    duo.wait_for_element(f"#{ids.TEXT}", timeout=WAIT)
    set_text(duo, BAD_CRITERIA)
    duo.wait_for_text_to_equal("#wb-check-where", "Line 3, column 20:", timeout=WAIT)
    assert "number" in duo.find_element("#wb-check-message").text
    screenshot(duo, "workbench-error", height=900)


def test_run_matches_the_api_and_exports(signed_in, flask_app, test_store, tmp_path):
    duo, api = run(signed_in, flask_app, test_store, CRITERIA, f"#{ids.ELIGIBLE_COUNT}")
    assert duo.find_element(f"#{ids.ELIGIBLE_COUNT}").text == format_count(api["eligible"])
    assert duo.find_element(f"#{ids.BASE_COUNT}").text == format_count(api["base"])
    assert api["eligible"] is not None
    # every figure drew, and the practice table lists the API's practices
    for graph in (ids.FUNNEL, ids.IMPACT, ids.REGION, ids.NATION):
        duo.wait_for_element(f"#{graph} .main-svg", timeout=WAIT)
    codes = {c["group"] for c in api["breakdowns"]["practice"]
             if c["count"] or c["suppressed"]}
    shown = {td.text for td in duo.find_elements(
        f"#{ids.PRACTICES} td[data-dash-column=ods_code]")}
    assert shown == codes
    screenshot(duo, "workbench")

    duo.find_element(f"#{ids.EXPORT_JSON}").click()
    exported = json.loads(wait_for_file(Path(duo.download_path), ".json").read_text())
    assert exported["eligible"] == api["eligible"]
    duo.find_element(f"#{ids.EXPORT_CSV}").click()
    rows = list(csv.DictReader(io.StringIO(
        wait_for_file(Path(duo.download_path), ".csv").read_text())))
    assert {"section": "summary", "label": "eligible", "count": str(api["eligible"]),
            "suppressed": "no", "shown": format_count(api["eligible"])} in rows

    duo.find_element(f"#{ids.SAVE}").click()
    assert "awaiting" in duo.wait_for_element("#wb-saved-ok", timeout=WAIT).text or \
        "draft" in duo.find_element("#wb-saved-ok").text


DISTINCT = """study "Marker, structural zero and count"
include "Women": sex is female
include "England": nation in (England)
exclude "Centenarians": age >= 105
"""


def test_marker_structural_zero_and_count_look_different(signed_in, flask_app, test_store):
    duo, api = run(signed_in, flask_app, test_store, DISTINCT, f"#{ids.NATION} .main-svg")
    nations = {c["group"]: c for c in api["breakdowns"]["nation"]}
    assert nations["Wales"]["structural"] and nations["England"]["count"] > 7
    assert api["unique_impact"][2]["count"] is None  # nobody aged 105: "<8", not 0

    def shows(selector: str, text: str, times: int = 1) -> bool:
        # The figures may redraw after the first paint: read until the text is there.
        end = time.monotonic() + WAIT
        while time.monotonic() < end:
            try:
                if [e.text for e in duo.find_elements(selector)].count(text) >= times:
                    return True
            except StaleElementReferenceException:
                pass
            time.sleep(0.2)
        return False

    # the nations: England a bar with its number, the devolved nations "0 (structural)"
    assert shows(f"#{ids.NATION} .annotation-text", "0 (structural)", times=3)
    assert shows(f"#{ids.NATION} .bartext", format_count(nations["England"]["count"]))
    assert shows(f"#{ids.IMPACT} .annotation-text", "<8")  # the centenarians' impact
    screenshot(duo, "workbench-marker-structural")
