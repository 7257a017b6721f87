"""The forecast figure from a forecast's JSON."""

from __future__ import annotations

from dart.reports.forecast_figure import forecast_figure

BODY = {"months": [
    {"month": "2026-05", "newly_eligible": {"count": 20}},
    {"month": "2026-06", "newly_eligible": {"count": None, "suppressed": True}},
], "projection": {"target": 100, "months_to_target": {
    "median": 7, "low": 6, "high": None, "horizon": 120}}}


def test_bars_per_month_and_suppressed_months_labelled():
    figure = forecast_figure(BODY)
    bar = figure.data[0]
    assert list(bar.x) == ["2026-05", "2026-06"] and list(bar.y) == [20, None]
    assert list(bar.text) == ["", "suppressed"]
    assert figure.layout.title.text.endswith("7 months (80% interval 6 to >120)")


def test_without_a_projection_or_a_reachable_target():
    assert "time to" not in forecast_figure({**BODY, "projection": None}).layout.title.text
    never = {**BODY, "projection": {"target": 9, "months_to_target": {
        "median": None, "low": None, "high": None, "horizon": 120}}}
    assert "not reached within 120 months" in forecast_figure(never).layout.title.text
