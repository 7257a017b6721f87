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
from dashboards.representativeness.model import all_figures, first_figures, mark_by_design
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

    Returns the report, the figures shown first (the first dimension against the chosen
    reference: ``first_figures``, tagged with the report's ``run`` key), the status line,
    the summary, whether the intro and the charts are hidden, and the controls' options and
    values. The other figures come from ``rest``, a second request.
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
    dim = dims[0]["value"] if dims else None
    return (report, shown_first(report, dim, ref), "", layout.summary(report), True, False,
            dims, dim, refs, ref)


def rest(run_key: str | None, report: dict | None) -> dict:
    """Every figure of the report the browser holds (``all_figures``), with the ``run`` key
    of the figures shown first: asked for by the browser once those are drawn
    (``AFTER_DRAW``), so that switching dimension or reference then needs no request.

    Built from the report the browser sends back: the figures are a pure function of it
    and go back to the same user, so the server adds nothing that user did not receive."""
    require(*ROLES)
    if not run_key or not report:
        raise PreventUpdate
    return {**figures_for(report), "run": run_key}


# Every figure of a report, by the report's JSON itself (so by reader): the same report
# again sends what was built before (42 figures: most of a Run's time on the server when
# they were all built in its request).
BUILT = ResultCache(size=16)
FIRST = ResultCache(size=16)


def figures_for(report: dict) -> dict:
    """``all_figures(report)``, kept by the report's JSON."""
    return BUILT.get(json_key(report), lambda: all_figures(report))


def shown_first(report: dict, dim: str | None, ref: str | None) -> dict:
    """``first_figures`` with the report's ``run`` key, kept by the report's JSON."""
    key = json_key(report)
    return FIRST.get((key, dim, ref), lambda: {**first_figures(report, dim, ref),
                                               "run": key[:16]})


# Picks the three figures for the chosen dimension and reference: from every figure of the
# run once they have come (``rest``), from those sent with the run until then. Switching
# happens in the browser, with no request to the server. Every figure is a State here, not
# an Input: Dash holds a callback until the callbacks that make its inputs have answered,
# and the run's own figures must not wait for the rest.
PICK_FIGURES = """
function (dim, ref, first, all) {
    const none = window.dash_clientside.no_update;
    if (!first || !dim) { return [none, none, none]; }
    const key = dim + "|" + ref;
    const figures = all && all.run === first.run ? all : first;
    const themed = function (fig) {
        if (!fig) { return none; }
        return Object.assign({}, fig, {layout: Object.assign({}, fig.layout,
                                                             {template: figures.template})});
    };
    return [themed(figures.shares[dim]), themed(figures.ratio[key]),
            themed(figures.heatmap[key])];
}
"""
# When every figure has come: draws the chosen ones only if they were not among the first
# (the user switched before the rest came); otherwise what is shown stays, not drawn again.
LATE_FIGURES = """
function (all, dim, ref, first) {
    const none = window.dash_clientside.no_update;
    if (!all || !first || all.run !== first.run || first.ratio[dim + "|" + ref]) {
        return [none, none, none];
    }
    return (PICK)(dim, ref, first, all);
}
""".replace("PICK", PICK_FIGURES.strip())
# Once a run's first figures are set and the browser has drawn them: the run's key, which
# asks the server for the rest. Asked for at once, building them took the server's CPU
# while the browser drew (on 2 cores the first figures came 0.7 s later). Drawn means idle
# twice, 0.3 s apart: plotly draws a figure, then again with the margins its labels need.
# Nothing when the figures change by a switch within the same run.
AFTER_DRAW = """
function (shares, ratio, heatmap, first, drawn) {
    if (!first || first.run === drawn) { return window.dash_clientside.no_update; }
    const idle = function (then) {
        window.requestIdleCallback(then, {timeout: 1000});
    };
    return new Promise(function (resolve) {
        window.requestAnimationFrame(function () {
            idle(function () {
                window.setTimeout(function () { idle(function () { resolve(first.run); }); },
                                  300);
            });
        });
    });
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
    charts = (ids.SHARES, ids.RATIO, ids.HEATMAP)
    app.clientside_callback(
        AFTER_DRAW, Output(ids.DRAWN, "data"), *(Input(i, "figure") for i in charts),
        State(ids.FIGURES, "data"), State(ids.DRAWN, "data"), prevent_initial_call=True,
    )
    app.callback(Output(ids.ALL_FIGURES, "data"), Input(ids.DRAWN, "data"),
                 State(ids.RESULT, "data"), prevent_initial_call=True)(rest)
    app.clientside_callback(
        PICK_FIGURES, *(Output(i, "figure") for i in charts),
        Input(ids.DIMENSION, "value"), Input(ids.REFERENCE, "value"),
        Input(ids.FIGURES, "data"), State(ids.ALL_FIGURES, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        LATE_FIGURES, *(Output(i, "figure", allow_duplicate=True) for i in charts),
        Input(ids.ALL_FIGURES, "data"), State(ids.DIMENSION, "value"),
        State(ids.REFERENCE, "value"), State(ids.FIGURES, "data"),
        prevent_initial_call=True,
    )
