"""Plotly figures of a representativeness report, built by pure functions of its JSON.

The one set of figure builders: the HTML report (``render_html``) and the dashboard (which
receives the JSON from ``dart.app.services``) both call them. Each takes
``RepresentativenessResult.to_json()`` (disclosure-controlled except for an admin), which
already holds every share, ratio and interval, and returns a ``plotly.graph_objects.Figure``
with a title and axis titles; no Dash here.

Colours are Okabe–Ito (distinguishable with the common colour-vision deficiencies), with a
vermillion–white–blue diverging scale for the heatmap. A suppressed group has no bar, no
point and no cell value, and is labelled with the result's marker (``disclosure.marker``),
never drawn as 0. A group the criteria exclude by design (its cohort share marked
``"structural": true``) is labelled "excluded by criteria" and never flagged: its absence is
what the criteria ask for, not a gap.
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
SUPPRESSED = "suppressed"
BY_DESIGN = "excluded by criteria"
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


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Target population" -> "target population", but "UK
    population" keeps its capitals (an initialism is not a capitalised word)."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def marker(report: Report) -> str:
    """What a suppressed count reads as in this report."""
    return (report.get("disclosure") or {}).get("marker") or SUPPRESSED


def by_design(group: Mapping[str, Any]) -> bool:
    """Whether the criteria exclude this group by design (a structural zero)."""
    return bool((group.get("cohort") or {}).get("structural"))


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


TEMPLATE = "plotly_white"


def _titled(fig: go.Figure, title: str, x_title: str, y_title: str,
            template: str | None = TEMPLATE, **layout: Any) -> go.Figure:
    # ``template=None`` leaves the template to the caller: copying plotly's template into
    # a figure costs far more than building it, which counts when a view builds dozens.
    if template:
        layout["template"] = template
    fig.update_layout(title={"text": title}, xaxis_title=x_title, yaxis_title=y_title,
                      **layout)
    return fig


def missing_figure(title: str, message: str, template: str | None = TEMPLATE) -> go.Figure:
    """A titled figure with a centred note instead of data (nothing to show)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper",
                       yref="paper", font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _titled(fig, title, "", "", template, height=240)


def composition_figure(report: Report, key: str, references: Sequence[str] | None = None,
                       template: str | None = TEMPLATE) -> go.Figure:
    """Grouped bars: the cohort's share of each group beside each reference's share.

    ``references`` defaults to every available one. The "unknown" group is left out (it is
    outside the shares); a group whose cohort count is suppressed has no cohort bar and the
    marker ("<8") at its foot; a structural zero reads "0 (structural)".
    """
    dim = dimension(report, key)
    if dim is None:
        return missing_figure("Composition", "No such dimension", template)
    groups = [g for g in dim["groups"] if g.get("known", True)]
    labels = [g["label"] for g in groups]
    # shares with one decimal everywhere, "8.0%" and never "8"
    hover = "%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>"
    fig = go.Figure(go.Bar(name="Eligible cohort", x=labels,
                           y=[_pct(g["cohort"]) for g in groups],
                           marker_color=SERIES_COLOURS["cohort"], hovertemplate=hover))
    for ref in available_references(report):
        if references is not None and ref["key"] not in references:
            continue
        fig.add_bar(name=ref["label"], x=labels,
                    y=[_pct(g["references"].get(ref["key"])) for g in groups],
                    marker_color=SERIES_COLOURS.get(ref["key"], OKABE_ITO["purple"]),
                    hovertemplate=hover)
    for g in groups:
        note = BY_DESIGN if by_design(g) else (
            marker(report) if g["cohort"].get("suppressed") else None)
        if note:
            fig.add_annotation(x=g["label"], y=0, text=note, showarrow=False, textangle=-90,
                               yanchor="bottom", font={"color": NEUTRAL, "size": 11})
    # The legend sits above the plot: long group names, slanted, then never run into it.
    return _titled(fig, f"{dim['label']}: eligible cohort compared with reference "
                        "populations", dim["label"], "Share of population (%)", template,
                   barmode="group", legend_title_text="Population",
                   legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
                   xaxis_tickangle=-35 if len(groups) > 6 else 0,
                   xaxis_type="category")  # IMD quintile "2" is a name, not a number


