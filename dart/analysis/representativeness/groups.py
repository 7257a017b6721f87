"""The groups of a patient's row, and the trial's age range (the dimensions and their
groups are ``dart_vocab.DIMENSIONS``).

The age range is read from the rules so that the UK and base references can be restricted
to the ages the trial recruits (an adults-only trial is not unrepresentative of children).
Recognised forms (``A``, ``B`` numbers; anything else leaves age unrestricted):

* ``include age CMP A`` with ``CMP`` one of ``>= > <= < =``, ``include age between A and B``;
* the same tests as items of a top-level ``and`` of an include (``age >= 18 and has t2dm``),
  or inside a ``define`` the rule names;
* ``exclude age CMP A`` with ``CMP`` one of ``< <= > >=`` (its complement), and
  ``exclude age < A or age > B`` (each complement); ``include not (...)`` as an exclude.

Several such rules intersect. Ages are whole years: ``age > 17.5`` means 18 and over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from criteria_grammar import nodes
from dart_vocab import UNKNOWN

OPEN_BAND_YEARS = 10  # "90+" is taken as 90-99 when an age range cuts into it


def group_key(dimension: str, value: object) -> str:
    """The group name of a ``patient_rules`` value (IMD 1..5 as text, NULL as unknown)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return UNKNOWN
    if dimension == "imd_quintile":
        return str(int(float(value)))  # 1, 1.0 or "1" (the value as text)
    return str(value)


def band_years(band: str) -> tuple[int, int]:
    """First and last year of an age band (``"90+"``: 90 to 99)."""
    if band.endswith("+"):
        low = int(band[:-1])
        return low, low + OPEN_BAND_YEARS - 1
    low, high = band.split("-")
    return int(low), int(high)


@dataclass(frozen=True)
class AgeRange:
    """Whole-year ages ``low``..``high`` inclusive (``None``: unbounded)."""

    low: int | None = None
    high: int | None = None
    rules: tuple[str, ...] = ()

    def contains(self, age: int) -> bool:
        """Whether ``age`` is in the range."""
        return (self.low is None or age >= self.low) and (self.high is None or age <= self.high)

    def band_fraction(self, band: str) -> float:
        """The share of a band's years inside the range (people spread evenly over years)."""
        first, last = band_years(band)
        low = first if self.low is None else max(first, self.low)
        high = last if self.high is None else min(last, self.high)
        return max(0, high - low + 1) / (last - first + 1)

    def describe(self) -> str:
        """E.g. ``"aged 18 to 65"``, ``"aged 18 and over"``."""
        if self.low is not None and self.high is not None:
            return f"aged {self.low} to {self.high}"
        if self.low is not None:
            return f"aged {self.low} and over"
        return f"aged {self.high} and under"


_Bounds = tuple[float, float]  # -inf/inf for unbounded, whole years
_ALL: _Bounds = (-math.inf, math.inf)


def _test_bounds(test: nodes.Test) -> _Bounds | None:
    if isinstance(test, nodes.Range):
        return math.ceil(test.low), math.floor(test.high)
    v = test.value
    return {
        ">=": (math.ceil(v), math.inf), ">": (math.floor(v) + 1, math.inf),
        "<=": (-math.inf, math.floor(v)), "<": (-math.inf, math.ceil(v) - 1),
        "=": (v, v) if float(v).is_integer() else None,
    }.get(test.op)


def _complement(bounds: _Bounds | None) -> _Bounds | None:
    if bounds is None:
        return None
    low, high = bounds
    if low == -math.inf and high != math.inf:
        return high + 1, math.inf
    if high == math.inf and low != -math.inf:
        return -math.inf, low - 1
    return None  # the complement of a closed interval is two intervals: not recognised


def _intersect(items: list[_Bounds | None]) -> _Bounds | None:
    found = [b for b in items if b is not None]
    if not found:
        return None
    return max(b[0] for b in found), min(b[1] for b in found)


def _bounds(cond: nodes.Condition, criteria: nodes.Criteria, positive: bool,
            depth: int = 0) -> _Bounds | None:
    """The age bounds every patient satisfying (``positive``) or failing ``cond`` meets."""
    if depth > 50:
        return None
    if isinstance(cond, nodes.AgeTest):
        bounds = _test_bounds(cond.test)
        return bounds if positive else _complement(bounds)
    if isinstance(cond, nodes.Not):
        return _bounds(cond.item, criteria, not positive, depth + 1)
    if isinstance(cond, nodes.Ref):
        try:
            return _bounds(criteria.define(cond.name).condition, criteria, positive, depth + 1)
        except StopIteration:
            return None
    if (positive and isinstance(cond, nodes.And)) or (
            not positive and isinstance(cond, nodes.Or)):
        return _intersect([_bounds(i, criteria, positive, depth + 1) for i in cond.items])
    return None


def derive_age_range(criteria: nodes.Criteria) -> AgeRange | None:
    """The ages every eligible patient must have, from the rules' recognised age tests."""
    found: list[_Bounds] = []
    labels: list[str] = []
    for rule in criteria.rules:
        bounds = _bounds(rule.condition, criteria, rule.kind == "include")
        if bounds is not None and bounds != _ALL:
            found.append(bounds)
            labels.append(rule.label)
    if not found:
        return None
    low, high = _intersect(list(found)) or _ALL
    return AgeRange(None if low == -math.inf else max(0, int(low)),
                    None if high == math.inf else int(high), tuple(labels))
