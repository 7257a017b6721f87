"""The sponsor's "My studies" in a browser: the funnel row and the forecast figure."""

from __future__ import annotations

import pytest

from dashboards.studies import ids
from tests.dashboard.audit import timed
from tests.support.browser import WAIT, screenshot

pytestmark = pytest.mark.browser


def test_sponsor_sees_the_study_its_funnel_and_forecast(signed_in, test_store):
    duo = signed_in("sponsor1")
    forecast = f"#{ids.FORECAST} .main-svg"
    table = f"#{ids.TABLE} td[data-dash-column=eligible]"
    with timed("my studies: open until the forecast is drawn", duo, opens=forecast,
               also={"the studies table": table}):
        duo.driver.get(f"{signed_in.base}/dashboard/studies")
        duo.wait_for_element(forecast, timeout=WAIT)
    duo.wait_for_contains_text(f"#{ids.TABLE}", "Dashboard test study", timeout=WAIT)
    row = duo.find_element(f"#{ids.TABLE} td[data-dash-column=eligible]").text
    assert row == "<8" or int(row.replace(",", "")) >= 8  # disclosure-controlled
    duo.wait_for_element(f"#{ids.FORECAST} .main-svg", timeout=WAIT)
    duo.wait_for_contains_text(f"#{ids.FORECAST}", "time to 100 enrolled", timeout=WAIT)
    screenshot(duo, "my-studies")
