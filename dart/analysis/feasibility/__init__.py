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

from dart.analysis.feasibility.queries import statements
from dart.analysis.feasibility.results import (
    Cell,
    FeasibilityResult,
    FunnelStep,
    RuleImpact,
    criteria_hash,
)
from dart.analysis.feasibility.run import run_feasibility

__all__ = ["Cell", "FeasibilityResult", "FunnelStep", "RuleImpact", "criteria_hash",
           "run_feasibility", "statements"]
