"""Colours and figure styling shared by every view.

Okabe-Ito colours (Okabe & Ito, 2008) stay distinct under the common colour-vision
deficiencies; every figure gets a title and axis titles through ``style_figure`` so that no
builder forgets them.
"""

from __future__ import annotations

import plotly.graph_objects as go

# One palette for DART's figures: the representativeness builders (shared with the HTML
# report) define it, and every dashboard view uses it.
from dart.analysis.disclosure.policy import count_text
from dart.analysis.representativeness_figures import OKABE_ITO, missing_figure

SEQUENCE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "sky_blue",
                                   "purple", "yellow", "black")]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
MARKER = "<8"  # the default policy's; views take a result's own from its "disclosure"


def style_figure(fig: go.Figure, title: str, x_title: str, y_title: str,
                 height: int = 360) -> go.Figure:
    """Give ``fig`` a title, axis titles, the palette and a quiet laptop-sized layout."""
    fig.update_layout(title={"text": title}, xaxis_title=x_title, yaxis_title=y_title)
    return apply_theme(fig, height)


def apply_theme(fig: go.Figure, height: int | None = None) -> go.Figure:
    """The dashboard's look (font, palette, margins, legend) on a figure that already has
    its titles, e.g. one from ``dart.analysis.representativeness_figures``."""
    fig.update_layout(
        title={"x": 0.01, "xanchor": "left"},
        colorway=SEQUENCE,
        font={"family": FONT, "size": 13},
        template="plotly_white",
        margin={"l": 10, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    if height is not None:
        fig.update_layout(height=height)
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    return fig


def empty_figure(title: str, message: str) -> go.Figure:
    """A titled figure with a centred note instead of data (e.g. nothing to show yet)."""
    return apply_theme(missing_figure(title, message), height=240)


def format_count(value: int | None, marker: str = MARKER, structural: bool = False) -> str:
    """A published count for display, the engine's one formatting: ``"<8"`` (a count of
    0..7, never 0), ``"0 (structural)"`` (the criteria make it empty) or ``"1,234"``."""
    return count_text(value, marker=marker, structural=structural)


def marker_of(result) -> str:
    """The marker of a result's JSON (``"disclosure": {"marker": "<8"}``)."""
    return ((result or {}).get("disclosure") or {}).get("marker") or MARKER
