"""The representativeness report as the view draws it: groups excluded by design, the gaps
that matter most, and every chart built once per run.

Pure functions of the report's JSON (``RepresentativenessResult.to_json()``, disclosure-
controlled). A Run draws the three figures of the dimension and reference shown first
(``first_figures``); every figure for every dimension and reference (``all_figures``) is
built in a second request that starts when the report arrives, so switching either is
done in the browser (a clientside callback picks the figures): no round trip to the server
at the switch.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from dart.reports import representativeness_figures as figures
from dashboards.theme import browser_template

Report = Mapping[str, Any]
GAPS_PER_REFERENCE = 3


def _band(label: str) -> tuple[float, float] | None:
    """The ages an age band holds: "40-44" -> (40, 44), "90+" -> (90, inf)."""
    match = re.fullmatch(r"(\d+)(?:-(\d+)|\+)", label.strip())
    if not match:
        return None
    low = float(match.group(1))
    return low, float(match.group(2)) if match.group(2) else math.inf


def mark_by_design(report: Report) -> dict:
    """A copy of ``report`` in which every group the criteria exclude by design carries
    ``"structural": true`` on its cohort share and no flag on its ratios.

    The engine marks such groups itself; an age band wholly outside the ages the rules
    allow (``age_range``) is marked here too, so a report without the marks still never
    calls them under-represented."""
    out = copy.deepcopy(dict(report))
    ages = out.get("age_range") or {}
    low = ages.get("low") if ages.get("low") is not None else -math.inf
    high = ages.get("high") if ages.get("high") is not None else math.inf
    for dim in out.get("dimensions") or []:
        for group in dim.get("groups") or []:
            band = _band(str(group.get("group", ""))) if dim.get("key") == "age_band" else None
            outside = band is not None and ages and (band[1] < low or band[0] > high)
            if outside:
                group.setdefault("cohort", {})["structural"] = True
            if figures.by_design(group):
                for ratio in (group.get("ratios") or {}).values():
                    ratio["flag"] = None
    return out


def _jsonable(fig) -> dict:
    return json.loads(fig.to_json())


def chart_set(report: Report, dims: list[str], refs: list[str]) -> dict:
    """The charts of ``dims`` against ``refs``: {"shares": {dim}, "ratio": {"dim|ref"},
    "heatmap": {"dim|ref"}}, as plotly JSON for the browser to switch between, and the one
    "template" that the browser gives each: plotly_white with the dashboard's look
    (``theme.browser_template``; building each figure with either took seconds)."""
    return {
        "template": browser_template(),
        "shares": {d: _jsonable(figures.composition_figure(report, d, template=None))
                   for d in dims},
        "ratio": {f"{d}|{r}": _jsonable(figures.ratio_figure(report, r, [d], template=None))
                  for d in dims for r in refs},
        "heatmap": {f"{d}|{r}": _jsonable(figures.rule_impact_figure(report, [d], r,
                                                                     template=None))
                    for d in dims for r in refs},
    }


def all_figures(report: Report) -> dict:
    """Every chart of the view (``chart_set`` of every dimension and available reference)."""
    return chart_set(report, [d["key"] for d in report.get("dimensions") or []],
                     [r["key"] for r in figures.available_references(report)])


def first_figures(report: Report, dim: str | None, ref: str | None) -> dict:
    """The three charts shown when the report arrives (``chart_set`` of one dimension and
    one reference): a Run sends these; the others come in a second request."""
    return chart_set(report, [dim] if dim else [], [ref] if ref else [])


def _interval_includes_one(ratio: Mapping[str, Any]) -> bool:
    lower, upper = ratio.get("lower"), ratio.get("upper")
    return lower is not None and upper is not None and lower <= 1 <= upper


def _distance(ratio: float) -> float:
    # How far from "in proportion" on the ratio's own scale: 0.5 is as far as 2.
    return math.inf if ratio <= 0 else abs(math.log(ratio))


def main_gaps(report: Report, per_reference: int = GAPS_PER_REFERENCE) -> list[str]:
    """The gaps that matter, most important first: for each reference, the flagged groups
    whose interval excludes 1 before those that may be chance, the largest gaps first.
    Groups excluded by design and suppressed ones are never among them."""
    out = []
    for ref in figures.available_references(report):
        found = []
        for dim in report.get("dimensions") or []:
            for group in dim.get("groups") or []:
                ratio = (group.get("ratios") or {}).get(ref["key"]) or {}
                if (figures.by_design(group) or ratio.get("suppressed")
                        or ratio.get("flag") not in ("under", "over")
                        or ratio.get("ratio") is None):
                    continue
                found.append((_interval_includes_one(ratio), -_distance(ratio["ratio"]),
                              dim, group, ratio))
        found.sort(key=lambda item: item[:2])
        for uncertain, _, dim, group, ratio in found[:per_reference]:
            side = "Under" if ratio["flag"] == "under" else "Over"
            where = f"{dim['label']} {group['label']}"
            ci = ""
            if ratio.get("lower") is not None and ratio.get("upper") is not None:
                ci = f", 95% CI {ratio['lower']:.2f}–{ratio['upper']:.2f}"
            chance = "; the interval includes 1, so it may be chance" if uncertain else ""
            out.append(f"{side}-represented against the "
                       f"{figures.in_sentence(ref['label'])}: {where} "
                       f"(ratio {ratio['ratio']:.2f}{ci}{chance}).")
    return out


def excluded_by_design(report: Report) -> list[str]:
    """One line per dimension naming the groups the criteria exclude by design."""
    out = []
    for dim in report.get("dimensions") or []:
        names = [str(g.get("label")) for g in dim.get("groups") or [] if figures.by_design(g)]
        if names:
            out.append(f"{dim['label']}: {', '.join(names)}")
    return out
