"""Colours and figure styling shared by every view.

Okabe-Ito colours (Okabe & Ito, 2008) stay distinct under the common colour-vision
deficiencies; every figure gets a title and axis titles through ``style_figure`` so that no
builder forgets them.
"""

from __future__ import annotations

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


def style_figure(fig: go.Figure, title: str, x_title: str, y_title: str,
                 height: int = 360) -> go.Figure:
    """Give ``fig`` a title, axis titles, the palette and a quiet laptop-sized layout."""
    fig.update_layout(title={"text": title}, xaxis_title=x_title, yaxis_title=y_title)
    return apply_theme(fig, height)


def apply_theme(fig: go.Figure, height: int | None = None,
                template: str | None = TEMPLATE) -> go.Figure:
    """The dashboard's look (font, palette, margins, legend) on a figure that already has
    its titles, e.g. one from ``dart.reports.representativeness_figures``.

    ``template=None`` leaves the template out, for figures that the browser gives it."""
    if template:
        fig.update_layout(template=template)
    fig.update_layout(
        title={"x": 0.01, "xanchor": "left"},
        colorway=SEQUENCE,
        font={"family": FONT, "size": 13},
        # The legend sits above the plot, under the title: below, it ran into slanted
        # axis labels.
        margin={"l": 10, "r": 20, "t": 80, "b": 40},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
    )
    if height is not None:
        fig.update_layout(height=height)
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    return fig


def empty_figure(title: str, message: str) -> go.Figure:
    """A titled figure with a centred note instead of data (e.g. nothing to show yet)."""
    return apply_theme(missing_figure(title, message), height=240)

