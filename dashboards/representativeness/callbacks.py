"""Callbacks of the representativeness view (researchers): an approved study or pasted
criteria in, the disclosure-controlled report and its figures out."""

from __future__ import annotations

from dash import Dash, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from dart.app.result_cache import ResultCache, json_key
from dashboards.auth import backend, require
from dashboards.backend import BackendError, CriteriaInvalid
from dashboards.examples import example_text
from dashboards.representativeness import ids, layout
from dashboards.representativeness.model import all_figures, mark_by_design
from dashboards.workbench.layout import check_message

ROLES = ("researcher",)


def load_example(name: str | None) -> tuple[str, str]:
    """Paste the chosen example into the text area (and switch to pasted criteria)."""
    return example_text(name, *ROLES), "text"


def choose_study(study_id: int | None) -> str:
    """Picking a study means the report is for that study (not the pasted text)."""
    require(*ROLES)
    if study_id is None:
        raise PreventUpdate
    return "study"


def run(n_clicks: int, source: str, study_id: int | None, text: str | None) -> tuple:
    """Compute the report for the chosen study or the pasted criteria.

    Returns the report, every chart's figure, the status line, the summary, whether the
    intro and the charts are hidden, and the controls' options and values.
    """
    user = require(*ROLES)
    if not n_clicks:
        raise PreventUpdate
    try:
        if source == "study" and study_id is not None:
            report = backend().representativeness(user, study_id=int(study_id))
        else:
            report = backend().representativeness(user, text=text or "")
    except (CriteriaInvalid, BackendError) as exc:
        status = (check_message(exc.error) if isinstance(exc, CriteriaInvalid)
                  else html.Div(str(exc), className="error"))
        return (None, None, status, [], False, True) + (no_update,) * 4
    report = mark_by_design(report)
    dims = layout.dimension_options(report)
    refs = layout.reference_options(report)
    ref = "target" if any(r["value"] == "target" for r in refs) else (
        refs[0]["value"] if refs else None)
    return (report, figures_for(report), "", layout.summary(report), True, False,
            dims, dims[0]["value"] if dims else None, refs, ref)


# Every figure of a report, by the report's JSON itself (so by reader): the same report
# again sends what was built before (42 figures are most of a Run's time on the server).
BUILT = ResultCache(size=16)


def figures_for(report: dict) -> dict:
    """``all_figures(report)``, kept by the report's JSON."""
    return BUILT.get(json_key(report), lambda: all_figures(report))


# Picks the three figures for the chosen dimension and reference from those built per run:
# switching happens in the browser, with no request to the server.
PICK_FIGURES = """
function (dim, ref, figures) {
    const none = window.dash_clientside.no_update;
    if (!figures || !dim) { return [none, none, none]; }
    const key = dim + "|" + ref;
    const themed = function (fig) {
        if (!fig) { return none; }
        return Object.assign({}, fig, {layout: Object.assign({}, fig.layout,
                                                             {template: figures.template})});
    };
    return [themed(figures.shares[dim]), themed(figures.ratio[key]),
            themed(figures.heatmap[key])];
}
"""


def register(app: Dash) -> None:
    """Attach the representativeness callbacks to ``app``."""
    app.callback(Output(ids.TEXT, "value"), Output(ids.SOURCE, "value"),
                 Input(ids.EXAMPLE, "value"), prevent_initial_call=True)(load_example)
    app.callback(Output(ids.SOURCE, "value", allow_duplicate=True),
                 Input(ids.STUDY, "value"), prevent_initial_call=True)(choose_study)
    app.callback(
        Output(ids.RESULT, "data"), Output(ids.FIGURES, "data"),
        Output(ids.STATUS, "children"),
        Output(ids.SUMMARY, "children"), Output(ids.INTRO, "hidden"),
        Output(ids.BODY, "hidden"),
        Output(ids.DIMENSION, "options"), Output(ids.DIMENSION, "value"),
        Output(ids.REFERENCE, "options"), Output(ids.REFERENCE, "value"),
        Input(ids.RUN, "n_clicks"), State(ids.SOURCE, "value"), State(ids.STUDY, "value"),
        State(ids.TEXT, "value"), prevent_initial_call=True,
    )(run)
    app.clientside_callback(
        PICK_FIGURES,
        Output(ids.SHARES, "figure"), Output(ids.RATIO, "figure"),
        Output(ids.HEATMAP, "figure"),
        Input(ids.DIMENSION, "value"), Input(ids.REFERENCE, "value"),
        Input(ids.FIGURES, "data"), prevent_initial_call=True,
    )
