"""The sponsor's criteria workbench in a browser: live errors, a run, exports, saving."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.wait import WebDriverWait

from dart_vocab import REGIONS
from dashboards.counts import format_count
from dashboards.workbench import ids
from dashboards.workbench.geography import boundaries
from dashboards.workbench.model import DIMENSIONS
from tests.dashboard.audit import audit, timed
from tests.dashboard.store import BAD_CRITERIA, CRITERIA
from tests.support.browser import WAIT, screenshot

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


# Moves the mouse over a point of the map (longitude, latitude) as the browser places it.
HOVER = """
const gd = document.querySelector(arguments[0]);
gd.scrollIntoView({block: "center"});
const L = gd._fullLayout, box = gd.getBoundingClientRect();
const x = box.left + L.xaxis._offset + L.xaxis.l2p(arguments[1]);
const y = box.top + L.yaxis._offset + L.yaxis.l2p(arguments[2]);
document.elementFromPoint(x, y).dispatchEvent(
    new MouseEvent("mousemove", {clientX: x, clientY: y, bubbles: true}));
"""


def hover_map(duo, lon: float, lat: float) -> list[str]:
    """What the map's hover label says over (lon, lat)."""
    duo.driver.execute_script(HOVER, f"#{ids.MAP} .js-plotly-plot", lon, lat)

    def shown() -> list[str]:
        return duo.driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]))"
            ".map(t => t.textContent)", f"#{ids.MAP} .hoverlayer text")

    until(shown, timeout=WAIT)
    texts = shown()
    duo.driver.execute_script("Plotly.Fx.unhover(document.querySelector(arguments[0]))",
                              f"#{ids.MAP} .js-plotly-plot")  # not in the screenshot
    return texts


def test_criteria_error_is_shown_at_its_line(signed_in):
    duo = signed_in("sponsor1")
    duo.wait_for_element(f"#{ids.TEXT}", timeout=WAIT)
    with timed("workbench: type criteria with an error until it is shown", duo):
        set_text(duo, BAD_CRITERIA)
        duo.wait_for_text_to_equal("#wb-check-where", "Line 3, column 20:", timeout=WAIT)
    assert "number" in duo.find_element("#wb-check-message").text
    # the gutter numbers the lines and marks the error's; the band behind the text shows
    duo.wait_for_text_to_equal(f"#{ids.GUTTER} .ln.err", "3", timeout=WAIT)
    assert len(duo.find_elements(f"#{ids.GUTTER} .ln")) == 4  # three lines and a last \n
    assert duo.find_element(f"#{ids.BAND}").is_displayed()
    audit(duo, "workbench with an error")
    screenshot(duo, "workbench-error", height=900)


