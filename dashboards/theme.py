"""Colours and figure styling shared by every view.

Okabe-Ito colours (Okabe & Ito, 2008) stay distinct under the common colour-vision
deficiencies; every figure gets a title and axis titles through ``styled_figure`` so that no
builder forgets them.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go
import plotly.io as pio

# One palette for DART's figures (dart.reports.palette): the reports and every view use it.
from dart.reports.palette import OKABE_ITO
from dart.reports.representativeness_figures import missing_figure

SEQUENCE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "sky_blue",
                                   "purple", "yellow", "black")]
# Every figure names its template; plotly's default one would only be copied into each new
# figure and then replaced, a copy that costs more than the figure (views build dozens).
pio.templates.default = "none"
TEMPLATE = "plotly_white"
# Every dcc.Graph's settings: no mode bar (the figures are read, not edited), resized with
# its panel.
GRAPH = {"config": {"displayModeBar": False, "responsive": True}}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
# What of plotly_white the views' 2-D figures show (backgrounds, grid, axis lines, text
# colour), set on the figure itself: naming the template copies all of it (polar, 3-D,
# geo, two dozen trace types: 7 kB) into every figure, which took most of a workbench run's
# time and payload.
_WHITE = pio.templates[TEMPLATE].layout
_AXIS = _WHITE.xaxis.to_plotly_json()
LOOK = {"paper_bgcolor": _WHITE.paper_bgcolor, "plot_bgcolor": _WHITE.plot_bgcolor,
        "hovermode": _WHITE.hovermode, "hoverlabel": _WHITE.hoverlabel.to_plotly_json(),
        "xaxis": _AXIS, "yaxis": _AXIS}


def styled_figure(data: list[dict], layout: dict, title: str, x_title: str, y_title: str,
                  height: int = 360, labels: Iterable[str] = ()) -> go.Figure:
    """A figure of ``data`` (traces as dicts) with its own ``layout`` settings over the
    dashboard's look: a title, axis titles, the palette and a quiet laptop-sized layout.

    Made in one step: building a figure and then updating its layout validated it twice,
    five times as long. The margins are set here, wide enough for the axis titles and for
    ``labels`` (the y axis's tick labels), not by plotly's automargin: that draws each
    figure twice in the browser (to measure, then with the margins found), which made the
    workbench's ten figures take 2.4 times as long to draw (headless Chromium)."""
    longest = max((len(str(label)) for label in labels), default=0)
    margin = {**HOUSE["margin"], "b": BOTTOM,
              "l": HOUSE["margin"]["l"] + (round(CHAR_PX * longest) + Y_TITLE if longest else 0)}
    axis = LOOK["xaxis"]
    look = {**LOOK, **HOUSE, "title": {**HOUSE["title"], "text": title}, "margin": margin,
            "height": height,
            "xaxis": {**axis, "title": {**axis["title"], "text": x_title}, "automargin": False},
            "yaxis": {**axis, "title": {**axis["title"], "text": y_title}, "automargin": False}}
    return go.Figure(data, layout=_merged(look, layout))


def _merged(base: dict, own: dict) -> dict:
    """``own`` over ``base``, nested settings merged key by key."""
    out = dict(base)
    for key, value in own.items():
        out[key] = (_merged(out[key], value) if isinstance(value, dict)
                    and isinstance(out.get(key), dict) else value)
    return out


# Room for tick labels written in the 13 px font (measured in Chromium: 6.5-8.6 px a
# character, the short labels' widest), the y axis title beside them and the x axis's
# ticks and title below.
CHAR_PX = 8
Y_TITLE = 45
BOTTOM = 60


# What of a template no view's figures read (no polar, ternary, 3-D or map axes) and the
# trace types they draw.
UNUSED = ("polar", "ternary", "scene", "geo", "mapbox", "map")
TRACES = ("bar", "scatter", "heatmap")
# The dashboard's own settings, over plotly_white's.
HOUSE = {
    "title": {"x": 0.01, "xanchor": "left"},
    "colorway": SEQUENCE,
    "font": {"family": FONT, "size": 13, "color": _WHITE.font.color},
    # The legend sits above the plot, under the title: below, it ran into slanted axis
    # labels.
    "margin": {"l": 10, "r": 20, "t": 80, "b": 40},
    "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
}


def apply_theme(fig: go.Figure, height: int | None = None,
                template: str | None = TEMPLATE, titles: dict | None = None) -> go.Figure:
    """The dashboard's look (font, palette, margins, legend) on a figure that already has
    its titles (or is given them: ``titles``, layout settings), e.g. one from
    ``dart.reports.representativeness_figures``.

    The default sets plotly_white's look on the figure (``LOOK``, not the template);
    ``template=None`` leaves it out."""
    look = dict(LOOK) if template == TEMPLATE else {"template": template} if template else {}
    settings = {**look, **HOUSE, **(titles or {})}
    settings["title"] = {**HOUSE["title"], **(titles or {}).get("title", {})}
    if height is not None:
        settings["height"] = height
    for axis in ("xaxis", "yaxis"):  # automargin unless the margins are given
        settings[axis] = {"automargin": True, **settings.get(axis, {})}
    fig.update_layout(settings)  # once: each update validates the whole layout again
    return fig


def browser_template() -> dict:
    """plotly_white with the dashboard's settings (``HOUSE``) as its defaults, as JSON: sent
    once with figures built without any theme (e.g. from
    ``dart.reports.representativeness_figures``), for the browser to give each of them.
    Theming each of the dozens of figures a view builds took most of its time."""
    template = pio.templates[TEMPLATE].to_plotly_json()
    # Only what 2-D bar, scatter and heatmap figures read: the browser applies the template
    # again at every switch of the figures shown.
    layout = {k: v for k, v in template["layout"].items() if k not in UNUSED}
    return {"data": {k: template["data"][k] for k in TRACES},
            "layout": {**layout, **HOUSE}}


def empty_figure(title: str, message: str) -> go.Figure:
    """A titled figure with a centred note instead of data (e.g. nothing to show yet)."""
    return apply_theme(missing_figure(title, message), height=240)

