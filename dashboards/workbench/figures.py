"""Figures of the criteria workbench: pure functions of a ``FeasibilityView``.

Suppressed counts are drawn as no bar with the result's marker ("<8") beside the axis, never
as a bar of length 0, so a reader cannot mistake them for zero; a structural zero reads
"0 (structural)"; a real count is a bar with its number.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards.theme import OKABE_ITO, empty_figure, format_count, style_figure
from dashboards.workbench.model import FeasibilityView, Step


def _hbar(steps: list[Step], title: str, x_title: str, y_title: str, colour: str,
          ordered: bool = False, marker: str = "<8") -> go.Figure:
    """Horizontal bars, top to bottom in the given order (or largest first)."""
    if not steps:
        return empty_figure(title, "Nothing to show")
    if ordered:
        steps = sorted(steps, key=lambda s: (s.count is None, -(s.count or 0), s.label))
    labels = [s.label for s in steps]
    values = [s.count for s in steps]
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker_color=colour,
        text=[f"{v:,}" if v is not None else "" for v in values], textposition="auto",
        hovertemplate="%{y}: %{x:,}<extra></extra>", name=x_title,
    ))
    for step in steps:
        if step.count is None or step.structural:
            fig.add_annotation(x=0, y=step.label, showarrow=False, xanchor="left",
                               text=format_count(step.count, marker, step.structural),
                               font={"color": OKABE_ITO["grey"]})
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    height = max(240, 70 + 34 * len(steps))
    return style_figure(fig, title, x_title, y_title, height=height)


def funnel_figure(view: FeasibilityView) -> go.Figure:
    """The attrition funnel: the base, then the patients left after each rule in file order."""
    return _hbar(view.funnel, "Attrition: patients remaining after each rule",
                 "Patients remaining", "Step", OKABE_ITO["blue"], marker=view.marker)


def impact_figure(view: FeasibilityView) -> go.Figure:
    """Each rule's unique impact: how many more would be eligible without that rule alone."""
    return _hbar(view.impact, "Unique impact of each rule (extra patients if removed)",
                 "Patients excluded by this rule alone", "Rule", OKABE_ITO["vermillion"],
                 ordered=True, marker=view.marker)


def region_figure(view: FeasibilityView) -> go.Figure:
    """Eligible patients by region, largest first."""
    return _hbar(view.regions, "Eligible patients by region", "Eligible patients", "Region",
                 OKABE_ITO["green"], ordered=True, marker=view.marker)


def nation_figure(view: FeasibilityView) -> go.Figure:
    """Eligible patients by nation, largest first."""
    return _hbar(view.nations, "Eligible patients by nation", "Eligible patients", "Nation",
                 OKABE_ITO["sky_blue"], ordered=True, marker=view.marker)
