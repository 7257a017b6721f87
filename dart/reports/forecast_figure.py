"""The forecast as a plotly figure's pieces (bars as trace dicts, layout, title), pure
functions of ``Forecast.to_json()``, which the dashboard draws in its own look.

Bars: patients newly eligible per month (a suppressed month has no bar and is labelled
"suppressed", never drawn as 0) and, for an acute-presentation trial, beside them the
patients presenting that month with the triggering record who meet the other rules. With a
projection, the title says the median months to the target and its interval. Colours are
Okabe-Ito (distinguishable with the common colour-vision deficiencies).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dart.reports.palette import OKABE_ITO

BLUE, ORANGE = OKABE_ITO["blue"], OKABE_ITO["orange"]


def forecast_title(body: Mapping[str, Any]) -> str:
    """The title: what the bars are and, with a projection, the time to the target."""
    projection = body.get("projection")
    if not projection:
        return "Patients newly meeting the criteria per month"
    months = projection["months_to_target"]
    if months["median"] is None:
        reach = f"not reached within {months['horizon']} months"
    else:
        high = months["high"] if months["high"] is not None else f">{months['horizon']}"
        reach = f"{months['median']} months (80% interval {months['low']} to {high})"
    return f"Newly eligible per month; time to {projection['target']} enrolled: {reach}"


X_TITLE, Y_TITLE = "month (to the monthly index date)", "patients"


def _bars(body: Mapping[str, Any], field: str, name: str, colour: str) -> dict:
    months = [m["month"] for m in body["months"]]
    counts = [m[field]["count"] for m in body["months"]]
    labels = ["suppressed" if m[field].get("suppressed") else "" for m in body["months"]]
    return {"type": "bar", "x": months, "y": counts, "text": labels,
            "textposition": "outside", "marker": {"color": colour}, "name": name,
            "hovertemplate": "%{x}: %{y}<extra>%{fullData.name}</extra>"}


def forecast_traces(body: Mapping[str, Any]) -> list[dict]:
    """The bars (as plotly trace dicts): newly eligible, and presenting for an acute
    trial."""
    traces = [_bars(body, "newly_eligible", "newly eligible", BLUE)]
    if _acute(body):
        traces.append(_bars(body, "presenting", "presenting", ORANGE))
    return traces


def _acute(body: Mapping[str, Any]) -> bool:
    return bool(body["months"]) and "presenting" in body["months"][0]


def forecast_layout(body: Mapping[str, Any]) -> dict:
    """The figure's own layout settings, titles apart (``forecast_title``, ``X_TITLE``,
    ``Y_TITLE``)."""
    layout: dict = {"showlegend": _acute(body), "barmode": "group",
                    "yaxis": {"rangemode": "tozero"}}
    if _acute(body):
        trigger = (body.get("trigger") or {}).get("label", "the trigger")
        layout["legend"] = {"title": {"text": f"trigger rule: {trigger}"}}
    return layout
