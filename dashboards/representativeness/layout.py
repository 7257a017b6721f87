"""Layout of the representativeness view (researcher): pure functions of plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from dart.analysis import representativeness_figures as figures
from dashboards.representativeness import ids
from dashboards.theme import apply_theme, format_count, marker_of


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
    """The plain-English summary and the cohort size."""
    cohort = report.get("cohort") or {}
    total = None if cohort.get("suppressed") else cohort.get("total")
    items = [html.Li(s) for s in report.get("summary") or []]
    notes = [html.Li(n, className="muted") for n in report.get("notes") or []]
    return [
        html.H3(report.get("study") or "Cohort"),
        html.P(f"Eligible cohort: {format_count(total, marker_of(report))} patients "
               "(disclosure-controlled)."),
        html.Ul(items or [html.Li("No summary.")], id="rep-summary-list"),
        html.Ul(notes) if notes else None,
    ]


def dimension_options(report: Mapping[str, Any]) -> list[dict]:
    """One option per dimension of the report."""
    return [{"label": d["label"], "value": d["key"]} for d in report.get("dimensions", [])]


def reference_options(report: Mapping[str, Any]) -> list[dict]:
    """One option per available reference population."""
    return [{"label": r["label"], "value": r["key"]}
            for r in figures.available_references(report)]


GRAPH = {"config": {"displayModeBar": False, "responsive": True}}


def charts(report: Mapping[str, Any], key: str, reference: str) -> list:
    """The three figures for one dimension and one reference (the HTML report's builders)."""
    return [
        dcc.Graph(id=ids.SHARES, figure=apply_theme(figures.composition_figure(report, key)),
                  **GRAPH),
        dcc.Graph(id=ids.RATIO,
                  figure=apply_theme(figures.ratio_figure(report, reference, [key])), **GRAPH),
        dcc.Graph(id=ids.HEATMAP,
                  figure=apply_theme(figures.rule_impact_figure(report, [key])), **GRAPH),
    ]


def results_area() -> html.Section:
    """Summary, chart controls and charts (drawn per result), under a loading indicator."""
    return html.Section([
        html.Div(id=ids.STATUS, role="status"),
        html.P("Choose a study or paste criteria, then press Run.", className="muted",
               id=ids.INTRO),
        dcc.Loading(html.Div(id=ids.SUMMARY, className="summary")),
        html.Div(controls(), id=ids.BODY, hidden=True),
        html.Div(id=ids.CHARTS),
        dcc.Store(id=ids.RESULT),
    ], className="panel results-panel")


def page(studies: Sequence[Mapping[str, Any]],
         examples: Mapping[str, str] | None = None) -> html.Div:
    """The whole representativeness page."""
    return html.Div([source_picker(studies, examples), results_area()], className="workbench",
                    id="representativeness-page")
