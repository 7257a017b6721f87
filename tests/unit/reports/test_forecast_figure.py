"""The forecast figure's pieces from a forecast's JSON (the dashboard draws them:
``tests/unit/dashboards/test_app.py``)."""

from __future__ import annotations

from dart.reports.forecast_figure import forecast_title, forecast_traces

BODY = {"months": [
    {"month": "2026-05", "newly_eligible": {"count": 20}},
    {"month": "2026-06", "newly_eligible": {"count": None, "suppressed": True}},
], "projection": {"target": 100, "months_to_target": {
    "median": 7, "low": 6, "high": None, "horizon": 120}}}


def test_bars_per_month_and_suppressed_months_labelled():
    (bar,) = forecast_traces(BODY)
    assert list(bar["x"]) == ["2026-05", "2026-06"] and list(bar["y"]) == [20, None]
    assert list(bar["text"]) == ["", "suppressed"]
    assert forecast_title(BODY).endswith("7 months (80% interval 6 to >120)")


def test_without_a_projection_or_a_reachable_target():
    assert "time to" not in forecast_title({**BODY, "projection": None})
    never = {**BODY, "projection": {"target": 9, "months_to_target": {
        "median": None, "low": None, "high": None, "horizon": 120}}}
    assert "not reached within 120 months" in forecast_title(never)
