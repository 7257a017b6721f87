"""Representativeness: who the criteria leave out, and which rule does it.

The eligible cohort's composition (sex, age band, ethnic group, IMD quintile, nation,
region) against the target population (the file's ``population``), the store's base
population and the UK population, with ratios, 95% intervals, flags, and each rule's effect
on every group's ratio. Method: docs/representativeness.md.

    result = run_representativeness(engine, criteria)      # RepresentativenessResult
    result.to_json()    # rendered by dart.reports.representativeness_text / _html
"""

from __future__ import annotations

from dart.analysis.representativeness.build import GroupCounts
from dart.analysis.representativeness.compute import (
    Stage,
    result_from_counts,
    run_representativeness,
)
from dart.analysis.representativeness.groups import AgeRange, derive_age_range
from dart.analysis.representativeness.intervals import (
    Thresholds,
    ratio_of_proportions,
    ratio_vs_fixed,
    wilson,
)
from dart.analysis.representativeness.model import (
    Dimension,
    GroupRow,
    Ratio,
    Reference,
    RepresentativenessResult,
    RuleChange,
    RuleImpact,
    Share,
)

__all__ = [
    "AgeRange", "Dimension", "GroupCounts", "GroupRow", "Ratio", "Reference",
    "RepresentativenessResult", "RuleChange", "RuleImpact", "Share", "Stage", "Thresholds",
    "derive_age_range", "ratio_of_proportions", "ratio_vs_fixed",
    "result_from_counts", "run_representativeness", "wilson",
]
