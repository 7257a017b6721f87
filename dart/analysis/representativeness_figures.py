"""Plotly figures of a representativeness result, built by pure functions.

Used by the HTML report and the Dash dashboard alike: each function takes the result object
and returns a ``plotly.graph_objects.Figure``; no Dash here. Colours are the Okabe–Ito
palette (distinguishable with the common colour-vision deficiencies) and a blue–orange
diverging scale for the heatmap. Suppressed groups have no bar, no point and no cell value.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dart.analysis.representativeness.model import REFERENCE_LABELS, RepresentativenessResult

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
SERIES_COLOURS = {"cohort": OKABE_ITO[0], "target": OKABE_ITO[1], "base": OKABE_ITO[2],
                  "uk": OKABE_ITO[3]}
DIVERGING = [[0.0, "#B35806"], [0.5, "#F7F7F7"], [1.0, "#2166AC"]]  # orange–white–blue
BAND_COLOUR = "rgba(0, 158, 115, 0.12)"


def composition_figure(result: RepresentativenessResult, dimension: str,
                       references: tuple[str, ...] = ("target", "uk")) -> go.Figure:
    """Grouped bars: the cohort's share of each group against the references' shares."""
    dim = result.dimension(dimension)
    rows = [r for r in dim.rows if r.known]
    labels = [r.label for r in rows]
    fig = go.Figure()
    fig.add_bar(name="Eligible cohort", x=labels,
                y=[None if r.cohort.suppressed else _pct(r.cohort.share) for r in rows],
                marker_color=SERIES_COLOURS["cohort"])
    for ref in references:
        if ref not in result.available_references:
            continue
        cells = [r.references[ref] for r in rows]
        fig.add_bar(name=REFERENCE_LABELS[ref], x=labels,
                    y=[None if c.suppressed else _pct(c.share) for c in cells],
                    marker_color=SERIES_COLOURS[ref])
    fig.update_layout(barmode="group", title=f"Composition by {dim.label.lower()}",
                      xaxis_title=dim.label, yaxis_title="Share of population (%)",
                      legend_title_text="Population", template="plotly_white")
    return fig


def ratio_figure(result: RepresentativenessResult, reference: str) -> go.Figure:
    """Each group's ratio against ``reference`` with its 95% interval, over the flag bands."""
    labels, values, lows, highs, colours = [], [], [], [], []
    for dim in result.dimensions:
        for row in dim.rows:
            r = row.ratios.get(reference)
            if r is None or r.suppressed or r.value is None:
                continue
            labels.append(f"{dim.label}: {row.label}")
            values.append(r.value)
            lows.append(r.value - (r.lower if r.lower is not None else r.value))
            highs.append((r.upper if r.upper is not None else r.value) - r.value)
            colours.append({"under": OKABE_ITO[5], "over": OKABE_ITO[0]}.get(r.flag or "",
                                                                              "#555555"))
    t = result.thresholds
    fig = go.Figure()
    fig.add_vrect(x0=t.under, x1=t.over, fillcolor=BAND_COLOUR, line_width=0,
                  annotation_text="in proportion", annotation_position="top left")
    fig.add_vline(x=1.0, line_dash="dot", line_color="#555555")
    fig.add_scatter(x=values, y=labels, mode="markers", name="ratio",
                    marker={"color": colours, "size": 9},
                    error_x={"type": "data", "symmetric": False, "array": highs,
                             "arrayminus": lows, "color": "#555555"})
    x_max = max([2.0, *(v + h for v, h in zip(values, highs, strict=True))])
    fig.update_layout(
        title=f"Representation ratio against the {REFERENCE_LABELS[reference].lower()} "
              f"(95% CI; band {t.under:g}-{t.over:g})",
        xaxis_title="Cohort share / reference share", yaxis_title="Group",
        xaxis_range=[0, min(x_max, 5.0)], showlegend=False, template="plotly_white",
        height=max(400, 22 * len(labels) + 120), yaxis={"autorange": "reversed"})
    return fig


def rule_impact_figure(result: RepresentativenessResult) -> go.Figure:
    """Heatmap: rules × groups, the change in each group's ratio the rule causes
    (ratio with every rule − ratio without this one; negative = the rule lowers it)."""
    impacts = sorted(result.rule_impacts, key=lambda r: r.index)
    columns: list[tuple[str, str]] = []
    names: list[str] = []
    for dim in result.dimensions:
        for row in dim.rows:
            if row.known:
                columns.append((dim.key, row.group))
                names.append(f"{dim.label}: {row.label}")
    z = []
    for impact in impacts:
        by_key = {(c.dimension, c.group): c.change for c in impact.changes}
        z.append([by_key.get(k) for k in columns])
    finite = [abs(v) for line in z for v in line if v is not None]
    limit = max(finite, default=0.0) or 1.0
    fig = go.Figure(go.Heatmap(
        z=z, x=names, y=[f"{i.kind} '{i.label}'" for i in impacts], colorscale=DIVERGING,
        zmin=-limit, zmax=limit, zmid=0, colorbar={"title": "Change in ratio"},
        hovertemplate="%{y}<br>%{x}<br>change %{z:.2f}<extra></extra>"))
    reference = REFERENCE_LABELS.get(result.rule_reference or "base", "").lower()
    fig.update_layout(title=f"What each rule does to representation (against the {reference})",
                      xaxis_title="Group", yaxis_title="Rule", template="plotly_white",
                      height=max(350, 40 * len(impacts) + 250))
    return fig


def _pct(share: float | None) -> float | None:
    return None if share is None else 100 * share
