"""Layout of the administration view: studies awaiting approval and the audit log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dash_table, dcc, html

from dashboards.admin import ids
from dashboards.theme import FONT

STUDY_COLUMNS = [{"name": n, "id": i} for n, i in (
    ("Id", "id"), ("Title", "title"), ("Status", "status"), ("Created", "created_at"),
    ("Versions", "versions"))]
AUDIT_COLUMNS = [{"name": n, "id": i} for n, i in (
    ("Id", "id"), ("At (UTC)", "at"), ("User", "user"), ("Role", "role"),
    ("Phase", "phase"), ("Action", "action"), ("Outcome", "outcome"), ("Status", "status"),
    ("Client", "client"), ("Request", "detail"),
    ("Study", "study_id"), ("Practice", "practice_id"), ("Rows", "row_count"))]
USAGE_COLUMNS = [{"name": n, "id": i} for n, i in (
    ("User", "name"), ("Role", "role"), ("Queries used", "used"), ("Remaining", "remaining"),
    ("Next query in (s)", "retry_after"))]
TABLE_STYLE = {"style_cell": {"fontFamily": FONT, "textAlign": "left", "padding": "4px"},
               "style_header": {"fontWeight": "bold", "fontFamily": FONT}}


def study_rows(studies: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Rows of the pending-studies table."""
    return [{"id": s["id"], "title": s.get("title"), "status": s.get("status"),
             "created_at": s.get("created_at"), "versions": len(s.get("versions") or [])}
            for s in studies]


def study_options(studies: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Dropdown options for choosing a study to approve or close."""
    return [{"label": f"#{s['id']} {s.get('title')}", "value": s["id"]} for s in studies]


def audit_rows(entries: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Rows of the audit table (only the shown columns)."""
    keys = [c["id"] for c in AUDIT_COLUMNS]
    return [{k: e.get(k) for k in keys} for e in entries]


def usage_rows(usage: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Rows of the query-budget table (only the shown columns)."""
    keys = [c["id"] for c in USAGE_COLUMNS]
    return [{k: u.get(k) for k in keys} for u in usage]


def review(found: Mapping[str, Any] | None) -> list:
    """The chosen study laid out for approval: sponsor, criteria text and its plain-English
    reading, exact feasibility counts now, and the change from the version before."""
    if not found:
        return [html.P("Choose a study to review.", className="muted")]
    counts = found.get("counts") or {}
    parts = [
        html.H3(f"#{found['id']} {found.get('title')}"),
        html.P(f"Sponsor {found.get('sponsor') or 'unknown'}; version {found['version']} of "
               f"{found['versions']}; {found.get('status')}."),
        html.H4("Criteria"), html.Pre(found.get("criteria", ""), className="criteria"),
        html.H4("In plain English"), html.Ul([html.Li(line) for line in found["english"]]),
        html.H4("Feasibility now (exact)"),
        html.P(", ".join(f"{k} {v:,}" for k, v in counts.items() if v is not None)
               or found.get("error", "not available")),
    ]
    if found.get("diff"):
        parts += [html.H4("Changes from the previous version"),
                  html.Pre("\n".join(found["diff"]), className="diff")]
    return parts


def page(pending: Sequence[Mapping[str, Any]], audit: Sequence[Mapping[str, Any]],
         usage: Sequence[Mapping[str, Any]] = ()) -> html.Div:
    """The administration page."""
    options = study_options(pending)
    return html.Div([
        html.Section([
            html.H2("Studies awaiting approval"),
            dash_table.DataTable(id=ids.PENDING, columns=STUDY_COLUMNS,
                                 data=study_rows(pending), sort_action="native",
                                 page_size=10, **TABLE_STYLE),
            html.Fieldset([
                html.Legend("Study to approve or close"),
                dcc.RadioItems(id=ids.STUDY, options=options, className="choices",
                               value=options[0]["value"] if options else None),
            ]),
            html.Div(id=ids.REVIEW, className="review"),
            html.Div([html.Button("Approve", id=ids.APPROVE, n_clicks=0, className="primary"),
                      html.Button("Close", id=ids.CLOSE, n_clicks=0)], className="buttons"),
            html.Div(id=ids.MESSAGE, role="status", **{"aria-live": "polite"}),
        ], className="panel"),
        html.Section([
            html.H2("Query budget use"),
            html.P("Feasibility and representativeness answers per user in the current "
                   "window (docs/query-budget.md).", className="muted"),
            dash_table.DataTable(id=ids.USAGE, columns=USAGE_COLUMNS, data=usage_rows(usage),
                                 sort_action="native", page_size=15, **TABLE_STYLE),
        ], className="panel"),
        html.Section([
            html.H2("Audit log"),
            dash_table.DataTable(id=ids.AUDIT, columns=AUDIT_COLUMNS, data=audit_rows(audit),
                                 sort_action="native", filter_action="native",
                                 page_size=15, **TABLE_STYLE),
        ], className="panel"),
    ], id="admin-page")
