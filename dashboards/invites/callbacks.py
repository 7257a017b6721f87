"""Callbacks of the invite-list view (practice users only)."""

from __future__ import annotations

import datetime as dt

from dash import Dash, Input, Output, State, dcc
from dash.exceptions import PreventUpdate

from dashboards.auth import backend, require
from dashboards.backend import BackendError
from dashboards.invites import ids, layout

ROLES = ("practice",)


def show(study_id: int | None, _marked: object = None) -> tuple:
    """The invite list of the chosen study."""
    user = require(*ROLES)
    if study_id is None:
        raise PreventUpdate
    try:
        rows = list(backend().invite_list(user, int(study_id)))
    except BackendError as exc:
        return [], layout.columns([]), str(exc)
    return layout.table_rows(rows), layout.columns(rows), layout.summary(rows)


def download(n_clicks: int, study_id: int | None) -> dict:
    """The invite list as a CSV file (the API's CSV)."""
    user = require(*ROLES)
    if not n_clicks or study_id is None:
        raise PreventUpdate
    text = backend().invite_csv(user, int(study_id))
    stamp = dt.date.today().isoformat()
    return dcc.send_string(text, f"invite-list-study-{int(study_id)}-{stamp}.csv")


def mark(n_clicks: int, study_id: int | None, selected: list[int] | None,
         rows: list[dict] | None) -> str:
    """Record the selected patients as invited."""
    user = require(*ROLES)
    if not n_clicks or study_id is None:
        raise PreventUpdate
    chosen = [rows[i]["patient_id"] for i in (selected or []) if rows and i < len(rows)]
    if not chosen:
        return "Select patients in the table first."
    try:
        added = backend().mark_invited(user, int(study_id), chosen)
    except BackendError as exc:
        return str(exc)
    return f"Marked {added} patient(s) as invited."


def register(app: Dash) -> None:
    """Attach the invite-list callbacks to ``app``."""

    @app.callback(Output(ids.TABLE, "data"), Output(ids.TABLE, "columns"),
                  Output(ids.SUMMARY, "children"), Output(ids.TABLE, "selected_rows"),
                  Input(ids.STUDY, "value"), Input(ids.MESSAGE, "children"))
    def _show(study_id: int | None, message: object) -> tuple:
        return (*show(study_id), [])

    app.callback(Output(ids.DOWNLOAD, "data"), Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
                 State(ids.STUDY, "value"), prevent_initial_call=True)(download)

    @app.callback(Output(ids.MESSAGE, "children"), Input(ids.MARK, "n_clicks"),
                  State(ids.STUDY, "value"), State(ids.TABLE, "selected_rows"),
                  State(ids.TABLE, "data"), prevent_initial_call=True)
    def _mark(n: int, study_id: int | None, selected: list[int] | None,
              rows: list[dict] | None) -> str:
        return mark(n, study_id, selected, rows)
