"""Callbacks of the invite-list view (practice users only)."""

from __future__ import annotations

import datetime as dt

from dash import Dash, Input, Output, State, dcc
from dash.exceptions import PreventUpdate

from dashboards.auth import backend, require
from dashboards.backend import BackendError
from dashboards.invites import ids, layout

ROLES = ("practice",)
DONE = {"invited": "invited", "responded": "responded", "declined": "declined",
        "screened_out": "screened out", "enrolled": "enrolled"}


def show(study_id: int | None, _marked: object = None, search: str | None = None,
         only_new: list[str] | None = None) -> tuple:
    """The invite list of the chosen study: rows (searched, new only if asked), columns,
    the summary line and the criteria in plain English."""
    user = require(*ROLES)
    if study_id is None:
        raise PreventUpdate
    try:
        listing = dict(backend().invite_list(user, int(study_id)))
    except BackendError as exc:
        return [], layout.columns([]), str(exc), []
    rows = list(listing.get("patients", []))
    shown = [r for r in rows if layout.matches(r, search) and (not only_new or r.get("new"))]
    return (layout.table_rows(shown), layout.columns(rows), layout.summary(rows, listing),
            layout.criteria_text(listing))


def download(n_clicks: int, study_id: int | None) -> dict:
    """The invite list as a CSV file (the API's CSV)."""
    user = require(*ROLES)
    if not n_clicks or study_id is None:
        raise PreventUpdate
    text = backend().invite_csv(user, int(study_id))
    stamp = dt.date.today().isoformat()
    return dcc.send_string(text, f"invite-list-study-{int(study_id)}-{stamp}.csv")


def mark(n_clicks: int, study_id: int | None, selected: list[int] | None,
         rows: list[dict] | None, status: str = "invited", channel: str | None = None,
         reason: str | None = None) -> str:
    """Record ``status`` for the selected patients (all or nothing)."""
    user = require(*ROLES)
    if not n_clicks or study_id is None:
        raise PreventUpdate
    chosen = [rows[i]["patient_id"] for i in (selected or []) if rows and i < len(rows)]
    if not chosen:
        return "Select patients in the table first."
    status = status or "invited"
    try:
        added = backend().record_status(user, int(study_id), chosen, status,
                                        channel if status == "invited" else None,
                                        (reason or "").strip() or None)
    except BackendError as exc:
        return str(exc)
    return f"Marked {added} patient(s) as {DONE.get(status, status)}."


def select(_all: int, _none: int, visible: list[int] | None, trigger: str | None) -> list:
    """Every row the table shows now (after its filters), or none."""
    return list(visible or []) if trigger == ids.SELECT_ALL else []


def register(app: Dash) -> None:
    """Attach the invite-list callbacks to ``app``."""

    @app.callback(Output(ids.TABLE, "data"), Output(ids.TABLE, "columns"),
                  Output(ids.SUMMARY, "children"), Output(ids.CRITERIA, "children"),
                  Output(ids.TABLE, "selected_rows"),
                  Input(ids.STUDY, "value"), Input(ids.MESSAGE, "children"),
                  Input(ids.SEARCH, "value"), Input(ids.ONLY_NEW, "value"))
    def _show(study_id: int | None, message: object, search: str | None,
              only_new: list[str] | None) -> tuple:
        return (*show(study_id, message, search, only_new), [])

    app.callback(Output(ids.DOWNLOAD, "data"), Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
                 State(ids.STUDY, "value"), prevent_initial_call=True)(download)

    @app.callback(Output(ids.TABLE, "selected_rows", allow_duplicate=True),
                  Input(ids.SELECT_ALL, "n_clicks"), Input(ids.SELECT_NONE, "n_clicks"),
                  State(ids.TABLE, "derived_virtual_indices"), prevent_initial_call=True)
    def _select(a: int, b: int, visible: list[int] | None) -> list:
        from dash import ctx

        return select(a, b, visible, ctx.triggered_id)

    @app.callback(Output(ids.MESSAGE, "children"), Input(ids.MARK, "n_clicks"),
                  State(ids.STUDY, "value"), State(ids.TABLE, "selected_rows"),
                  State(ids.TABLE, "data"), State(ids.STATUS, "value"),
                  State(ids.CHANNEL, "value"), State(ids.REASON, "value"),
                  prevent_initial_call=True)
    def _mark(n: int, study_id: int | None, selected: list[int] | None,
              rows: list[dict] | None, status: str, channel: str | None,
              reason: str | None) -> str:
        return mark(n, study_id, selected, rows, status, channel, reason)
