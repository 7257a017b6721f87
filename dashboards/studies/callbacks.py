"""Callbacks of the sponsor's "My studies" view."""

from __future__ import annotations

from dash import Dash, Input, Output
from dash.exceptions import PreventUpdate

from dart.reports.forecast_figure import (
    X_TITLE,
    Y_TITLE,
    forecast_layout,
    forecast_title,
    forecast_traces,
)
from dashboards.auth import backend, require
from dashboards.backend import BackendError
from dashboards.studies import ids
from dashboards.theme import styled_figure

ROLES = ("sponsor",)


def draw(study_id: int | None, target: int | None) -> tuple:
    """The forecast figure of a study, and a message (an error, or nothing)."""
    user = require(*ROLES)
    if study_id is None:
        raise PreventUpdate
    wanted = int(target) if target and int(target) >= 1 else None
    try:
        body = backend().forecast(user, int(study_id), wanted)
    except BackendError as exc:
        return {}, str(exc)
    # the dashboard's look in one step (no template copied in: docs/dashboard.md, "Speed")
    traces = forecast_traces(body)
    counts = [y for t in traces for y in t["y"] if y is not None]
    return styled_figure(traces, forecast_layout(body), forecast_title(body), X_TITLE,
                         Y_TITLE, labels=[f"{max(counts, default=0):,}"]), ""


def register(app: Dash) -> None:
    """Attach the view's callbacks to ``app``."""
    app.callback(Output(ids.FORECAST, "figure"), Output(ids.MESSAGE, "children"),
                 Input(ids.STUDY, "value"), Input(ids.TARGET, "value"))(draw)
