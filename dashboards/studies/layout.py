"""Layout of the sponsor's "My studies": pure functions of the studies' JSON.

Each study's funnel totals come disclosure-controlled from the services: a suppressed count
shows as the disclosure marker (e.g. "<8"), never as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dash_table, dcc, html

from dashboards.studies import ids
from dashboards.theme import FONT, GRAPH

STAGES = ("eligible", "invited", "responded", "enrolled")
COLUMNS = [{"name": n, "id": i} for n, i in (
    ("Id", "id"), ("Title", "title"), ("Status", "status"), ("Approved version", "version"),
    ("Eligible", "eligible"), ("Invited", "invited"), ("Responded", "responded"),
    ("Enrolled", "enrolled"))]


def marker(disclosure: Mapping[str, Any] | None) -> str:
    """How a suppressed count is shown: the result's marker, else "<threshold+1"."""
    disclosure = disclosure or {}
    if disclosure.get("marker"):
        return disclosure["marker"]
    return f"<{disclosure.get('threshold', 7) + 1}"


def study_rows(studies: Sequence[Mapping[str, Any]]) -> list[dict]:
    """One row per study; the funnel totals of approved ones (blank for the others)."""
    rows = []
    for s in studies:
        row = {"id": s["id"], "title": s.get("title"), "status": s.get("status"),
               "version": s.get("approved_version") or ""}
        funnel = s.get("funnel") or {}
        shown = marker(funnel.get("disclosure"))
        for cell in funnel.get("total", []):
            row[cell["stage"]] = shown if cell.get("suppressed") else cell["count"]
        rows.append(row)
    return rows


def page(studies: Sequence[Mapping[str, Any]]) -> html.Div:
    """The "My studies" page."""
    approved = [s for s in studies if s.get("status") == "approved"]
    options = [{"label": f"#{s['id']} {s.get('title')}", "value": s["id"]} for s in approved]
    return html.Div([
        html.H2("My studies"),
        dash_table.DataTable(id=ids.TABLE, columns=COLUMNS, data=study_rows(studies),
                             sort_action="native", page_size=20,
                             style_cell={"fontFamily": FONT, "textAlign": "left",
                                         "padding": "4px"},
                             style_header={"fontWeight": "bold", "fontFamily": FONT}),
        html.H3("Forecast"),
        html.Div([
            html.Label("Study", htmlFor=ids.STUDY),
            dcc.Dropdown(id=ids.STUDY, options=options, clearable=False,
                         value=options[0]["value"] if options else None),
            html.Label("Target enrolled", htmlFor=ids.TARGET),
            dcc.Input(id=ids.TARGET, type="number", min=1, step=1, value=100, debounce=True),
        ], className="controls"),
        html.Div(id=ids.MESSAGE, role="status", **{"aria-live": "polite"}),
        dcc.Loading(dcc.Graph(id=ids.FORECAST, figure={}, **GRAPH)),
    ], className="panel", id="studies-page")
