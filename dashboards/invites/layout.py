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
PREFERRED = ("new", "patient_id", "nhs_number", "given_name", "family_name", "date_of_birth",
             "age", "sex", "reasons", "invited_on", "checklist")
LABELS = {"new": "New", "patient_id": "Patient id", "nhs_number": "NHS number",
          "given_name": "Given name", "family_name": "Family name",
          "date_of_birth": "Date of birth", "age": "Age", "sex": "Sex",
          "reasons": "Why eligible", "invited_on": "Invited on", "checklist": "Checklist"}
STATUSES = (("invited", "Invited"), ("responded", "Responded"), ("declined", "Declined"),
            ("screened_out", "Screened out"), ("enrolled", "Enrolled"))
CHANNELS = (("letter", "Letter"), ("text_message", "Text message"), ("in_person", "In person"))
SEARCHED = ("patient_id", "nhs_number", "given_name", "family_name")


def nhs_display(number: str) -> str:
    """An NHS number as NHS Digital displays it: 3-3-4 digits (``999 123 4567``)."""
    digits = str(number)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def matches(row: Mapping[str, Any], search: str | None) -> bool:
    """Whether a patient matches the search text (id, NHS number with or without spaces,
    or a name; case-insensitive)."""
    text = (search or "").strip().lower().replace(" ", "")
    if not text:
        return True
    return any(text in str(row.get(k) or "").lower().replace(" ", "") for k in SEARCHED)


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


def _cell(key: str, value: Any) -> Any:
    if key == "nhs_number" and value:
        return nhs_display(value)
    if key == "new":
        return "new" if value else ""
    if key == "reasons" and isinstance(value, list | tuple):
        return "\n".join(f"{r['rule']}: {r['text']}" for r in value)
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    return value


def table_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Rows for the DataTable: NHS numbers spaced 3-3-4, reasons one per line, lists
    (checklists) joined into text."""
    return [{k: _cell(k, v) for k, v in row.items()} for row in rows]


def summary(rows: Sequence[Mapping[str, Any]], listing: Mapping[str, Any] | None = None) -> str:
    """One line about the list: how many, how many new since when, its dates."""
    listing = listing or {}
    new = sum(1 for r in rows if r.get("new"))
    since = listing.get("new_since")
    dates = (f" List date {listing['list_date']}, index date {listing['index_date']}."
             if listing.get("list_date") else "")
    fresh = f" {new} new since {since}." if since else ""
    return (f"{len(rows)} patients on the list.{fresh}{dates} Patients invited recently (to "
            "any study) are left off; select rows and record what happened to them.")


def criteria_text(listing: Mapping[str, Any] | None) -> list:
    """The criteria in plain English, one item per line."""
    lines = (listing or {}).get("criteria_english") or []
    return [html.Li(line) for line in lines]


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
        html.Details([html.Summary("The criteria in plain English"),
                      html.Ul(id=ids.CRITERIA)]),
        html.Div([
            html.Label("Search", htmlFor=ids.SEARCH),
            dcc.Input(id=ids.SEARCH, type="search", debounce=True,
                      placeholder="name, NHS number or patient id"),
            dcc.Checklist(id=ids.ONLY_NEW, options=[{"label": " new patients only",
                                                     "value": "new"}], value=[]),
        ], className="controls"),
        dcc.Loading(dash_table.DataTable(
            id=ids.TABLE, columns=columns([]), data=[], row_selectable="multi",
            selected_rows=[], sort_action="native", filter_action="native",
            page_size=100,
            style_cell={"fontFamily": FONT, "textAlign": "left", "padding": "4px",
                        "whiteSpace": "pre-line", "height": "auto"},
            style_header={"fontWeight": "bold", "fontFamily": FONT},
        )),
        html.Div([
            html.Button("Select all shown", id=ids.SELECT_ALL, n_clicks=0),
            html.Button("Clear selection", id=ids.SELECT_NONE, n_clicks=0),
        ], className="buttons"),
        html.Div([
            html.Label("Record for the selected", htmlFor=ids.STATUS),
            dcc.Dropdown(id=ids.STATUS, value="invited", clearable=False,
                         options=[{"label": t, "value": v} for v, t in STATUSES]),
            dcc.Dropdown(id=ids.CHANNEL, value="letter", clearable=True,
                         placeholder="channel (invited)",
                         options=[{"label": t, "value": v} for v, t in CHANNELS]),
            dcc.Input(id=ids.REASON, type="text", maxLength=500,
                      placeholder="reason (screened out)"),
        ], className="controls"),
        html.Div([
            html.Button("Download CSV", id=ids.DOWNLOAD_BUTTON, n_clicks=0,
                        className="primary"),
            html.Button("Record for selected", id=ids.MARK, n_clicks=0),
            dcc.Download(id=ids.DOWNLOAD),
        ], className="buttons"),
        html.Div(id=ids.MESSAGE, role="status", **{"aria-live": "polite"}),
    ], className="panel", id="invites-page")
