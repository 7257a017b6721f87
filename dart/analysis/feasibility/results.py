"""Feasibility results: plain frozen dataclasses with a ``to_json()``.

The CLI, the API and the dashboard all render these; disclosure control
(``dart.analysis.disclosure``) returns a copy with every count published (perturbed, or
``None`` when suppressed). ``cell_keys`` holds each count's cell key (never shown).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FunnelStep:
    """What remains after a rule (and every rule before it); ``None`` means suppressed."""

    label: str
    kind: str  # "include" | "exclude"
    remaining: int | None
    dropped: int | None  # remaining before this rule minus remaining after it

    def to_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, "remaining": self.remaining,
                "dropped": self.dropped, "suppressed": self.remaining is None}


@dataclass(frozen=True)
class RuleImpact:
    """Base patients who fail this rule alone: how many more would be eligible without it."""

    label: str
    kind: str
    count: int | None

    def to_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, "count": self.count,
                "suppressed": self.count is None}


@dataclass(frozen=True)
class Cell:
    """One group of a breakdown of the eligible cohort.

    ``parent`` is the group in the enclosing dimension (a practice's region, a region's
    nation); ``name`` is a practice's name; ``structural``: the criteria make the group
    empty (e.g. an age band outside the rules' ages), so its 0 is published as 0.
    """

    group: str
    count: int | None
    parent: str | None = None
    name: str | None = None
    structural: bool = False

    def to_json(self, total: int | None) -> dict:
        # A percentage only from published numbers: never from a suppressed cell or total;
        # capped at 100 (a perturbed cell can be published above its perturbed total).
        percent = (round(100 * min(self.count, total) / total, 1)
                   if self.count is not None and total else None)
        out = {"group": self.group, "count": self.count, "suppressed": self.count is None,
               "structural": self.structural, "percent": percent}
        if self.name is not None:
            out["name"] = self.name
        return out


@dataclass(frozen=True)
class FeasibilityResult:
    """Exact feasibility counts for one criteria file on one store (see ``to_json``)."""

    study: str | None
    index_date: dt.date
    criteria_hash: str
    base: int | None
    eligible: int | None
    population: int | None
    population_label: str | None
    funnel: tuple[FunnelStep, ...]
    unique_impact: tuple[RuleImpact, ...]
    breakdowns: Mapping[str, tuple[Cell, ...]]
    screens: tuple[str, ...] = ()
    opt_outs: int | None = None  # registered and alive on the index date, opted out
    restriction: Mapping[str, object] | None = None
    """What restricted the base (``dart count --up-to-standard``): its description and the
    practices left out; None for the whole base."""
    cell_keys: Mapping[tuple, int] = field(default_factory=dict, repr=False, compare=False)
    """Each count's cell key: ("base",), ("eligible",), ("population",), ("opt_outs",),
    ("funnel", i), ("impact", i), (dimension, group). Never in ``to_json``."""

    def to_json(self) -> dict:
        """Plain JSON: counts are integers, or ``null`` when suppressed."""
        totals = {"base": self.base, "eligible": self.eligible, "population": self.population,
                  "opt_outs": self.opt_outs}
        return {
            "study": self.study,
            "index_date": self.index_date.isoformat(),
            "criteria_hash": self.criteria_hash,
            **totals,
            "population_label": self.population_label,
            "suppressed": sorted(k for k, v in totals.items() if v is None),
            "funnel": [s.to_json() for s in self.funnel],
            "unique_impact": [r.to_json() for r in self.unique_impact],
            "breakdowns": {dim: [c.to_json(self.eligible) for c in cells]
                           for dim, cells in self.breakdowns.items()},
            "screens": list(self.screens),
            **({"restriction": dict(self.restriction)} if self.restriction else {}),
        }


def criteria_hash(text: str) -> str:
    """sha256 of the criteria text, so a result names exactly what was counted."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
