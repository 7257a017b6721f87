"""Plotly figures of a representativeness report, built by pure functions of its JSON.

The one set of figure builders: the HTML report (``render_html``) and the dashboard (which
receives the JSON from ``dart.web.services``) both call them. Each takes
``RepresentativenessResult.to_json()`` (disclosure-controlled except for an admin), which
already holds every share, ratio and interval, and returns a ``plotly.graph_objects.Figure``
with a title and axis titles; no Dash here.

Colours are Okabe–Ito (distinguishable with the common colour-vision deficiencies), with a
vermillion–white–blue diverging scale for the heatmap. A suppressed group has no bar, no
point and no cell value, and is labelled with the marker ("<8"), never drawn as 0; a
structural zero (the criteria make the group empty) is labelled "0 (structural)".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

Report = Mapping[str, Any]

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
SERIES_COLOURS = {"cohort": OKABE_ITO["blue"], "target": OKABE_ITO["orange"],
                  "base": OKABE_ITO["green"], "uk": OKABE_ITO["grey"]}
FLAG_COLOURS = {"under": OKABE_ITO["vermillion"], "over": OKABE_ITO["blue"]}
NEUTRAL = "#555555"
# Negative change (the rule lowers a group's ratio) reads as vermillion, like an "under" flag.
DIVERGING = [[0.0, OKABE_ITO["vermillion"]], [0.5, "#F7F7F7"], [1.0, OKABE_ITO["blue"]]]
BAND_COLOUR = "rgba(0, 158, 115, 0.12)"
SUPPRESSED = "<8"  # the default marker; a report names its own (``_marker``)
STRUCTURAL = "0 (structural)"
DEFAULT_THRESHOLDS = {"under": 0.8, "over": 1.25}


def dimension(report: Report, key: str) -> Mapping[str, Any] | None:
    """The dimension ``key`` ("sex", "age_band", ...) of the report, or None."""
    return next((d for d in report.get("dimensions", []) if d.get("key") == key), None)


def available_references(report: Report) -> list[Mapping[str, Any]]:
    """The references the report could compute, in its order."""
    return [r for r in report.get("references", []) if r.get("available")]


def reference_label(report: Report, key: str) -> str:
    """The reference's label ("Target population"), or its key if the report lacks it."""
    return next((r["label"] for r in report.get("references", []) if r.get("key") == key), key)


def _dimensions(report: Report, keys: Sequence[str] | None) -> list[Mapping[str, Any]]:
    dims = report.get("dimensions", [])
    return [d for d in dims if keys is None or d["key"] in keys]


def _marker(report: Report) -> str:
    """What a suppressed count reads as in this report (its "disclosure" says)."""
    return (report.get("disclosure") or {}).get("marker") or SUPPRESSED


def _pct(share: Mapping[str, Any] | None) -> float | None:
    if not share or share.get("suppressed") or share.get("share") is None:
        return None
    return round(100 * float(share["share"]), 1)


def _titled(fig: go.Figure, title: str, x_title: str, y_title: str, **layout: Any) -> go.Figure:
    fig.update_layout(title={"text": title}, xaxis_title=x_title, yaxis_title=y_title,
                      template="plotly_white", **layout)
    return fig


