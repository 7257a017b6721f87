"""Running a representativeness analysis: criteria + store → ``RepresentativenessResult``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import sqlalchemy as sa

from criteria_grammar.nodes import Criteria
from dart.analysis.disclosure.policy import DisclosurePolicy
from dart.analysis.disclosure.structural import Structural, structural_groups
from dart.analysis.representativeness.build import (
    Counts,
    build_dimensions,
    build_rule_impacts,
    disclose_counts,
)
from dart.analysis.representativeness.groups import AgeRange, derive_age_range
from dart.analysis.representativeness.intervals import Thresholds
from dart.analysis.representativeness.model import (
    REFERENCE_LABELS,
    Reference,
    RepresentativenessResult,
)
from dart.analysis.representativeness.summary import summarise
from dart.analysis.representativeness.uk import UkReference, uk_shares
from dart.sources import Source
from dart.sources.native import NATIVE

if TYPE_CHECKING:
    from dart.compiler import Checked


def run_representativeness(engine: sa.Engine, criteria: Criteria | str | Checked,
                           library=None, *,
                           index_date: dt.date | None = None,
                           policy: DisclosurePolicy | None = None,
                           thresholds: Thresholds | None = None,
                           uk: UkReference | None = None,
                           source: Source = NATIVE) -> RepresentativenessResult:
    """Who the eligible cohort of ``criteria`` (a parsed file, its text, or criteria already
    checked: ``dart.compiler.check_criteria``) under-represents, and which rule does it.

    ``library`` defaults to the shipped codelists; ``policy`` to the default disclosure
    control (pass ``DisclosurePolicy(enabled=False)`` to turn it off); ``uk`` to the UK
    reference tables restricted to the rules' age range. One aggregate query runs."""
    from dart.analysis.representativeness.counts import count_groups
    from dart.compiler import prepare

    ready = prepare(engine, criteria, library, index_date=index_date, source=source)
    criteria, compiled, index_date = ready.criteria, ready.compiled, ready.index_date
    age_range = derive_age_range(criteria)
    policy = policy or DisclosurePolicy()
    counts = count_groups(engine, compiled, age_range, policy.keys)
    return result_from_counts(
        counts, compiled.rules, criteria=criteria, index_date=index_date, age_range=age_range,
        uk=uk if uk is not None else _uk_or_none(age_range),
        policy=policy, thresholds=thresholds or Thresholds())


def structural_by_population(criteria: Criteria, age_range: AgeRange | None
                             ) -> dict[str, Structural]:
    """The groups the criteria make empty in each population: the cohort's from every
    rule, ``without_i``'s from every rule but i, the base's age bands outside the range."""
    out = {"cohort": structural_groups(criteria)}
    for i in range(len(criteria.rules)):
        out[f"without_{i}"] = structural_groups(
            criteria, criteria.rules[:i] + criteria.rules[i + 1:])
    if age_range is not None:
        out["base"] = {"age_band": structural_groups(criteria).get("age_band", frozenset())}
    return out


def _uk_or_none(age_range: AgeRange | None) -> UkReference | None:
    from dart.store.reference import ReferenceError

    try:
        return uk_shares(age_range)
    except (ReferenceError, KeyError) as exc:  # a missing or malformed table: no UK column
        return UkReference({}, (f"UK reference tables not available: {exc}",), ())


def result_from_counts(counts: Counts, rules, *, criteria: Criteria, index_date: dt.date | None,
                       age_range: AgeRange | None, uk: UkReference | None,
                       policy: DisclosurePolicy,
                       thresholds: Thresholds) -> RepresentativenessResult:
    """The result from exact counts (pure: the tests build counts by hand)."""
    shown = disclose_counts(counts, len(rules), policy,
                            structural_by_population(criteria, age_range))
    has_target = criteria.population is not None
    references = _references(shown, criteria, age_range, uk)
    keys = [r.key for r in references if r.available]
    dimensions = build_dimensions(shown, keys, uk.shares if uk else None, thresholds)
    rule_ref = "target" if has_target else "base"
    impacts = build_rule_impacts(shown, rules, rule_ref, dimensions, thresholds)
    notes = [
        "Ratio = the cohort's share of a group / the reference's share of it (1 = in "
        "proportion). 95% intervals: Katz log method against the target and base populations "
        "(conservative: the cohort is part of them), Wilson score interval of the cohort share "
        "divided by the UK share (the UK figures are taken as fixed).",
        f"Flags: under-represented below {thresholds.under:g}, over-represented above "
        f"{thresholds.over:g}.",
    ]
    if policy.enabled:
        notes.append(f"Disclosure control: counts 0-{policy.threshold} are shown as "
                     f"{policy.marker} and others perturbed by at most "
                     f"{policy.max_perturbation} (the same patients always get the same "
                     "number); shares and ratios are computed from the published counts, a "
                     "suppressed group shows none, and a group the criteria make empty is "
                     "a structural 0.")
    else:
        notes.append("Disclosure control is OFF: exact counts, not for release.")
    notes.extend(uk.notes if uk else ())
    result = RepresentativenessResult(
        study=criteria.study, filename=criteria.filename, index_date=index_date,
        cohort_total=shown[("cohort", "total")],
        cohort_suppressed=shown[("cohort", "total")] is None,
        age_range=(age_range.low, age_range.high) if age_range else None,
        age_range_rules=age_range.rules if age_range else (),
        references=references, dimensions=dimensions, rule_reference=rule_ref,
        rule_impacts=impacts, thresholds=thresholds, disclosure=policy.to_json(),
        notes=tuple(notes),
    )
    return _with_summary(result)


def _references(shown: Mapping[tuple, int | None], criteria: Criteria,
                age_range: AgeRange | None, uk: UkReference | None) -> tuple[Reference, ...]:
    ages = f" {age_range.describe()} (the ages the rules allow)" if age_range else ""
    pop = criteria.population
    target = Reference(
        "target", REFERENCE_LABELS["target"], pop is not None,
        f"'{pop.label}': the file's population statement, evaluated in this store"
        if pop else "The file has no population statement: no target-population comparison.",
        shown[("target", "total")] if pop else None,
        pop is not None and shown[("target", "total")] is None)
    base = Reference(
        "base", REFERENCE_LABELS["base"], True,
        f"Registered, living, not opted-out patients of this store{ages}.",
        shown[("base", "total")], shown[("base", "total")] is None)
    uk_ref = Reference(
        "uk", REFERENCE_LABELS["uk"], bool(uk and uk.shares),
        "ONS/census tables (sample_data/reference)" + (f"; age and sex{ages}" if ages else "")
        if uk and uk.shares else "UK reference tables not available.")
    return (target, base, uk_ref)


def _with_summary(result: RepresentativenessResult) -> RepresentativenessResult:
    from dataclasses import replace

    return replace(result, summary=tuple(summarise(result)))
