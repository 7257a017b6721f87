"""Figures of the representativeness view: pure functions of the report's JSON.

The report (``RepresentativenessResult.to_json()``, disclosure-controlled) already holds every
share, ratio and interval; these functions only draw them. Shares are shown as percentages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboards.theme import OKABE_ITO, empty_figure, style_figure

COHORT_COLOUR = OKABE_ITO["blue"]
REFERENCE_COLOURS = {"target": OKABE_ITO["orange"], "base": OKABE_ITO["green"],
                     "uk": OKABE_ITO["grey"]}
# Diverging blue–white–orange: readable with the common colour-vision deficiencies.
DIVERGING = [[0.0, OKABE_ITO["vermillion"]], [0.5, "#f7f7f7"], [1.0, OKABE_ITO["blue"]]]

Report = Mapping[str, Any]


def dimension(report: Report, key: str) -> Mapping[str, Any] | None:
    """The dimension ``key`` of the report, or None."""
    return next((d for d in report.get("dimensions", []) if d.get("key") == key), None)


def available_references(report: Report) -> list[Mapping[str, Any]]:
    """The references the report could compute, in its order."""
    return [r for r in report.get("references", []) if r.get("available")]


def _pct(share: Mapping[str, Any] | None) -> float | None:
    if not share or share.get("suppressed") or share.get("share") is None:
        return None
    return round(100 * float(share["share"]), 1)


def shares_figure(report: Report, key: str) -> go.Figure:
    """Grouped bars: the cohort's share of each group beside each reference population's."""
    dim = dimension(report, key)
    if dim is None:
        return empty_figure("Composition", "No such dimension")
    groups = [g for g in dim["groups"] if g.get("known", True)]
    labels = [g["label"] for g in groups]
    fig = go.Figure(go.Bar(name="Cohort", x=labels, y=[_pct(g["cohort"]) for g in groups],
                           marker_color=COHORT_COLOUR))
    for ref in available_references(report):
        fig.add_bar(name=ref["label"], x=labels,
                    y=[_pct(g["references"].get(ref["key"])) for g in groups],
                    marker_color=REFERENCE_COLOURS.get(ref["key"], OKABE_ITO["purple"]))
    fig.update_layout(barmode="group")
    return style_figure(fig, f"{dim['label']}: cohort compared with reference populations",
                        dim["label"], "Share of population (%)")


def ratio_figure(report: Report, key: str, reference: str) -> go.Figure:
    """Ratio of cohort share to reference share per group, 95% intervals, 0.8–1.25 band."""
    dim = dimension(report, key)
    if dim is None:
        return empty_figure("Representation ratio", "No such dimension")
    thresholds = report.get("thresholds") or {"under": 0.8, "over": 1.25}
    rows = [g for g in dim["groups"] if g.get("ratios", {}).get(reference)]
    ratios = [g["ratios"][reference] for g in rows]
    labels = [g["label"] for g in rows]
    values = [r.get("ratio") for r in ratios]
    upper = [(r["upper"] - r["ratio"]) if r.get("upper") is not None and r.get("ratio")
             is not None else None for r in ratios]
    lower = [(r["ratio"] - r["lower"]) if r.get("lower") is not None and r.get("ratio")
             is not None else None for r in ratios]
    fig = go.Figure(go.Scatter(
        x=labels, y=values, mode="markers", name="Ratio (95% interval)",
        marker={"size": 11, "color": COHORT_COLOUR, "symbol": "diamond"},
        error_y={"type": "data", "array": upper, "arrayminus": lower, "visible": True,
                 "color": OKABE_ITO["black"]},
        hovertemplate="%{x}: %{y:.2f}<extra></extra>",
    ))
    fig.add_hrect(y0=thresholds["under"], y1=thresholds["over"], line_width=0,
                  fillcolor=OKABE_ITO["green"], opacity=0.12,
                  annotation_text=f"{thresholds['under']}–{thresholds['over']}: "
                                  "represented", annotation_position="top left")
    fig.add_hline(y=1, line_dash="dash", line_color=OKABE_ITO["grey"])
    ref_label = next((r["label"] for r in report.get("references", [])
                      if r.get("key") == reference), reference)
    return style_figure(fig, f"{dim['label']}: representation ratio against {ref_label}",
                        dim["label"], "Cohort share ÷ reference share")


def heatmap_figure(report: Report, dimensions: Sequence[str] | None = None) -> go.Figure:
    """Rules × groups: how much each rule changes each group's ratio (with − without)."""
    rules = (report.get("rule_impact") or {}).get("rules") or []
    if not rules:
        return empty_figure("Rule impact on representation", "No rules to compare")
    columns: list[tuple[str, str]] = []
    for rule in rules:
        for c in rule.get("changes", []):
            col = (c["dimension"], c["label"])
            if col not in columns and (dimensions is None or c["dimension"] in dimensions):
                columns.append(col)
    z = []
    for rule in rules:
        changes = {(c["dimension"], c["label"]): c.get("change") for c in rule["changes"]}
        z.append([changes.get(col) for col in columns])
    bound = max((abs(v) for row in z for v in row if v is not None), default=0.1) or 0.1
    fig = go.Figure(go.Heatmap(
        z=z, x=[g if dimensions and len(dimensions) == 1 else f"{d}: {g}" for d, g in columns],
        y=[r["label"] for r in rules],
        colorscale=DIVERGING, zmin=-bound, zmax=bound, zmid=0,
        colorbar={"title": {"text": "Change in ratio"}, "len": 0.9},
        texttemplate="%{z:+.2f}", hovertemplate="%{y}<br>%{x}: %{z:+.2f}<extra></extra>",
        xgap=2, ygap=2,
    ))
    fig.update_yaxes(autorange="reversed")
    return style_figure(fig, "Rule impact on each group's ratio (negative: the rule lowers it)",
                        "Group", "Rule",
                        height=max(320, 140 + 44 * len(rules)))
