"""The feasibility result as the workbench draws it, read from the result's JSON.

The dashboard renders the same disclosure-controlled result the API returns
(``FeasibilityResult.to_json()`` after disclosure control), so the numbers cannot differ.
A suppressed count becomes ``None`` here and is shown as the result's marker ("<8"), never
as 0; a structural zero (the criteria make the group empty) keeps ``structural``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dart.analysis.disclosure.policy import count_text

Count = int | None


def count_of(value: Any) -> Count:
    """A count from the JSON: an int, or None when suppressed (however it is marked)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, Mapping):
        if value.get("suppressed"):
            return None
        for key in ("count", "value", "n"):
            if key in value:
                return count_of(value[key])
    return None


@dataclass(frozen=True)
class Step:
    """One labelled count: a funnel step, a rule's impact, a region or a practice."""

    label: str
    count: Count
    kind: str = ""
    structural: bool = False


@dataclass(frozen=True)
class FeasibilityView:
    """What the workbench shows of one run."""

    title: str
    index_date: str
    base: Count
    eligible: Count
    funnel: list[Step] = field(default_factory=list)
    impact: list[Step] = field(default_factory=list)
    regions: list[Step] = field(default_factory=list)
    nations: list[Step] = field(default_factory=list)
    practices: list[dict[str, Any]] = field(default_factory=list)
    screens: list[str] = field(default_factory=list)
    marker: str = "<8"


def _cells(data: Mapping[str, Any], dim: str) -> list[Mapping[str, Any]]:
    return list((data.get("breakdowns") or {}).get(dim) or [])


def from_json(data: Mapping[str, Any]) -> FeasibilityView:
    """Read a (disclosed) ``FeasibilityResult.to_json()`` into the view the workbench draws.

    The funnel starts at the base population; breakdowns keep only groups with eligible
    patients or a suppressed count, so empty vocabulary entries do not crowd the bars.
    """
    base = count_of(data.get("base"))
    funnel = [Step("Base population", base)] + [
        Step(str(s.get("label", "")), count_of(s.get("remaining")), str(s.get("kind", "")))
        for s in data.get("funnel") or []
    ]
    impact = [Step(str(r.get("label", "")), count_of(r.get("count")), str(r.get("kind", "")))
              for r in data.get("unique_impact") or []]

    def shown(dim: str) -> list[Step]:
        return [Step(str(c.get("group", "")), count_of(c.get("count")),
                     structural=bool(c.get("structural")))
                for c in _cells(data, dim)
                if c.get("suppressed") or c.get("count") or c.get("structural")]

    practices = [{
        "practice": str(c.get("name") or c.get("group", "")),
        "ods_code": str(c.get("group", "")),
        "eligible": count_of(c.get("count")),
        "percent": c.get("percent"),
    } for c in _cells(data, "practice") if c.get("suppressed") or c.get("count")]
    return FeasibilityView(
        title=str(data.get("study") or "Untitled criteria"),
        index_date=str(data.get("index_date", "")),
        base=base,
        eligible=count_of(data.get("eligible")),
        funnel=funnel,
        impact=impact,
        regions=shown("region"),
        nations=shown("nation"),
        practices=practices,
        screens=[str(s) for s in data.get("screens") or []],
        marker=str((data.get("disclosure") or {}).get("marker") or "<8"),
    )


def to_csv(view: FeasibilityView) -> str:
    """The result as one long CSV: section, label, count (blank when suppressed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "label", "count", "suppressed", "shown"])

    def row(section: str, label: str, count: Count, structural: bool = False) -> None:
        writer.writerow([section, label, "" if count is None else count,
                         "yes" if count is None else "no",
                         count_text(count, marker=view.marker, structural=structural)])

    row("summary", "base", view.base)
    row("summary", "eligible", view.eligible)
    for step in view.funnel:
        row("funnel", step.label, step.count)
    for step in view.impact:
        row("unique_impact", step.label, step.count)
    for step in view.regions:
        row("region", step.label, step.count, step.structural)
    for step in view.nations:
        row("nation", step.label, step.count, step.structural)
    for practice in view.practices:
        row("practice", f"{practice['practice']} ({practice['ods_code']})",
            practice["eligible"])
    return out.getvalue()
