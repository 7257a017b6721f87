"""The forecast as a plotly figure, built by a pure function of ``Forecast.to_json()``.

Bars: patients newly eligible per month (a suppressed month has no bar and is labelled
"suppressed", never drawn as 0) and, for an acute-presentation trial, beside them the
patients presenting that month with the triggering record who meet the other rules. With a
projection, the title says the median months to the target and its interval. Colours are
Okabe-Ito (distinguishable with the common colour-vision deficiencies).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from dart.reports.palette import OKABE_ITO

BLUE, ORANGE, GREY = OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["grey"]


def _title(body: Mapping[str, Any]) -> str:
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


def _bars(body: Mapping[str, Any], field: str, name: str, colour: str) -> go.Bar:
    months = [m["month"] for m in body["months"]]
    counts = [m[field]["count"] for m in body["months"]]
    labels = ["suppressed" if m[field].get("suppressed") else "" for m in body["months"]]
    return go.Bar(x=months, y=counts, text=labels, textposition="outside",
                  marker_color=colour, name=name,
                  hovertemplate="%{x}: %{y}<extra>%{fullData.name}</extra>")


def forecast_figure(body: Mapping[str, Any]) -> go.Figure:
    """Monthly newly eligible (bars), presentations beside them for an acute trial, with
    the projection in the title."""
    figure = go.Figure(_bars(body, "newly_eligible", "newly eligible", BLUE))
    acute = bool(body["months"]) and "presenting" in body["months"][0]
    if acute:
        trigger = (body.get("trigger") or {}).get("label", "the trigger")
        figure.add_trace(_bars(body, "presenting", "presenting", ORANGE))
        figure.update_layout(legend_title_text=f"trigger rule: {trigger}")
    figure.update_layout(title=_title(body), xaxis_title="month (to the monthly index date)",
                         yaxis_title="patients", template="plotly_white",
                         showlegend=acute, barmode="group")
    figure.update_yaxes(rangemode="tozero", gridcolor=GREY)
    return figure
