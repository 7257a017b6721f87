"""Callbacks of the administration view (admins only)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboards.admin import ids, layout
from dashboards.auth import backend, require
from dashboards.backend import BackendError

ROLES = ("admin",)


def act(study_id: int | None, action: str) -> tuple:
    """Approve or close a study; then the refreshed tables."""
    user = require(*ROLES)
    if study_id is None:
        raise PreventUpdate
    try:
        study = backend().set_study_status(user, int(study_id), action)
        message = f"Study {study['id']} is now {study['status']}."
    except BackendError as exc:
        message = f"Could not {action} study {study_id}: {exc}"
    pending = backend().pending_studies(user)
    options = layout.study_options(pending)
    return (layout.study_rows(pending), options,
            options[0]["value"] if options else None, message,
            layout.audit_rows(backend().audit_log(user)))


def show_review(study_id: int | None) -> list:
    """The chosen pending study laid out for review (or a message)."""
    user = require(*ROLES)
    if study_id is None:
        return layout.review(None)
    try:
        return layout.review(backend().study_review(user, int(study_id)))
    except BackendError as exc:
        return [str(exc)]


def register(app: Dash) -> None:
    """Attach the administration callbacks to ``app``."""

    @app.callback(
        Output(ids.PENDING, "data"), Output(ids.STUDY, "options"), Output(ids.STUDY, "value"),
        Output(ids.MESSAGE, "children"), Output(ids.AUDIT, "data"),
        Input(ids.APPROVE, "n_clicks"), Input(ids.CLOSE, "n_clicks"),
        State(ids.STUDY, "value"), prevent_initial_call=True,
    )
    def _act(approve: int, close: int, study_id: int | None) -> tuple:
        if ctx.triggered_id not in (ids.APPROVE, ids.CLOSE):
            return (no_update,) * 5
        return act(study_id, "approve" if ctx.triggered_id == ids.APPROVE else "close")

    app.callback(Output(ids.REVIEW, "children"), Input(ids.STUDY, "value"))(show_review)
