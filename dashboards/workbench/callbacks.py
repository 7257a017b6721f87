"""Callbacks of the criteria workbench: thin glue from inputs to backend to layout/figures."""

from __future__ import annotations

import json

from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboards.auth import backend, require
from dashboards.backend import BackendError, CriteriaInvalid
from dashboards.workbench import ids, layout
from dashboards.workbench.model import from_json, to_csv

ROLES = ("sponsor",)


def load_example(name: str | None) -> str:
    """The text of the chosen example."""
    require(*ROLES)
    examples = backend().examples()
    if not name or name not in examples:
        raise PreventUpdate
    return examples[name]


def check_text(text: str | None) -> html.Div:
    """Validate as the user types."""
    require(*ROLES)
    if not (text or "").strip():
        return html.Div("Write or pick some criteria.", className="muted")
    return layout.check_message(backend().check(text or ""))


def run(n_clicks: int, text: str | None) -> tuple:
    """Run the criteria and draw every result: (result JSON, results, status, intro hidden)."""
    user = require(*ROLES)
    if not n_clicks:
        raise PreventUpdate
    try:
        data = dict(backend().feasibility(user, text or ""))
    except CriteriaInvalid as exc:
        return None, [], layout.check_message(exc.error), False
    except BackendError as exc:
        return None, [], html.Div(str(exc), className="error"), False
    return data, layout.results(from_json(data)), "", True


def export(json_clicks: int, csv_clicks: int, data: dict | None, which: str) -> dict:
    """The last result as a JSON or CSV download."""
    require(*ROLES)
    if not data:
        raise PreventUpdate
    if which == ids.EXPORT_JSON:
        return dcc.send_string(json.dumps(data, indent=2), "feasibility.json")
    return dcc.send_string(to_csv(from_json(data)), "feasibility.csv")


def save(n_clicks: int, text: str | None) -> html.Div:
    """Save the criteria as a study awaiting approval."""
    user = require(*ROLES)
    if not n_clicks:
        raise PreventUpdate
    try:
        study = backend().save_study(user, text or "")
    except CriteriaInvalid as exc:
        return layout.check_message(exc.error)
    except BackendError as exc:
        return html.Div(str(exc), className="error")
    return html.Div(f"Saved as study {study.get('id')}: {study.get('title', '')} "
                    f"({study.get('status', 'draft')}, awaiting approval by an admin).",
                    className="ok", id="wb-saved-ok")


def register(app: Dash) -> None:
    """Attach the workbench callbacks to ``app``."""
    app.callback(Output(ids.TEXT, "value"), Input(ids.EXAMPLE, "value"))(load_example)
    app.callback(Output(ids.CHECK, "children"), Input(ids.TEXT, "value"))(check_text)
    app.callback(
        Output(ids.RESULT, "data"), Output(ids.RESULTS, "children"),
        Output(ids.STATUS, "children"), Output(ids.INTRO, "hidden"),
        Input(ids.RUN, "n_clicks"), State(ids.TEXT, "value"),
        prevent_initial_call=True,
    )(run)

    @app.callback(Output(ids.DOWNLOAD, "data"),
                  Input(ids.EXPORT_JSON, "n_clicks"), Input(ids.EXPORT_CSV, "n_clicks"),
                  State(ids.RESULT, "data"), prevent_initial_call=True)
    def _export(json_clicks: int, csv_clicks: int, data: dict | None) -> dict:
        from dash import ctx

        return export(json_clicks, csv_clicks, data, ctx.triggered_id)

    app.callback(Output(ids.SAVED, "children"), Input(ids.SAVE, "n_clicks"),
                 State(ids.TEXT, "value"), prevent_initial_call=True)(save)
