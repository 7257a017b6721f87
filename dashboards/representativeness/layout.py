"""Layout of the representativeness view (researcher): pure functions of plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from dart.reports import representativeness_figures as figures
from dashboards.counts import format_count
from dashboards.representativeness import ids
from dashboards.representativeness.model import excluded_by_design, main_gaps
from dashboards.theme import GRAPH


def source_picker(studies: Sequence[Mapping[str, Any]],
                  examples: Mapping[str, str] | None = None) -> html.Section:
    """Choose an approved study or paste criteria (or start from an example), then run.

    The study picker is shown when the researcher can see approved studies; the report
    then uses the study's frozen criteria.
    """
    examples = examples or {}
    options = [{"label": f"{s.get('title')} (#{s['id']}, {s.get('status')})", "value": s["id"]}
               for s in studies]
    sources = [{"label": "Paste criteria", "value": "text"}]
    if options:
        sources.insert(0, {"label": "A study", "value": "study"})
    return html.Section([
        html.H2("Representativeness"),
        html.Fieldset([
            html.Legend("Criteria from"),
            dcc.RadioItems(id=ids.SOURCE, options=sources, value=sources[0]["value"],
                           inline=True),
        ]),
        html.Div([
            html.Label("Study", htmlFor=ids.STUDY),
            dcc.Dropdown(id=ids.STUDY, options=options, clearable=False,
                         value=options[0]["value"] if options else None),
        ], id=ids.STUDY_ROW, hidden=not options),
        html.Label("Start from an example", htmlFor=ids.EXAMPLE),
        dcc.Dropdown(id=ids.EXAMPLE, options=list(examples), value=None,
                     placeholder="Choose an example to paste it below"),
        html.Label("Criteria text", htmlFor=ids.TEXT),
        dcc.Textarea(id=ids.TEXT, className="editor", rows=10, spellCheck=False,
                     placeholder='include "Type 2 diabetes": has t2dm'),
        html.Div(html.Button("Run", id=ids.RUN, n_clicks=0, className="primary"),
                 className="buttons"),
    ], className="panel editor-panel")


def controls() -> html.Div:
    """Which dimension and which reference the charts show."""
    return html.Div([
        html.Div([html.Label("Dimension", htmlFor=ids.DIMENSION),
                  dcc.Dropdown(id=ids.DIMENSION, options=[], clearable=False)]),
        html.Div([html.Label("Ratio against", htmlFor=ids.REFERENCE),
                  dcc.Dropdown(id=ids.REFERENCE, options=[], clearable=False)]),
    ], className="two controls")


def summary(report: Mapping[str, Any]) -> list:
    """The cohort size, the gaps that matter, what the criteria exclude by design, then the
    report's full plain-English summary and its notes."""
    cohort = report.get("cohort") or {}
    total = None if cohort.get("suppressed") else cohort.get("total")
    gaps = [html.Li(s) for s in main_gaps(report)]
    designed = excluded_by_design(report)
    items = [html.Li(s) for s in report.get("summary") or []]
    notes = [html.Li(n, className="muted") for n in report.get("notes") or []]
    return [
        html.H3(report.get("study") or "Cohort"),
        html.P(f"Eligible cohort: {format_count(total, report.get('disclosure'))} patients "
               "(disclosure-controlled)."),
        html.H4("The gaps that matter most"),
        html.Ul(gaps or [html.Li("No group is flagged against any reference.")],
                id=ids.GAPS),
        html.Div([html.H4("Excluded by the criteria, by design (not gaps)"),
                  html.Ul([html.Li(line) for line in designed])],
                 id=ids.BY_DESIGN) if designed else None,
        html.Details([html.Summary("Every finding, and how they were computed"),
                      html.Ul(items or [html.Li("No summary.")], id="rep-summary-list"),
                      html.Ul(notes) if notes else None]),
    ]


def dimension_options(report: Mapping[str, Any]) -> list[dict]:
    """One option per dimension of the report."""
    return [{"label": d["label"], "value": d["key"]} for d in report.get("dimensions", [])]


def reference_options(report: Mapping[str, Any]) -> list[dict]:
    """One option per available reference population."""
    return [{"label": r["label"], "value": r["key"]}
            for r in figures.available_references(report)]


def charts() -> html.Div:
    """The three charts; their figures are picked in the browser, for the chosen dimension
    and reference, from those sent with the run (``model.first_figures``) and then from
    every figure of the report (``model.all_figures``)."""
    # Not "responsive": a graph mounted without a figure would keep the 100% height of its
    # empty box (0) when the figure, with its own height, arrives.
    return html.Div([dcc.Graph(id=i, responsive=False, **GRAPH)
                     for i in (ids.SHARES, ids.RATIO, ids.HEATMAP)])


def results_area() -> html.Section:
    """Summary, chart controls and charts (drawn per result), under a loading indicator."""
    return html.Section([
        html.Div(id=ids.STATUS, role="status"),
        html.P("Choose a study or paste criteria, then press Run.", className="muted",
               id=ids.INTRO),
        dcc.Loading(html.Div(id=ids.SUMMARY, className="summary")),
        html.Div([controls(), charts()], id=ids.BODY, hidden=True),
        dcc.Store(id=ids.RESULT),
        dcc.Store(id=ids.FIGURES),
        dcc.Store(id=ids.ALL_FIGURES),
        dcc.Store(id=ids.DRAWN),
    ], className="panel results-panel")


def page(studies: Sequence[Mapping[str, Any]],
         examples: Mapping[str, str] | None = None) -> html.Div:
    """The whole representativeness page."""
    return html.Div([source_picker(studies, examples), results_area()], className="workbench",
                    id="representativeness-page")
