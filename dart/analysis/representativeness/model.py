"""The representativeness result: plain frozen dataclasses with ``to_json()``.

One object carries every number the CLI, the API and the dashboard show. Counts are the
disclosed counts (perturbed, or ``None`` with ``suppressed=True``); every share and ratio was
computed from those disclosed counts, so nothing shown can be worked back to a small number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dart.analysis.representativeness.intervals import Flag, Thresholds

REFERENCE_KEYS = ("eligible", "target", "base", "uk")
REFERENCE_LABELS = {
    "eligible": "Eligible patients",
    "target": "Target population",
    "base": "Base population",
    "uk": "UK population",
}


# What the cohort of a report is: the eligible (the criteria's cohort) or the patients of a
# recruitment stage.
STAGE_NOUNS = {"eligible": "eligible cohort", "invited": "invited group",
               "enrolled": "enrolled group"}


def _num(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class Share:
    """One group in one population: its (disclosed) count and its share; ``structural``:
    the criteria make the group empty (its 0 is published as 0)."""

    count: int | None
    share: float | None
    suppressed: bool = False
    structural: bool = False

    def to_json(self) -> dict[str, Any]:
        """Plain JSON; a suppressed cell shows neither count nor share."""
        return {"count": self.count, "share": _num(self.share), "suppressed": self.suppressed,
                "structural": self.structural}


@dataclass(frozen=True)
class Ratio:
    """Cohort share / reference share, its 95% interval and its flag."""

    value: float | None
    lower: float | None = None
    upper: float | None = None
    flag: Flag | None = None
    method: str | None = None
    suppressed: bool = False

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {"ratio": _num(self.value, 3), "lower": _num(self.lower, 3),
                "upper": _num(self.upper, 3), "flag": self.flag, "method": self.method,
                "suppressed": self.suppressed}


@dataclass(frozen=True)
class GroupRow:
    """One group of a dimension: the cohort against each available reference."""

    group: str
    label: str
    cohort: Share
    references: dict[str, Share]
    ratios: dict[str, Ratio]  # empty for the "unknown" group
    known: bool = True  # False for "unknown": shown, outside shares and ratios

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {"group": self.group, "label": self.label, "known": self.known,
                "cohort": self.cohort.to_json(),
                "references": {k: v.to_json() for k, v in self.references.items()},
                "ratios": {k: v.to_json() for k, v in self.ratios.items()}}


@dataclass(frozen=True)
class Dimension:
    """The cohort's composition by one dimension (sex, age band, ...)."""

    key: str
    label: str
    rows: tuple[GroupRow, ...]
    note: str | None = None

    def row(self, group: str) -> GroupRow:
        """The row of ``group``."""
        return next(r for r in self.rows if r.group == group)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {"key": self.key, "label": self.label, "note": self.note,
                "groups": [r.to_json() for r in self.rows]}


@dataclass(frozen=True)
class Reference:
    """A reference population: whether it is available, its (disclosed) size, a note."""

    key: str
    label: str
    available: bool
    note: str
    total: int | None = None
    suppressed: bool = False

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {"key": self.key, "label": self.label, "available": self.available,
                "note": self.note, "total": self.total, "suppressed": self.suppressed}


@dataclass(frozen=True)
class RuleChange:
    """One group's ratio with every rule, and with one rule removed."""

    dimension: str
    group: str
    label: str
    ratio_with: float | None
    ratio_without: float | None

    @property
    def change(self) -> float | None:
        """``ratio_with − ratio_without``: negative when the rule lowers the group's ratio."""
        if self.ratio_with is None or self.ratio_without is None:
            return None
        return self.ratio_with - self.ratio_without

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {"dimension": self.dimension, "group": self.group, "label": self.label,
                "ratio_with": _num(self.ratio_with, 3),
                "ratio_without": _num(self.ratio_without, 3), "change": _num(self.change, 3)}


@dataclass(frozen=True)
class RuleImpact:
    """What one rule does to representation: each group's ratio without that rule."""

    index: int
    label: str
    kind: str
    source: str
    cohort_without: int | None  # disclosed size of the cohort without this rule
    changes: tuple[RuleChange, ...]
    worst: RuleChange | None  # the group this rule lowers most (None: it lowers none)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        return {"index": self.index, "label": self.label, "kind": self.kind,
                "source": self.source, "cohort_without": self.cohort_without,
                "worst": self.worst.to_json() if self.worst else None,
                "changes": [c.to_json() for c in self.changes]}


@dataclass(frozen=True)
class RepresentativenessResult:
    """Who the criteria leave out, against which references, and which rule does it."""

    study: str | None
    filename: str
    index_date: dt.date | None
    cohort_total: int | None
    cohort_suppressed: bool
    age_range: tuple[int | None, int | None] | None
    age_range_rules: tuple[str, ...]
    references: tuple[Reference, ...]
    dimensions: tuple[Dimension, ...]
    rule_reference: str | None  # "target" or "base": what rule-impact ratios compare with
    rule_impacts: tuple[RuleImpact, ...]  # ranked: the most harmful first
    thresholds: Thresholds = field(default_factory=Thresholds)
    disclosure: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    stage: str = "eligible"  # the cohort: the eligible, or a recruitment stage's patients

    @property
    def cohort_noun(self) -> str:
        """What the cohort is, for sentences ("eligible cohort", "invited group")."""
        return STAGE_NOUNS.get(self.stage, f"{self.stage} group")

    def reference(self, key: str) -> Reference:
        """The reference ``key`` ("eligible", "target", "base", "uk")."""
        return next(r for r in self.references if r.key == key)

    def dimension(self, key: str) -> Dimension:
        """The dimension ``key`` ("sex", "age_band", "ethnicity", ...)."""
        return next(d for d in self.dimensions if d.key == key)

    @property
    def available_references(self) -> tuple[str, ...]:
        """Keys of the references that could be computed, in display order."""
        return tuple(r.key for r in self.references if r.available)

    def to_json(self) -> dict[str, Any]:
        """The whole result as plain JSON-serialisable data."""
        return {
            "study": self.study, "filename": self.filename, "stage": self.stage,
            "index_date": self.index_date.isoformat() if self.index_date else None,
            "cohort": {"total": self.cohort_total, "suppressed": self.cohort_suppressed},
            "age_range": (None if self.age_range is None else
                          {"low": self.age_range[0], "high": self.age_range[1],
                           "rules": list(self.age_range_rules)}),
            "references": [r.to_json() for r in self.references],
            "thresholds": {"under": self.thresholds.under, "over": self.thresholds.over},
            "disclosure": self.disclosure,
            "dimensions": [d.to_json() for d in self.dimensions],
            "rule_impact": {"reference": self.rule_reference,
                            "rules": [r.to_json() for r in self.rule_impacts]},
            "notes": list(self.notes),
            "summary": list(self.summary),
        }