def test_run_matches_the_api_and_exports(signed_in, flask_app, test_store, tmp_path):
    duo = signed_in("sponsor1")
    duo.wait_for_element(f"#{ids.TEXT}", timeout=WAIT)
    audit(duo, "workbench before a run")
    # Export before Run says why nothing was saved
    duo.find_element(f"#{ids.EXPORT_CSV}").click()
    assert "press Run first" in duo.wait_for_element("#wb-export-empty", timeout=WAIT).text
    set_text(duo, CRITERIA)
    duo.wait_for_element("#wb-check-ok", timeout=WAIT)
    with timed("workbench: Run until every chart is drawn", duo):
        duo.find_element(f"#{ids.RUN}").click()
        duo.wait_for_element(f"#{ids.ELIGIBLE_COUNT}", timeout=WAIT)
        for graph in (ids.FUNNEL, ids.IMPACT, ids.MAP, ids.BREAKDOWN):
            duo.wait_for_element(f"#{graph} .main-svg", timeout=WAIT)
    # Before and after in the same run: the same criteria again answer from the result kept
    # for this store, and the page, already showing it, says so and redraws nothing.
    drawn = duo.find_element(f"#{ids.ELIGIBLE_COUNT}")
    with timed("workbench: Run the same criteria again (kept) until it says so", duo):
        duo.find_element(f"#{ids.RUN}").click()
        duo.wait_for_element(f"#{ids.SAME}", timeout=WAIT)
    assert duo.find_element(f"#{ids.ELIGIBLE_COUNT}") == drawn  # not drawn again

    api = flask_app.test_client().post(
        "/api/v1/feasibility", json={"criteria": CRITERIA},
        headers={"Authorization": f"Bearer {test_store.tokens['sponsor1']}"}).get_json()
    eligible_shown = duo.find_element(f"#{ids.ELIGIBLE_COUNT}").text
    assert eligible_shown == format_count(api["eligible"], api["disclosure"])
    assert duo.find_element(f"#{ids.BASE_COUNT}").text == format_count(api["base"],
                                                                        api["disclosure"])
    assert api["eligible"] is not None
    # each breakdown, picked in turn, names every group the API returned for it; the
    # switch is made in the browser (no request)
    first, first_label = next(iter(DIMENSIONS.items()))  # shown after a Run
    for key, label in DIMENSIONS.items():
        title = f"Eligible patients by {label.lower()}"
        if key != first:
            with timed(f"workbench: switch the breakdown to {label.lower()}", duo):
                duo.find_element(f"#{ids.DIMENSION} input[value='{key}']").click()
                until(lambda t=title: t in duo.find_element(f"#{ids.BREAKDOWN}").text,
                      timeout=WAIT)
        assert title in duo.find_element(f"#{ids.BREAKDOWN}").text
        if key == "practice":
            continue  # the largest 20: the table below lists every practice
        text = duo.find_element(f"#{ids.BREAKDOWN}").text
        for cell in api["breakdowns"][key]:
            assert format_count(cell, api["disclosure"]) in text
    # back to the first, for the audit and the screenshot
    duo.find_element(f"#{ids.DIMENSION} input[value='{first}']").click()
    until(lambda: f"by {first_label.lower()}" in duo.find_element(f"#{ids.BREAKDOWN}").text,
          timeout=WAIT)
    # the map: one filled shape per region; the boundaries' attribution shown under it
    regions = duo.driver.execute_script(
        "return document.querySelector(arguments[0]).data.filter(t => t.fill === 'toself')"
        ".map(t => t.text)", f"#{ids.MAP} .js-plotly-plot")
    assert len(regions) == len(REGIONS)
    for cell in api["breakdowns"]["region"]:
        assert f"{cell['group']}: {format_count(cell, api['disclosure'])} eligible" in \
            next(r for r in regions if r.startswith(cell["group"] + ":"))
    london = next(c for c in api["breakdowns"]["region"] if c["group"] == "London")
    assert hover_map(duo, *boundaries().shapes["London"].label)[0].startswith(
        f"London: {format_count(london, api['disclosure'])} eligible")
    chart, source = duo.find_element(f"#{ids.MAP}"), duo.find_element(f"#{ids.MAP_SOURCE}")
    assert source.is_displayed() and "Open Government Licence v3.0" in source.text
    assert source.location["y"] >= chart.location["y"] + chart.size["height"] - 1
    codes = {c["group"] for c in api["breakdowns"]["practice"]
             if c["count"] or c["suppressed"]}
    shown = {td.text for td in duo.find_elements(
        f"#{ids.PRACTICES} td[data-dash-column=ods_code]")}
    assert shown == codes
    audit(duo, "workbench with results")
    screenshot(duo, "workbench")

    duo.find_element(f"#{ids.EXPORT_JSON}").click()
    exported = json.loads(wait_for_file(Path(duo.download_path), ".json").read_text())
    assert exported["eligible"] == api["eligible"]
    assert exported["breakdowns"] == api["breakdowns"]
    duo.find_element(f"#{ids.EXPORT_CSV}").click()
    rows = list(csv.DictReader(io.StringIO(
        wait_for_file(Path(duo.download_path), ".csv").read_text())))
    eligible = next(r for r in rows if r["section"] == "summary" and r["label"] == "eligible")
    assert eligible["count"] == str(api["eligible"])
    for key in DIMENSIONS:  # every breakdown, every group
        assert len([r for r in rows if r["section"] == key]) == len(api["breakdowns"][key])

    duo.find_element(f"#{ids.SAVE}").click()
    assert "awaiting" in duo.wait_for_element("#wb-saved-ok", timeout=WAIT).text or \
        "draft" in duo.find_element("#wb-saved-ok").text

    # a run with an error says so and keeps the results of the last run that worked
    set_text(duo, BAD_CRITERIA)
    duo.wait_for_text_to_equal("#wb-check-where", "Line 3, column 20:", timeout=WAIT)
    with timed("workbench: Run with an error until the error is shown", duo):
        duo.find_element(f"#{ids.RUN}").click()
        duo.wait_for_contains_text(f"#{ids.STATUS}", "last run that worked", timeout=WAIT)
    assert duo.find_element(f"#{ids.ELIGIBLE_COUNT}").text == eligible_shown


