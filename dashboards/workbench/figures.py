"""Figures of the criteria workbench: pure functions of a ``FeasibilityView``.

Every bar is labelled with its count as published and its share: a zero reads "0", a
suppressed count the result's marker ("<8") and no bar, a structural zero "0 (excluded by
criteria)", so none is mistaken for another. The funnel is drawn on a log axis so a step
of 50 next to a base of 20,000 is still a bar that can be read.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from dashboards.theme import OKABE_ITO, empty_figure, style_figure
from dashboards.workbench.geography import ASPECT, CENTRES, LATITUDES, LONGITUDES
from dashboards.workbench.model import Breakdown, FeasibilityView, Step

PRACTICES_SHOWN = 20
# Where each region's label goes around its bubble, so that neighbours' labels do not meet.
LABEL_SIDES = {"London": "bottom right", "South East": "bottom center",
               "East of England": "middle right", "East Midlands": "top right",
               "West Midlands": "middle left", "Yorkshire and The Humber": "top right",
               "North West": "middle left", "North East": "top right", "Wales": "middle left",
               "South West": "bottom left", "Scotland": "top center",
               "Northern Ireland": "middle left"}
GREY = "#595959"  # 7:1 on white: readable text for the notes beside empty bars
COLOURS = {"age_band": OKABE_ITO["blue"], "sex": OKABE_ITO["orange"],
           "ethnicity": OKABE_ITO["green"], "imd_quintile": OKABE_ITO["purple"],
           "region": OKABE_ITO["sky_blue"], "nation": OKABE_ITO["vermillion"],
           "practice": OKABE_ITO["blue"]}


def bar_text(step: Step) -> str:
    """The label of a bar: the count as published, and its share when there is one."""
    if step.count is None or step.structural or step.percent is None:
        return step.text
    return f"{step.text} ({step.percent:.1f}%)"


def _hbar(steps: list[Step], title: str, x_title: str, y_title: str, colour: str,
          log: bool = False) -> go.Figure:
    """Horizontal bars, top to bottom in the given order, each one labelled."""
    if not steps:
        return empty_figure(title, "Nothing to show")
    labels = [s.label for s in steps]
    drawn = [s.count if s.count else None for s in steps]  # no bar for 0 or suppressed
    bar = go.Bar(
        x=drawn, y=labels, orientation="h", marker_color=colour, name=x_title,
        text=[bar_text(s) if s.count else "" for s in steps], textposition="outside",
        cliponaxis=False, hovertext=[bar_text(s) for s in steps],
        hovertemplate="%{y}: %{hovertext}<extra></extra>",
    )
    notes = [{"x": 0, "xref": "paper", "y": step.label, "text": bar_text(step),
              "showarrow": False, "xanchor": "left", "font": {"color": GREY}}
             for step in steps if not step.count]
    # "category": labels such as IMD quintile "2" are names, not numbers (as numbers, the
    # note for "4" would land on the fifth row)
    yaxis = {"type": "category", "autorange": "reversed", "categoryorder": "array",
             "categoryarray": labels}
    xaxis: dict = {}
    top = max((s.count or 0 for s in steps), default=0)
    if log and top:
        # Room on the right for the labels; the left end stays below the smallest bar.
        smallest = min(s.count for s in steps if s.count)
        xaxis = {"type": "log", "range": [math.log10(max(smallest / 3, 0.8)),
                                          math.log10(top) + 0.6],
                 "dtick": 1, "tickformat": ","}  # ticks at powers of ten only
    elif top:
        xaxis = {"range": [0, top * 1.5]}
    # One figure made whole: each later update validates the layout again (a Run draws ten).
    fig = go.Figure(bar, layout={"annotations": notes, "xaxis": xaxis, "yaxis": yaxis})
    height = max(240, 80 + 30 * len(steps))
    return style_figure(fig, title, x_title, y_title, height=height)


def funnel_figure(view: FeasibilityView) -> go.Figure:
    """The attrition funnel: the base, then the patients left after each rule in file order,
    on a log axis, each bar labelled with its count and its share of the base."""
    return _hbar(view.funnel, "Attrition: patients remaining after each rule (log scale)",
                 "Patients remaining (log scale; % of the base population)", "Step",
                 OKABE_ITO["blue"], log=True)


def impact_figure(view: FeasibilityView) -> go.Figure:
    """Each rule's unique impact: how many more would be eligible without that rule alone."""
    steps = sorted(view.impact, key=lambda s: (s.count is None, -(s.count or 0), s.label))
    return _hbar(steps, "Unique impact of each rule (extra patients if removed)",
                 "Patients excluded by this rule alone (% of the base)", "Rule",
                 OKABE_ITO["vermillion"])


def breakdown_figure(breakdown: Breakdown) -> go.Figure:
    """Eligible patients by one dimension, with counts and shares of the eligible.

    Groups keep the result's order (age bands, quintiles) except practices and regions,
    largest first; practices are limited to the largest ``PRACTICES_SHOWN`` (the table
    lists them all).
    """
    steps = breakdown.groups
    title = f"Eligible patients by {breakdown.label.lower()}"
    if breakdown.key in ("practice", "region"):
        steps = sorted(steps, key=lambda s: (s.count is None, -(s.count or 0), s.label))
    if breakdown.key == "practice":
        steps = [s for s in steps if s.count != 0]
        if len(steps) > PRACTICES_SHOWN:
            title += f" (largest {PRACTICES_SHOWN} of {len(steps)})"
            steps = steps[:PRACTICES_SHOWN]
    return _hbar(steps, title, "Eligible patients (% of the eligible)", breakdown.label,
                 COLOURS.get(breakdown.key, OKABE_ITO["blue"]))


def map_figure(view: FeasibilityView) -> go.Figure:
    """Where the eligible patients are: a bubble per region at its centre, area by count.

    A suppressed region is a hollow grey ring labelled with the marker; a region with none
    a small grey dot labelled 0. No map tiles: plain longitude and latitude axes.
    """
    title = "Where the eligible patients are (by region; bubble area shows the count)"
    regions = view.breakdown("region")
    placed = [s for s in (regions.groups if regions else []) if s.group in CENTRES]
    if not placed:
        return empty_figure(title, "The result has no regions to place")
    top = max((s.count or 0 for s in placed), default=0) or 1
    lon = [CENTRES[s.group][0] for s in placed]
    lat = [CENTRES[s.group][1] for s in placed]
    sizes = [12 + 48 * math.sqrt((s.count or 0) / top) for s in placed]
    fig = go.Figure(go.Scatter(
        x=lon, y=lat, mode="markers+text", text=[f"{s.label}: {bar_text(s)}" for s in placed],
        textposition=[LABEL_SIDES.get(s.group, "bottom center") for s in placed],
        textfont={"size": 11},
        marker={"size": sizes, "sizemode": "diameter",
                "color": [OKABE_ITO["blue"] if s.count else "rgba(0,0,0,0)" for s in placed],
                "line": {"color": [OKABE_ITO["blue"] if s.count else GREY for s in placed],
                         "width": 2}, "opacity": 0.8},
        hovertemplate="%{text}<extra></extra>", name="Eligible patients",
    ))
    fig.update_xaxes(range=list(LONGITUDES), showgrid=False, zeroline=False,
                     showticklabels=False)
    fig.update_yaxes(range=list(LATITUDES), showgrid=False, zeroline=False,
                     showticklabels=False, scaleanchor="x", scaleratio=ASPECT)
    fig = style_figure(fig, title, "West ← longitude → east", "South ← latitude → north",
                       height=640)
    fig.update_layout(showlegend=False, plot_bgcolor="#f2f6fa")
    return fig
