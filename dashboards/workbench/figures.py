"""Figures of the criteria workbench: pure functions of a ``FeasibilityView``.

Every bar is labelled with its count as published and its share: a zero reads "0", a
suppressed count the result's marker ("<8") and no bar, a structural zero "0 (excluded by
criteria)", so none is mistaken for another. The funnel is drawn on a log axis so a step
of 50 next to a base of 20,000 is still a bar that can be read.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.colors import make_colorscale, sample_colorscale

from dart.reports.palette import SEQUENTIAL
from dashboards.theme import OKABE_ITO, empty_figure, styled_figure
from dashboards.workbench.geography import ASPECT, boundaries
from dashboards.workbench.model import Breakdown, FeasibilityView, Step

PRACTICES_SHOWN = 20
GREY = "#595959"  # 7:1 on white: readable text for the notes beside empty bars
COLOURS = {"age_band": OKABE_ITO["blue"], "sex": OKABE_ITO["orange"],
           "ethnicity": OKABE_ITO["green"], "imd_quintile": OKABE_ITO["purple"],
           "region": OKABE_ITO["sky_blue"], "nation": OKABE_ITO["vermillion"],
           "practice": OKABE_ITO["blue"]}
SCALE = make_colorscale(list(SEQUENTIAL))
# The map's regions without a count to colour by: hatched, dotted, named in the legend.
PATTERNS = {"suppressed": {"shape": "/", "fgcolor": GREY, "size": 8, "solidity": 0.2},
            "structural": {"shape": ".", "fgcolor": GREY, "size": 8, "solidity": 0.2}}
# London is too small to hold its label: it sits out to the east, with a line to London.
LABEL_OFFSETS = {"London": (60, -12)}
LEGEND = {"suppressed": "Too few to publish (shown as the marker)",
          "structural": "Excluded by the criteria"}


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
    bar = {
        "type": "bar", "x": drawn, "y": labels, "orientation": "h",
        "marker": {"color": colour}, "name": x_title,
        "text": [bar_text(s) if s.count else "" for s in steps], "textposition": "outside",
        "cliponaxis": False, "hovertext": [bar_text(s) for s in steps],
        "hovertemplate": "%{y}: %{hovertext}<extra></extra>",
    }
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
    height = max(240, 80 + 30 * len(steps))
    return styled_figure([bar], {"annotations": notes, "xaxis": xaxis, "yaxis": yaxis},
                         title, x_title, y_title, height=height, labels=labels)


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


def region_colour(count: int, top: int) -> str:
    """A region's fill: its count's place between 0 and the largest on the sequential
    scale."""
    return sample_colorscale(SCALE, [count / top if top else 0.0])[0]


def map_figure(view: FeasibilityView) -> go.Figure:
    """Where the eligible patients are: each region filled by its count (darker, more),
    labelled with the count as published; hover gives the region, count and share.

    A suppressed region is white hatched with grey and labelled with the marker, a group
    the criteria exclude white dotted, so neither is read as a count. No map tiles: the
    shipped outlines (``geography``) on hidden axes, longitude scaled to latitude.
    """
    title = "Where the eligible patients are (by region)"
    regions = view.breakdown("region")
    steps = {s.group: s for s in (regions.groups if regions else [])}
    uk = boundaries()
    if not set(steps) & set(uk.shapes):
        return empty_figure(title, "The result has no regions to place")
    top = max((s.count or 0 for s in steps.values() if not s.structural), default=0)
    traces, notes, legend = [], [], set()
    for name, shape in uk.shapes.items():
        step = steps.get(name)
        kind = ("missing" if step is None else "structural" if step.structural
                else "suppressed" if step.count is None else "count")
        traces.append({
            "type": "scatter", "x": shape.lon, "y": shape.lat, "mode": "lines",
            "fill": "toself", "hoveron": "fills",
            "line": {"color": "white" if kind == "count" else GREY, "width": 0.8},
            "fillcolor": region_colour(step.count, top) if kind == "count" else "white",
            "hoverinfo": "text", "text": map_hover(name, step), "name": LEGEND.get(kind, name),
            "legendgroup": kind, "showlegend": kind in LEGEND and kind not in legend,
            **({"fillpattern": PATTERNS[kind]} if kind in PATTERNS else {})})
        legend.add(kind)
        if step is not None:
            ax, ay = LABEL_OFFSETS.get(name, (0, 0))
            notes.append({"x": shape.label[0], "y": shape.label[1], "showarrow": bool(ax),
                          "ax": ax, "ay": ay, "arrowcolor": GREY, "arrowwidth": 1,
                          "text": "excluded" if step.structural else step.text,
                          "font": {"size": 11}, "bgcolor": "rgba(255,255,255,0.8)"})
    # The colour scale's key: one invisible point carrying the scale.
    traces.append({
        "type": "scatter", "x": [uk.longitudes[0]], "y": [uk.latitudes[0]], "mode": "markers",
        "hoverinfo": "skip", "showlegend": False,
        "marker": {"color": [0], "cmin": 0, "cmax": top or 1, "opacity": 0,
                   "colorscale": SCALE, "showscale": True,
                   "colorbar": {"title": {"text": "Eligible"}, "len": 0.5, "thickness": 14}}})
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    return styled_figure(traces, {
        "annotations": notes, "showlegend": bool(legend & set(LEGEND)),
        "margin": {"b": 10},  # no x axis to make room for
        "xaxis": {**hidden, "range": _padded(uk.longitudes)},
        "yaxis": {**hidden, "range": _padded(uk.latitudes), "scaleanchor": "x",
                  "scaleratio": ASPECT}}, title, "Longitude", "Latitude", height=590)


def map_hover(name: str, step: Step | None) -> str:
    """What hovering on a region says: its name, the count as published and its share of
    the eligible."""
    if step is None:
        return f"{name}: no count in the result"
    share = "" if step.percent is None or not step.count else \
        f" ({step.percent:.1f}% of the eligible)"
    return f"{name}: {step.text} eligible{share}"


def _padded(extent: tuple[float, float]) -> list[float]:
    low, high = extent
    return [low - 0.1, high + 0.1]