# Hand-made: its code set holds t2dm's 44054006 (in the generated records) and 73211009
# (diabetes mellitus), which the generator never writes.
QUALITY_CRITERIA = """study "Data quality check"
index date 2026-06-30
codelist diabetes_typed = snomed("44054006", "73211009")
include "Aged 40 to 80": age between 40 and 80
include "Diabetes": has diabetes_typed
"""


def test_the_data_quality_panel_beside_the_counts(signed_in, flask_app, test_store):
    duo = signed_in("sponsor1")
    duo.wait_for_element(f"#{ids.TEXT}", timeout=WAIT)
    set_text(duo, QUALITY_CRITERIA)
    duo.wait_for_element("#wb-check-ok", timeout=WAIT)
    with timed("workbench: Run until the data-quality panel is drawn", duo):
        duo.find_element(f"#{ids.RUN}").click()
        duo.wait_for_element(f"#{ids.NOT_UP_TO_STANDARD}", timeout=WAIT)
    duo.wait_for_contains_text(f"#{ids.NEVER_SEEN}", "73211009 (diabetes_typed)",
                               timeout=WAIT)
    # the sentence's figures are the API's own (disclosed) ones
    services = flask_app.extensions["dart"]
    expected = services.trial_profile(services.get_user("sponsor1"), QUALITY_CRITERIA)
    assert expected["practices_not_up_to_standard"]  # the generator flaws some practices
    sentence = duo.find_element(f"#{ids.NOT_UP_TO_STANDARD}").text
    poor, eligible = expected["eligible_not_up_to_standard"], expected["eligible"]
    assert f"Of the {format_count(eligible, expected['disclosure'])} eligible" in sentence
    if poor is not None and eligible:
        assert f"{format_count(poor, expected['disclosure'])} ({100 * poor / eligible:.1f}%)" \
            in sentence
    for ods in expected["practices_not_up_to_standard"]:
        assert ods in sentence
    shown = {td.text for td in duo.find_elements(f"#{ids.CODES} td[data-dash-column=code]")}
    assert shown == {c["code"] for c in expected["codes"]} and "73211009" not in shown
    audit(duo, "workbench with the data-quality panel")
    # the same criteria again: the kept result answers
    # other criteria, then these again: counted from the kept result, drawn anew
    set_text(duo, CRITERIA)
    duo.wait_for_element("#wb-check-ok", timeout=WAIT)
    duo.find_element(f"#{ids.RUN}").click()
    until(lambda: duo.driver.execute_script(
        "const p = document.getElementById(arguments[0]);"
        "return p !== null && !p.textContent.includes('73211009')", ids.NEVER_SEEN),
        timeout=WAIT)  # read in the page: the panel is redrawn meanwhile
    set_text(duo, QUALITY_CRITERIA)
    duo.wait_for_element("#wb-check-ok", timeout=WAIT)
    drawn = duo.find_element(f"#{ids.NOT_UP_TO_STANDARD}")
    with timed("workbench: Run earlier criteria again (kept result) until the panel is drawn",
               duo):
        duo.find_element(f"#{ids.RUN}").click()
        WebDriverWait(duo.driver, WAIT).until(staleness_of(drawn))  # drawn anew
        duo.wait_for_contains_text(f"#{ids.NEVER_SEEN}", "73211009", timeout=WAIT)


def test_example_picker_works_by_keyboard(signed_in):
    """The dropdown is reached with Tab (its focus proxy is out of the tab order, see
    dashboards/assets/a11y.js) and opened and used with the keyboard."""
    duo = signed_in("sponsor1")
    area = duo.wait_for_element(f"#{ids.TEXT}", timeout=WAIT)
    first = area.get_attribute("value")
    duo.driver.execute_script("document.getElementById('app-logout').focus()")
    duo.driver.switch_to.active_element.send_keys(Keys.TAB)
    assert duo.driver.switch_to.active_element.get_attribute("id") == ids.EXAMPLE
    duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    duo.wait_for_element("[role=listbox] [role=option]", timeout=WAIT)
    # focus is on the chosen option now: the next one down, then Enter picks it
    until(lambda: duo.driver.switch_to.active_element.get_attribute("checked"), timeout=WAIT)
    chosen = duo.driver.switch_to.active_element.get_attribute("value")
    duo.driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    until(lambda: duo.driver.switch_to.active_element.get_attribute("value") not in (
        chosen, None), timeout=WAIT)
    duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    until(lambda: duo.find_element(f"#{ids.TEXT}").get_attribute("value") != first,
          timeout=WAIT)
