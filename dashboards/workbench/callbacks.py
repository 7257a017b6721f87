"""Callbacks of the criteria workbench: thin glue from inputs to backend to layout/figures."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dart.app.result_cache import ResultCache, json_key
from dashboards.auth import backend, require
from dashboards.backend import BackendError, CriteriaInvalid
from dashboards.examples import example_text
from dashboards.workbench import ids, layout, quality
from dashboards.workbench.model import from_json, to_csv

ROLES = ("sponsor",)


def load_example(name: str | None) -> str:
    """The text of the chosen example."""
    return example_text(name, *ROLES)


def check_text(text: str | None) -> tuple:
    """Validate as the user types: (message, line numbers, error band hidden?, its place).

    Not called when the page opens: the page is drawn with its text's check."""
    require(*ROLES)
    error = backend().check(text) if (text or "").strip() else None
    message, lines, hidden, band = layout.check_view(text or "", error)
    return message, lines, hidden, no_update if band is None else band


KEPT = "The results below are from the last run that worked."
SAME = "Run again: the counts are the same as shown (the store has not changed since)."


def run(n_clicks: int, text: str | None, previous: dict | None = None) -> tuple:
    """Run the criteria and draw every result: (result JSON, results, status, intro hidden,
    what was run: the data-quality panel's input).

    A run that fails says why and keeps the results of the last run that worked; a run
    whose result is the one shown says so and redraws nothing.
    """
    user = require(*ROLES)
    if not n_clicks:
        raise PreventUpdate
    try:
        data = dict(backend().feasibility(user, text or ""))
    except (CriteriaInvalid, BackendError) as exc:
        message = (layout.check_message(exc.error) if isinstance(exc, CriteriaInvalid)
                   else html.Div(str(exc), className="error"))
        status = [message, html.P(KEPT, className="muted")] if previous else message
        return no_update, no_update, status, no_update, no_update
    if previous and _plain(previous) == _plain(data):
        # The same criteria on the same store: what is shown stands, nothing is redrawn.
        return (no_update, no_update, html.P(SAME, className="ok", id=ids.SAME), no_update,
                no_update)
    return data, drawn(data), "", True, {"text": text or "", "run": n_clicks}


def _plain(value: Any) -> Any:
    """``value`` as it comes back from the browser: whole floats are integers there."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# The components drawn for a result, by the result's JSON itself (so by reader: an exact and
# a disclosed result differ): a second Run of the same criteria on the same store sends
# what was drawn before (building ten figures is most of a Run's time on the server).
DRAWN = ResultCache(size=16)


def drawn(data: Mapping[str, Any]) -> list:
    """Everything a result shows (``layout.results``), kept by the result's JSON."""
    return DRAWN.get(json_key(data), lambda: layout.results(from_json(data)))


def profile(ran: Mapping[str, Any] | None) -> list:
    """The data-quality panel of the run that just worked (drawn after its counts)."""
    user = require(*ROLES)
    if not ran:
        raise PreventUpdate
    try:
        return quality.panel(backend().trial_profile(user, str(ran.get("text", ""))))
    except BackendError as exc:
        return quality.unavailable(str(exc))


NOTHING_YET = "Nothing to export yet: press Run first, then export the result."


def export(json_clicks: int, csv_clicks: int, data: dict | None, which: str) -> tuple:
    """The last result as a JSON or CSV download, and a note (what was saved, or why not)."""
    require(*ROLES)
    if not data:
        return no_update, html.Div(NOTHING_YET, className="error", id="wb-export-empty")
    if which == ids.EXPORT_JSON:
        return (dcc.send_string(json.dumps(data, indent=2), "feasibility.json"),
                "Saved feasibility.json.")
    return dcc.send_string(to_csv(from_json(data)), "feasibility.csv"), "Saved feasibility.csv."


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


# Shows the breakdown picked from those sent with the run: no request to the server.
PICK_BREAKDOWN = """
function (key, drawn) {
    if (!drawn || !drawn[key]) { return window.dash_clientside.no_update; }
    return drawn[key];
}
"""


# The hidden chart and table that make the browser load plotly.js and the table's code
# (``layout.page``), put in the page once the browser is idle after drawing it.
PRELOAD = """
function (id) {
    return new Promise(function (resolve) {
        window.requestIdleCallback(function () {
            resolve([
                {namespace: "dash_core_components", type: "Graph",
                 props: {id: "PRELOAD_GRAPH", config: {displayModeBar: false}}},
                {namespace: "dash_table", type: "DataTable",
                 props: {id: "PRELOAD_TABLE", data: [], columns: []}}
            ]);
        }, {timeout: 2000});
    });
}
""".replace("PRELOAD_GRAPH", ids.PRELOAD).replace("PRELOAD_TABLE", ids.PRELOAD_TABLE)


def register(app: Dash) -> None:
    """Attach the workbench callbacks to ``app``."""
    # Neither runs when the page opens: it is drawn with the first example and its check.
    app.callback(Output(ids.TEXT, "value"), Input(ids.EXAMPLE, "value"),
                 prevent_initial_call=True)(load_example)
    app.callback(Output(ids.CHECK, "children"), Output(ids.GUTTER, "children"),
                 Output(ids.BAND, "hidden"), Output(ids.BAND, "style"),
                 Input(ids.TEXT, "value"), prevent_initial_call=True)(check_text)
    app.clientside_callback(PRELOAD, Output(ids.PRELOAD_BOX, "children"),
                            Input(ids.PRELOAD_BOX, "id"))
    app.callback(
        Output(ids.RESULT, "data"), Output(ids.RESULTS, "children"),
        Output(ids.STATUS, "children"), Output(ids.INTRO, "hidden"), Output(ids.RAN, "data"),
        Input(ids.RUN, "n_clicks"), State(ids.TEXT, "value"), State(ids.RESULT, "data"),
        prevent_initial_call=True,
    )(run)
    app.clientside_callback(PICK_BREAKDOWN, Output(ids.BREAKDOWN, "figure"),
                            Input(ids.DIMENSION, "value"), State(ids.BREAKDOWNS, "data"),
                            prevent_initial_call=True)
    app.callback(Output(ids.PROFILE, "children"), Input(ids.RAN, "data"),
                 prevent_initial_call=True)(profile)

    @app.callback(Output(ids.DOWNLOAD, "data"), Output(ids.EXPORT_NOTE, "children"),
                  Input(ids.EXPORT_JSON, "n_clicks"), Input(ids.EXPORT_CSV, "n_clicks"),
                  State(ids.RESULT, "data"), prevent_initial_call=True)
    def _export(json_clicks: int, csv_clicks: int, data: dict | None) -> tuple:
        from dash import ctx

        return export(json_clicks, csv_clicks, data, ctx.triggered_id)

    app.callback(Output(ids.SAVED, "children"), Input(ids.SAVE, "n_clicks"),
                 State(ids.TEXT, "value"), prevent_initial_call=True)(save)
