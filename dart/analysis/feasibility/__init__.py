"""Feasibility counts: the base, the funnel, each rule's unique impact and who is eligible.

Everything is counted by the database over the compiler's split rules (``SplitRules``: every
base patient's flags without records, and the true flags of those with records) in ONE
statement: a ``UNION ALL`` of ``GROUP BY`` queries for the breakdowns of the eligible cohort
and for the base patients per pattern of passed rules, from which the funnel and unique
impacts follow exactly (``totals_from_patterns``). No patient
row ever reaches Python. The result holds exact counts; disclosure control is a separate,
pure step (``dart.analysis.disclosure.apply_disclosure``).

Modules: ``results`` (the dataclasses), ``queries`` (the statement), ``run``
(``run_feasibility`` and the shaping of rows into a result). Import from here.
"""

from dart.analysis.feasibility.queries import (
    MAX_PATTERN_RULES,
    PATTERN,
    breakdown_parts,
    breakdown_query,
    one_query,
    pattern_query,
    rules_cte,
    statements,
    totals_from_patterns,
    totals_query,
)
from dart.analysis.feasibility.results import (
    Cell,
    FeasibilityResult,
    FunnelStep,
    RuleImpact,
    criteria_hash,
)
from dart.analysis.feasibility.run import (
    AGE_BANDS,
    DIMENSIONS,
    IMD_GROUPS,
    SEXES,
    region_nation,
    run_feasibility,
)

__all__ = [
    "AGE_BANDS", "DIMENSIONS", "IMD_GROUPS", "MAX_PATTERN_RULES", "PATTERN", "SEXES",
    "Cell", "FeasibilityResult", "FunnelStep", "RuleImpact", "breakdown_parts",
    "breakdown_query", "criteria_hash", "one_query", "pattern_query", "region_nation",
    "rules_cte", "run_feasibility", "statements", "totals_from_patterns", "totals_query",
]
