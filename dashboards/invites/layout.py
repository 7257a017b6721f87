"""Layout of the practice's invite lists: pure functions of plain data.

A practice user only ever sees their own practice's patients: the study list and the rows
come from the backend, which filters by the signed-in user's practice; nothing here takes
a practice id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dash_table, dcc, html

from dashboards.invites import ids
from dashboards.theme import FONT

# Columns shown, in order, when the list has them (the list's own extra columns follow).
PREFERRED = ("patient_id", "nhs_number", "given_name", "family_name", "date_of_birth",
             "age", "sex", "invited_on", "checklist")
LABELS = {"patient_id": "Patient id", "nhs_number": "NHS number", "given_name": "Given name",
          "family_name": "Family name", "date_of_birth": "Date of birth", "age": "Age",
          "sex": "Sex", "invited_on": "Invited on", "checklist": "Checklist"}


def study_options(studies: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Dropdown options: one per approved study recruiting at this practice."""
    return [{"label": f"{s.get('title') or 'Study'} (#{s['id']})", "value": s["id"]}
            for s in studies]


def columns(rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Table columns for the rows: the preferred ones first, then the rest."""
    keys = list(rows[0]) if rows else list(PREFERRED[:7])
    ordered = [k for k in PREFERRED if k in keys] + [k for k in keys if k not in PREFERRED]
    return [{"name": LABELS.get(k, k.replace("_", " ").capitalize()), "id": k}
            for k in ordered]


def table_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Rows for the DataTable: lists (checklists) joined into text."""
    return [{k: "; ".join(map(str, v)) if isinstance(v, list | tuple) else v
             for k, v in row.items()} for row in rows]


def summary(rows: Sequence[Mapping[str, Any]]) -> str:
    """One line about the list."""
    return (f"{len(rows)} patients on the list. Patients invited recently (to any study) "
            "are left off; tick rows and mark them once invitations are sent.")


def page(studies: Sequence[Mapping[str, Any]]) -> html.Div:
    """The invite-list page for a practice user."""
    options = study_options(studies)
    if not options:
        return html.Div([html.H2("Invite lists"),
                         html.P("No approved study is recruiting at your practice.")],
                        className="panel", id="invites-page")
    return html.Div([
        html.H2("Invite lists"),
        html.Label("Study", htmlFor=ids.STUDY),
        dcc.Dropdown(id=ids.STUDY, options=options, value=options[0]["value"],
                     clearable=False),
        html.P(id=ids.SUMMARY, className="muted"),
        dcc.Loading(dash_table.DataTable(
            id=ids.TABLE, columns=columns([]), data=[], row_selectable="multi",
            selected_rows=[], sort_action="native", page_size=20,
            style_cell={"fontFamily": FONT, "textAlign": "left", "padding": "4px"},
            style_header={"fontWeight": "bold", "fontFamily": FONT},
        )),
        html.Div([
            html.Button("Download CSV", id=ids.DOWNLOAD_BUTTON, n_clicks=0,
                        className="primary"),
            html.Button("Mark selected as invited", id=ids.MARK, n_clicks=0),
            dcc.Download(id=ids.DOWNLOAD),
        ], className="buttons"),
        html.Div(id=ids.MESSAGE, role="status", **{"aria-live": "polite"}),
    ], className="panel", id="invites-page")
