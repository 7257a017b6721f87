"""Ratios of shares with 95% intervals, and the flag each ratio earns.

Two methods, chosen by what the reference is:

* **A reference from the same store** (the target population, the base population): both
  shares are estimates, so the ratio is a ratio of two proportions and its interval is
  **Katz's log method** (Katz et al. 1978): ``log(r) ± z·sqrt(1/a − 1/n1 + 1/b − 1/n2)``.
  The cohort is a subset of the reference, so the two shares are positively correlated;
  Katz treats them as independent, which overstates the variance: the interval is
  conservative (too wide, never too narrow).
* **A fixed reference** (the UK population from ONS tables, treated as known without
  sampling error): the **Wilson score interval** (Wilson 1927; Newcombe 1998, method 3) of
  the cohort share, divided by the reference share.

A zero count gives no log: Katz's interval is then computed with 0.5 added to each count
(and 1 to each total: the Haldane–Anscombe correction) and the point ratio stays 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

Z95 = NormalDist().inv_cdf(0.975)  # 1.959963984540054

Flag = Literal["under", "over", "ok"]


@dataclass(frozen=True)
class Thresholds:
    """A ratio below ``under`` is under-representation, above ``over`` over-representation."""

    under: float = 0.8
    over: float = 1.25

    def __post_init__(self) -> None:
        if not 0 < self.under <= 1 <= self.over:
            raise ValueError("thresholds must satisfy 0 < under <= 1 <= over")

    def flag(self, ratio: float | None) -> Flag | None:
        """``under``/``over``/``ok`` for a ratio; ``None`` when there is no ratio."""
        if ratio is None:
            return None
        if ratio < self.under:
            return "under"
        if ratio > self.over:
            return "over"
        return "ok"


@dataclass(frozen=True)
class Interval:
    """A point estimate with its 95% interval (``lower``/``upper`` may be ``None``)."""

    value: float
    lower: float | None
    upper: float | None


def wilson(count: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of the proportion ``count / total``."""
    if total <= 0:
        raise ValueError("total must be positive")
    if not 0 <= count <= total:
        raise ValueError("count must lie between 0 and total")
    p = count / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def ratio_vs_fixed(count: int, total: int, reference_share: float,
                   z: float = Z95) -> Interval | None:
    """Cohort share ``count/total`` over a known ``reference_share``, Wilson interval.

    ``None`` when there is no ratio (an empty cohort or a reference share of 0)."""
    if total <= 0 or reference_share <= 0:
        return None
    low, high = wilson(count, total, z)
    return Interval(count / total / reference_share, low / reference_share,
                    high / reference_share)


def ratio_of_proportions(a: int, n1: int, b: int, n2: int, z: float = Z95) -> Interval | None:
    """``(a/n1) / (b/n2)`` with Katz's log interval; ``None`` when undefined (b or n is 0)."""
    if n1 <= 0 or n2 <= 0 or b <= 0:
        return None
    if not (0 <= a <= n1 and b <= n2):
        raise ValueError("counts must lie between 0 and their totals")
    value = (a / n1) / (b / n2)
    if a == 0:  # Haldane–Anscombe: 0.5 added to each count, 1 to each total
        a_, n1_, b_, n2_ = 0.5, n1 + 1, b + 0.5, n2 + 1
        centre = math.log((a_ / n1_) / (b_ / n2_))
    else:
        a_, n1_, b_, n2_ = a, n1, b, n2
        centre = math.log(value)
    se = math.sqrt(max(0.0, 1 / a_ - 1 / n1_ + 1 / b_ - 1 / n2_))
    lower = 0.0 if a == 0 else math.exp(centre - z * se)
    return Interval(value, lower, math.exp(centre + z * se))
