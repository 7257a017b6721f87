"""Layout of the criteria workbench (sponsor): pure functions of plain data."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from dash import dash_table, dcc, html
from dash.dash_table.Format import Format, Scheme

from dashboards.backend import CheckError
from dashboards.counts import format_count, marker
from dashboards.theme import FONT, GRAPH
from dashboards.workbench import figures, ids, quality
from dashboards.workbench.geography import boundaries
from dashboards.workbench.model import FeasibilityView, practice_rows

Check = Callable[[str], CheckError | None]
PLACEHOLDER = 'include "Aged 40 to 80": age between 40 and 80'


def editor(examples: Mapping[str, str], check: Check | None = None) -> html.Section:
    """The criteria editor: example picker, text area, live check, run and save.

    With ``check`` (the backend's), the first example's check is drawn with the page, so
    no callback has to run when the page opens."""
    first = next(iter(examples), None)
    text = examples.get(first, "") if first else ""
    message, lines, band_hidden, band = (check_view(text, check(text) if text.strip() else None)
                                         if check else (None, gutter(text), True, None))
    return html.Section([
        html.H2("Criteria"),
        html.Label("Start from an example", htmlFor=ids.EXAMPLE),
        dcc.Dropdown(id=ids.EXAMPLE, options=[{"label": k, "value": k} for k in examples],
                     value=first, clearable=False, searchable=False),
        html.Label("Criteria text", htmlFor=ids.TEXT),
        html.Div([
            # line numbers and the error line's band scroll with the text
            # (assets/editor.js); both are decoration, the message says the line in words
            html.Div(lines, id=ids.GUTTER, className="gutter editor-sync",
                     **{"aria-hidden": "true"}),
            html.Div(html.Div(id=ids.BAND, className="band", hidden=band_hidden, style=band),
                     className="backdrop editor-sync", **{"aria-hidden": "true"}),
            dcc.Textarea(id=ids.TEXT, value=text,
                         placeholder=PLACEHOLDER, spellCheck=False, className="editor",
                         rows=18, wrap="off"),
        ], className="editor-box"),
        html.Div(message, id=ids.CHECK, className="check", role="status",
                 **{"aria-live": "polite"}),
        html.Div([
            html.Button("Run", id=ids.RUN, n_clicks=0, className="primary"),
            html.Button("Save as study", id=ids.SAVE, n_clicks=0),
        ], className="buttons"),
        html.Div(id=ids.SAVED, role="status", **{"aria-live": "polite"}),
    ], className="panel editor-panel")


def gutter(text: str, error_line: int | None = None) -> list:
    """The editor's line numbers, one per line of ``text``; the error's line is marked."""
    count = max(1, (text or "").count("\n") + 1, error_line or 0)
    return [html.Div(str(i), className="ln err" if i == error_line else "ln")
            for i in range(1, count + 1)]


def check_view(text: str, error: CheckError | None) -> tuple:
    """What the editor shows for ``text`` and its check: (message, line numbers, error band
    hidden?, the band's place or None)."""
    if not (text or "").strip():
        return (html.Div("Write or pick some criteria.", className="muted"), gutter(text or ""),
                True, None)
    line = error.line if error is not None else None
    return (check_message(error), gutter(text, line), line is None,
            band_style(line) if line else None)


def band_style(error_line: int | None) -> dict:
    """Where the error line's band sits behind the text (lines are 1.5em high)."""
    return {"top": f"calc(0.5rem + {(error_line or 1) - 1} * 1.5em)"}


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


def card(label: str, value: int | None, id_: str, view: FeasibilityView) -> html.Div:
    """A headline number."""
    return html.Div([html.Div(label, className="card-label"),
                     html.Div(format_count(value, view.disclosure), className="card-value",
                              id=id_)],
                    className="card")


def cards(view: FeasibilityView) -> list:
    """The result cards: base population and eligible patients."""
    return [
        html.H2(view.title),
        html.P(f"Index date {view.index_date}. Counts are disclosure-controlled: "
               f"{marker(view.disclosure)} marks a count too small to publish.",
               className="muted"),
        html.Div([card("Base population", view.base, ids.BASE_COUNT, view),
                  card("Eligible", view.eligible, ids.ELIGIBLE_COUNT, view)],
                 className="cards"),
    ]


def practice_columns(view: FeasibilityView) -> list[dict]:
    """The by-practice table's columns: a suppressed count shows the marker; one decimal."""
    return [
        {"name": "Practice", "id": "practice"},
        {"name": "ODS code", "id": "ods_code"},
        {"name": "Eligible", "id": "eligible", "type": "numeric",
         "format": Format(nully=marker(view.disclosure)).group(True)},
        {"name": "% of eligible", "id": "percent", "type": "numeric",
         "format": Format(precision=1, scheme=Scheme.fixed, nully="")},
    ]


def breakdowns(view: FeasibilityView) -> list:
    """The eligible patients by one dimension at a time, picked with radio buttons: every
    breakdown's figure is sent with the run (``ids.BREAKDOWNS``) and the browser shows the
    one picked (``callbacks.PICK_BREAKDOWN``), so a run draws one breakdown chart, not
    seven, and switching asks nothing of the server."""
    if not view.breakdowns:
        return []
    drawn = {b.key: figures.breakdown_figure(b) for b in view.breakdowns}
    first = view.breakdowns[0].key
    return [
        html.Fieldset([
            html.Legend("Eligible patients by"),
            dcc.RadioItems(id=ids.DIMENSION, value=first, inline=True,
                           options=[{"label": b.label, "value": b.key}
                                    for b in view.breakdowns]),
        ]),
        dcc.Graph(id=ids.BREAKDOWN, figure=drawn[first], **GRAPH),
        dcc.Store(id=ids.BREAKDOWNS, data=drawn),
    ]


def results(view: FeasibilityView) -> list:
    """Everything one run shows: cards, funnel, impacts, the map, the breakdowns (one at a
    time) and the by-practice table."""
    return [
        *cards(view),
        quality.placeholder(),
        dcc.Graph(id=ids.FUNNEL, figure=figures.funnel_figure(view), **GRAPH),
        dcc.Graph(id=ids.IMPACT, figure=figures.impact_figure(view), **GRAPH),
        dcc.Graph(id=ids.MAP, figure=figures.map_figure(view), **GRAPH),
        # The boundaries' licence asks for this attribution wherever they are shown.
        html.P(boundaries().attribution, className="muted", id=ids.MAP_SOURCE),
        *breakdowns(view),
        html.H3("Eligible patients by practice: every practice"),
        dash_table.DataTable(
            id=ids.PRACTICES, columns=practice_columns(view), data=practice_rows(view),
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
        # The spinner is for the Run only: the data-quality panel, filled after the counts,
        # must not hide them while it loads.
        dcc.Loading(html.Div(id=ids.RESULTS), type="default", delay_show=150,
                    target_components={ids.RESULTS: "children"}),
        html.Div([
            html.Button("Export JSON", id=ids.EXPORT_JSON, n_clicks=0),
            html.Button("Export CSV", id=ids.EXPORT_CSV, n_clicks=0),
            dcc.Download(id=ids.DOWNLOAD),
        ], className="buttons"),
        html.Div(id=ids.EXPORT_NOTE, role="status", **{"aria-live": "polite"}),
        dcc.Store(id=ids.RESULT),
        dcc.Store(id=ids.RAN),
    ], className="panel results-panel")


def page(examples: Mapping[str, str], check: Check | None = None) -> html.Div:
    """The whole workbench page (``check``: see ``editor``)."""
    # An empty, hidden chart makes the browser fetch plotly.js (3.5 MB, loaded by the first
    # chart drawn) once the page is drawn, not when the first Run's charts arrive (3.5 s
    # then). The same for the by-practice table's code (dash_table's async chunks, fetched
    # when the first table is drawn). Both are put in the page by the browser when it is
    # idle after drawing the page (``callbacks.PRELOAD``): reading plotly.js takes the
    # browser a few tenths of a second, which the first view does not wait for.
    preload = html.Div(id=ids.PRELOAD_BOX, style={"display": "none"})
    return html.Div([editor(examples, check), results_area(), preload], className="workbench",
                    id="workbench-page")