def ratio_figure(report: Report, reference: str, dimensions: Sequence[str] | None = None,
                 template: str | None = TEMPLATE) -> go.Figure:
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
            value = None if r.get("suppressed") or by_design(g) else r.get("ratio")
            values.append(value)
            if value is None:
                lows.append(None)
                highs.append(None)
                colours.append(NEUTRAL)
                hidden.append((label, BY_DESIGN if by_design(g) else marker(report)))
                continue
            lower, upper = r.get("lower"), r.get("upper")
            lows.append(value - (lower if lower is not None else value))
            highs.append((upper if upper is not None else value) - value)
            colours.append(FLAG_COLOURS.get(r.get("flag") or "", NEUTRAL))
    ref_label = reference_label(report, reference)
    prefix = "" if several or not dims else f"{dims[0]['label']}: "
    title = (f"{prefix}representation ratio against the {in_sentence(ref_label)} "
             f"(95% CI; band {t['under']:g}–{t['over']:g})")
    if not labels:
        return missing_figure(title[0].upper() + title[1:], "No ratios to show", template)
    fig = go.Figure()
    # The band is named in the axis title, not by an annotation that would sit on points.
    fig.add_vrect(x0=t["under"], x1=t["over"], fillcolor=BAND_COLOUR, line_width=0)
    fig.add_vline(x=1.0, line_dash="dot", line_color=NEUTRAL)
    fig.add_scatter(x=values, y=labels, mode="markers", name="Ratio (95% interval)",
                    marker={"color": colours, "size": 10, "symbol": "diamond"},
                    error_x={"type": "data", "symmetric": False, "array": highs,
                             "arrayminus": lows, "color": NEUTRAL},
                    hovertemplate="%{y}: %{x:.2f}<extra></extra>")
    for label, note in hidden:
        fig.add_annotation(x=0, y=label, text=note, showarrow=False, xanchor="left",
                           font={"color": NEUTRAL})
    shown = [v + h for v, h in zip(values, highs, strict=True) if v is not None]
    x_max = min(max([2.0, *shown]), 5.0)
    fig.update_yaxes(type="category", autorange="reversed", categoryorder="array",
                     categoryarray=labels)
    return _titled(fig, title[0].upper() + title[1:],
                   f"Cohort share ÷ {in_sentence(ref_label)} share "
                   f"(shaded: in proportion, {t['under']:g}–{t['over']:g})",
                   "Group", template, xaxis_range=[0, x_max], showlegend=False,
                   height=max(320, 28 * len(labels) + 140))


def _change_against(change: float | None, group: Mapping[str, Any], computed: str | None,
                    reference: str | None) -> float | None:
    """A rule's change in a group's ratio, against ``reference`` instead of ``computed``.

    A ratio is the cohort's share over the reference's share, with or without the rule
    alike, so the change scales by the two references' shares of the group:
    change_R = change_T x share_T / share_R."""
    if change is None or reference in (None, computed):
        return change
    refs = group.get("references") or {}
    have, want = (refs.get(computed) or {}).get("share"), (refs.get(reference) or {}).get("share")
    return None if not have or not want else change * have / want


def _cell_text(value: float | None) -> str:
    # Rounded first, so that -0.001 reads "0.00", not "-0.00".
    if value is None:
        return ""
    shown = round(value, 2)
    return "0.00" if shown == 0 else f"{shown:+.2f}"


def rule_impact_figure(report: Report, dimensions: Sequence[str] | None = None,
                       reference: str | None = None,
                       template: str | None = TEMPLATE) -> go.Figure:
    """Heatmap, rules (file order) × known groups: the change in each group's ratio that
    the rule causes (ratio with every rule − ratio without this one; negative = it lowers
    the group), against ``reference`` (default: the one the report computed them for).
    A suppressed group's cells are empty; a group excluded by design has no column."""
    rules = sorted((report.get("rule_impact") or {}).get("rules") or [],
                   key=lambda r: r.get("index", 0))
    title = "Rule impact on each group's ratio (negative: the rule lowers it)"
    dims = _dimensions(report, dimensions)
    several = len(dims) > 1
    groups = [(d, g) for d in dims for g in d["groups"] if g.get("known", True)
              and not by_design(g)]
    names = [f"{d['label']}: {g['label']}" if several else g["label"] for d, g in groups]
    if not rules or not groups:
        return missing_figure(title, "No rules to compare", template)
    computed = (report.get("rule_impact") or {}).get("reference")
    reference = reference or computed
    z = []
    for rule in rules:
        by_key = {(c["dimension"], c["group"]): c.get("change") for c in rule["changes"]}
        z.append([_change_against(by_key.get((d["key"], g["group"])), g, computed, reference)
                  for d, g in groups])
    limit = max((abs(v) for row in z for v in row if v is not None), default=0.0) or 0.1
    # The reference goes on the colour bar: the title must fit a half-width dashboard panel.
    legend = "Change in ratio" + (
        f"<br>(vs {in_sentence(reference_label(report, reference))})" if reference else "")
    fig = go.Figure(go.Heatmap(
        z=z, x=names, y=[_rule_name(r) for r in rules], colorscale=DIVERGING,
        zmin=-limit, zmax=limit, zmid=0, xgap=2, ygap=2,
        colorbar={"title": {"text": legend}, "len": 0.9},
        text=[[_cell_text(v) for v in row] for row in z], texttemplate="%{text}",
        textfont={"size": 12}, hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(type="category")
    return _titled(fig, title, "Group", "Rule", template,
                   height=max(320, 44 * len(rules) + 200))


def _rule_name(rule: Mapping[str, Any]) -> str:
    kind = rule.get("kind")
    return f"{kind} '{rule['label']}'" if kind else rule["label"]
