"""Layout of the criteria workbench (sponsor): pure functions of plain data."""

from __future__ import annotations

from collections.abc import Mapping

from dash import dash_table, dcc, html
from dash.dash_table.Format import Format

from dashboards.backend import CheckError
from dashboards.theme import FONT, format_count
from dashboards.workbench import figures, ids
from dashboards.workbench.model import FeasibilityView

PLACEHOLDER = 'include "Aged 40 to 80": age between 40 and 80'


def editor(examples: Mapping[str, str]) -> html.Section:
    """The criteria editor: example picker, text area, live check, run and save."""
    first = next(iter(examples), None)
    return html.Section([
        html.H2("Criteria"),
        html.Label("Start from an example", htmlFor=ids.EXAMPLE),
        dcc.Dropdown(id=ids.EXAMPLE, options=[{"label": k, "value": k} for k in examples],
                     value=first, clearable=False, searchable=False),
        html.Label("Criteria text", htmlFor=ids.TEXT),
        dcc.Textarea(id=ids.TEXT, value=examples.get(first, "") if first else "",
                     placeholder=PLACEHOLDER, spellCheck=False, className="editor",
                     rows=18),
        html.Div(id=ids.CHECK, className="check", role="status", **{"aria-live": "polite"}),
        html.Div([
            html.Button("Run", id=ids.RUN, n_clicks=0, className="primary"),
            html.Button("Save as study", id=ids.SAVE, n_clicks=0),
        ], className="buttons"),
        html.Div(id=ids.SAVED, role="status", **{"aria-live": "polite"}),
    ], className="panel editor-panel")


def check_message(error: CheckError | None) -> html.Div:
    """The validation line under the editor: OK, or line, column, message and a caret."""
    if error is None:
        return html.Div("Criteria are valid.", className="ok", id="wb-check-ok")
    where = f"Line {error.line}, column {error.col}: "
    hint = f" (did you mean '{error.suggestion}'?)" if error.suggestion else ""
    return html.Div([
        html.Strong(where, id="wb-check-where"),
        html.Span(error.message + hint, id="wb-check-message"),
        html.Pre(error.caret(), className="caret"),
    ], className="error", **{"data-line": str(error.line), "data-col": str(error.col)})


def card(label: str, value: int | None, id_: str, marker: str = "<8") -> html.Div:
    """A headline number (``marker``: what a suppressed one reads as)."""
    return html.Div([html.Div(label, className="card-label"),
                     html.Div(format_count(value, marker), className="card-value", id=id_)],
                    className="card")


def cards(view: FeasibilityView) -> list:
    """The result cards: base population and eligible patients."""
    return [
        html.H2(view.title),
        html.P(f"Index date {view.index_date}. Counts are disclosure-controlled.",
               className="muted"),
        html.Div([card("Base population", view.base, ids.BASE_COUNT, view.marker),
                  card("Eligible", view.eligible, ids.ELIGIBLE_COUNT, view.marker)],
                 className="cards"),
    ]


def practice_rows(view: FeasibilityView) -> list[dict]:
    """Rows of the by-practice table; a suppressed count stays null (shown as 'suppressed')."""
    return [dict(row) for row in view.practices]


SUPPRESSED_FORMAT = Format(nully="<8")  # the default marker (a table format is static)
PRACTICE_COLUMNS = [
    {"name": "Practice", "id": "practice"},
    {"name": "ODS code", "id": "ods_code"},
    {"name": "Eligible", "id": "eligible", "type": "numeric", "format": SUPPRESSED_FORMAT},
    {"name": "% of eligible", "id": "percent", "type": "numeric", "format": SUPPRESSED_FORMAT},
]


GRAPH = {"config": {"displayModeBar": False, "responsive": True}}


def results(view: FeasibilityView) -> list:
    """Everything one run shows: cards, the four figures and the by-practice table."""
    return [
        *cards(view),
        dcc.Graph(id=ids.FUNNEL, figure=figures.funnel_figure(view), **GRAPH),
        dcc.Graph(id=ids.IMPACT, figure=figures.impact_figure(view), **GRAPH),
        html.Div([dcc.Graph(id=ids.REGION, figure=figures.region_figure(view), **GRAPH),
                  dcc.Graph(id=ids.NATION, figure=figures.nation_figure(view), **GRAPH)],
                 className="two"),
        html.H3("Eligible patients by practice"),
        dash_table.DataTable(
            id=ids.PRACTICES, columns=PRACTICE_COLUMNS, data=practice_rows(view),
            sort_action="native", page_size=15,
            style_cell={"fontFamily": FONT, "textAlign": "left", "padding": "4px"},
            style_header={"fontWeight": "bold", "fontFamily": FONT},
        ),
    ]


def results_area() -> html.Section:
    """Where results appear (built per run by ``results``), under a loading indicator."""
    return html.Section([
        html.Div(id=ids.STATUS, role="status"),
        html.P("Write or pick criteria, then press Run to see the counts.",
               className="muted", id=ids.INTRO),
        dcc.Loading(html.Div(id=ids.RESULTS), type="default", delay_show=150),
        html.Div([
            html.Button("Export JSON", id=ids.EXPORT_JSON, n_clicks=0),
            html.Button("Export CSV", id=ids.EXPORT_CSV, n_clicks=0),
            dcc.Download(id=ids.DOWNLOAD),
        ], className="buttons"),
        dcc.Store(id=ids.RESULT),
    ], className="panel results-panel")


def page(examples: Mapping[str, str]) -> html.Div:
    """The whole workbench page."""
    return html.Div([editor(examples), results_area()], className="workbench",
                    id="workbench-page")