def missing_figure(title: str, message: str) -> go.Figure:
    """A titled figure with a centred note instead of data (nothing to show)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper",
                       yref="paper", font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _titled(fig, title, "", "", height=240)


def composition_figure(report: Report, key: str,
                       references: Sequence[str] | None = None) -> go.Figure:
    """Grouped bars: the cohort's share of each group beside each reference's share.

    ``references`` defaults to every available one. The "unknown" group is left out (it is
    outside the shares); a group whose cohort count is suppressed has no cohort bar and the
    marker ("<8") at its foot; a structural zero reads "0 (structural)".
    """
    dim = dimension(report, key)
    if dim is None:
        return missing_figure("Composition", "No such dimension")
    groups = [g for g in dim["groups"] if g.get("known", True)]
    labels = [g["label"] for g in groups]
    fig = go.Figure(go.Bar(name="Eligible cohort", x=labels,
                           y=[_pct(g["cohort"]) for g in groups],
                           marker_color=SERIES_COLOURS["cohort"]))
    for ref in available_references(report):
        if references is not None and ref["key"] not in references:
            continue
        fig.add_bar(name=ref["label"], x=labels,
                    y=[_pct(g["references"].get(ref["key"])) for g in groups],
                    marker_color=SERIES_COLOURS.get(ref["key"], OKABE_ITO["purple"]))
    for g in groups:
        text = (_marker(report) if g["cohort"].get("suppressed")
                else STRUCTURAL if g["cohort"].get("structural") else None)
        if text:
            fig.add_annotation(x=g["label"], y=0, text=text, showarrow=False,
                               yanchor="bottom", font={"color": NEUTRAL})
    return _titled(fig, f"{dim['label']}: eligible cohort compared with reference "
                        "populations", dim["label"], "Share of population (%)",
                   barmode="group", legend_title_text="Population")


def ratio_figure(report: Report, reference: str,
                 dimensions: Sequence[str] | None = None) -> go.Figure:
    """Each group's ratio against ``reference`` with its 95% interval, over the band.

    One row per known group of ``dimensions`` (default: all, labelled "Dimension: group");
    the shaded band is the report's thresholds (0.8–1.25 by default), the dotted line 1.
    Points are coloured by flag; a suppressed ratio has no point, only the word.
    """
    t = {**DEFAULT_THRESHOLDS, **(report.get("thresholds") or {})}
    dims = _dimensions(report, dimensions)
    several = len(dims) > 1
    labels, values, lows, highs, colours, hidden = [], [], [], [], [], []
    for dim in dims:
        for g in dim["groups"]:
            r = (g.get("ratios") or {}).get(reference)
            if r is None:
                continue
            label = f"{dim['label']}: {g['label']}" if several else g["label"]
            labels.append(label)
            value = None if r.get("suppressed") else r.get("ratio")
            values.append(value)
            if value is None:
                lows.append(None)
                highs.append(None)
                colours.append(NEUTRAL)
                hidden.append(label)
                continue
            lower, upper = r.get("lower"), r.get("upper")
            lows.append(value - (lower if lower is not None else value))
            highs.append((upper if upper is not None else value) - value)
            colours.append(FLAG_COLOURS.get(r.get("flag") or "", NEUTRAL))
    ref_label = reference_label(report, reference)
    prefix = "" if several or not dims else f"{dims[0]['label']}: "
    title = (f"{prefix}representation ratio against the {ref_label.lower()} "
             f"(95% CI; band {t['under']:g}–{t['over']:g})")
    if not labels:
        return missing_figure(title[0].upper() + title[1:], "No ratios to show")
    fig = go.Figure()
    fig.add_vrect(x0=t["under"], x1=t["over"], fillcolor=BAND_COLOUR, line_width=0,
                  annotation_text="in proportion", annotation_position="top left")
    fig.add_vline(x=1.0, line_dash="dot", line_color=NEUTRAL)
    fig.add_scatter(x=values, y=labels, mode="markers", name="Ratio (95% interval)",
                    marker={"color": colours, "size": 10, "symbol": "diamond"},
                    error_x={"type": "data", "symmetric": False, "array": highs,
                             "arrayminus": lows, "color": NEUTRAL},
                    hovertemplate="%{y}: %{x:.2f}<extra></extra>")
    for label in hidden:  # a ratio of a suppressed group (0..7 patients: true zeros too)
        fig.add_annotation(x=0, y=label, text=_marker(report), showarrow=False,
                           xanchor="left", font={"color": NEUTRAL})
    shown = [v + h for v, h in zip(values, highs, strict=True) if v is not None]
    x_max = min(max([2.0, *shown]), 5.0)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    return _titled(fig, title[0].upper() + title[1:], "Cohort share ÷ reference share",
                   "Group", xaxis_range=[0, x_max], showlegend=False,
                   height=max(320, 28 * len(labels) + 140))


def rule_impact_figure(report: Report, dimensions: Sequence[str] | None = None) -> go.Figure:
    """Heatmap, rules (file order) × known groups: the change in each group's ratio that
    the rule causes (ratio with every rule − ratio without this one; negative = it lowers
    the group). A suppressed group's cells are empty."""
    rules = sorted((report.get("rule_impact") or {}).get("rules") or [],
                   key=lambda r: r.get("index", 0))
    title = "Rule impact on each group's ratio (negative: the rule lowers it)"
    dims = _dimensions(report, dimensions)
    several = len(dims) > 1
    columns = [(d["key"], g["group"]) for d in dims for g in d["groups"]
               if g.get("known", True)]
    names = [f"{d['label']}: {g['label']}" if several else g["label"]
             for d in dims for g in d["groups"] if g.get("known", True)]
    if not rules or not columns:
        return missing_figure(title, "No rules to compare")
    z = []
    for rule in rules:
        by_key = {(c["dimension"], c["group"]): c.get("change") for c in rule["changes"]}
        z.append([by_key.get(col) for col in columns])
    limit = max((abs(v) for row in z for v in row if v is not None), default=0.0) or 0.1
    reference = (report.get("rule_impact") or {}).get("reference")
    # The reference goes on the colour bar: the title must fit a half-width dashboard panel.
    legend = "Change in ratio" + (f"<br>(vs {reference_label(report, reference).lower()})"
                                  if reference else "")
    fig = go.Figure(go.Heatmap(
        z=z, x=names, y=[_rule_name(r) for r in rules], colorscale=DIVERGING,
        zmin=-limit, zmax=limit, zmid=0, xgap=2, ygap=2,
        colorbar={"title": {"text": legend}, "len": 0.9},
        texttemplate="%{z:+.2f}", hovertemplate="%{y}<br>%{x}: %{z:+.2f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _titled(fig, title, "Group", "Rule", height=max(320, 44 * len(rules) + 200))


def _rule_name(rule: Mapping[str, Any]) -> str:
    kind = rule.get("kind")
    return f"{kind} '{rule['label']}'" if kind else rule["label"]
