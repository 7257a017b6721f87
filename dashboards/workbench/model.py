"""The feasibility result as the workbench draws it, read from the result's JSON.

The dashboard renders the same disclosure-controlled result the API returns
(``FeasibilityResult.to_json()`` after disclosure control), so the numbers cannot differ.
A suppressed count becomes ``None`` here and is shown as the result's marker ("<8"), never
as 0; a structural zero (the criteria exclude the group) keeps its flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dart.reports.spreadsheet import csv_text
from dashboards.counts import count_value, format_count, is_structural

Count = int | None

# Every breakdown of the result, in the order the workbench shows them.
DIMENSIONS: dict[str, str] = {
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "imd_quintile": "IMD quintile",
    "region": "Region",
    "nation": "Nation",
    "practice": "Practice",
}
SEX = {"F": "Female", "M": "Male", "U": "Unknown"}
IMD = {"1": "1 (most deprived)", "5": "5 (least deprived)"}


def group_label(dim: str, cell: Mapping[str, Any]) -> str:
    """How a group reads on a chart: "Female", "1 (most deprived)", a practice's name."""
    group = str(cell.get("group", ""))
    if dim == "sex":
        return SEX.get(group, group)
    if dim == "imd_quintile":
        return IMD.get(group, group.capitalize())
    if dim == "ethnicity":
        return group.capitalize()
    if dim == "practice":
        return f"{cell.get('name') or group} ({group})" if cell.get("name") else group
    return group


@dataclass(frozen=True)
class Step:
    """One labelled count: a funnel step, a rule's impact or a group of a breakdown."""

    label: str
    count: Count
    kind: str = ""
    percent: float | None = None  # of the base (funnel), of the eligible (breakdowns)
    structural: bool = False
    group: str = ""

    @property
    def text(self) -> str:
        """The count as shown: "1,234", the suppression marker or a structural zero."""
        cell = {"count": self.count, "suppressed": self.count is None,
                "structural": self.structural}
        return format_count(cell, self.disclosure)

    disclosure: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Breakdown:
    """The eligible patients by one dimension."""

    key: str
    label: str
    groups: list[Step]


@dataclass(frozen=True)
class FeasibilityView:
    """What the workbench shows of one run."""

    title: str
    index_date: str
    base: Count
    eligible: Count
    funnel: list[Step] = field(default_factory=list)
    impact: list[Step] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    screens: list[str] = field(default_factory=list)
    disclosure: Mapping[str, Any] = field(default_factory=dict)

    def breakdown(self, key: str) -> Breakdown | None:
        """The breakdown ``key`` ("age_band", "region", ...), or None."""
        return next((b for b in self.breakdowns if b.key == key), None)


def _share(count: Count, total: Count) -> float | None:
    # Shares only from published numbers, as the engine's own percentages are.
    return round(100 * count / total, 1) if count is not None and total else None


def from_json(data: Mapping[str, Any]) -> FeasibilityView:
    """Read a (disclosed) ``FeasibilityResult.to_json()`` into the view the workbench draws.

    Every group of every breakdown is kept (zeros included, so a zero reads as 0 and not
    as a missing bar); the funnel starts at the base population, with shares of the base.
    """
    disclosure = dict(data.get("disclosure") or {})
    base = count_value(data.get("base"))
    funnel = [Step("Base population", base, percent=_share(base, base) if base else None,
                   disclosure=disclosure)]
    for s in data.get("funnel") or []:
        left = count_value({"count": s.get("remaining"), "suppressed": s.get("suppressed")})
        funnel.append(Step(str(s.get("label", "")), left, str(s.get("kind", "")),
                           _share(left, base), disclosure=disclosure))
    impact = [Step(str(r.get("label", "")), count_value(r), str(r.get("kind", "")),
                   _share(count_value(r), base), disclosure=disclosure)
              for r in data.get("unique_impact") or []]
    breakdowns = []
    for key, label in DIMENSIONS.items():
        cells = (data.get("breakdowns") or {}).get(key)
        if cells is None:
            continue
        breakdowns.append(Breakdown(key, label, [
            Step(group_label(key, c), count_value(c), percent=c.get("percent"),
                 structural=is_structural(c), group=str(c.get("group", "")),
                 disclosure=disclosure)
            for c in cells]))
    return FeasibilityView(
        title=str(data.get("study") or "Untitled criteria"),
        index_date=str(data.get("index_date", "")),
        base=base,
        eligible=count_value(data.get("eligible")),
        funnel=funnel,
        impact=impact,
        breakdowns=breakdowns,
        screens=[str(s) for s in data.get("screens") or []],
        disclosure=disclosure,
    )


def to_csv(view: FeasibilityView) -> str:
    """Everything the workbench shows as one long CSV: section, label, count as shown, the
    number (blank when suppressed), the share and the flags; labels are escaped against
    spreadsheet formulas like every DART export."""
    rows: list[list[object]] = []

    def row(section: str, step: Step) -> None:
        rows.append([section, step.label, step.text,
                     "" if step.count is None else step.count,
                     "" if step.percent is None else f"{step.percent:.1f}",
                     "yes" if step.count is None else "no",
                     "yes" if step.structural else "no"])

    row("summary", Step("base", view.base, disclosure=view.disclosure))
    row("summary", Step("eligible", view.eligible, disclosure=view.disclosure))
    for step in view.funnel:
        row("funnel", step)
    for step in view.impact:
        row("unique_impact", step)
    for breakdown in view.breakdowns:
        for step in breakdown.groups:
            row(breakdown.key, step)
    return csv_text(["section", "label", "shown", "count", "percent", "suppressed",
                     "structural"], rows)


def practice_rows(view: FeasibilityView) -> list[dict[str, Any]]:
    """Rows of the by-practice table: every practice with eligible or suppressed patients."""
    practices = view.breakdown("practice")
    return [{"practice": s.label.rsplit(" (", 1)[0], "ods_code": s.group, "eligible": s.count,
             "percent": s.percent}
            for s in (practices.groups if practices else []) if s.count != 0]
