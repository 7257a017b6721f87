"""Structural zeros: groups the criteria themselves make empty, known from the text alone.

An age band wholly outside the ages the rules allow, the sex a rule excludes, a nation or
region the rules leave out: nobody can be in such a group, whatever the store holds, so
its 0 tells a reader nothing the criteria did not already say, and it is published as 0
with ``"structural": true`` instead of the small-count marker. Recognised forms: those of
``representativeness.groups.derive_age_range`` for ages, and ``sex is``, ``nation is``,
``region is`` as a rule's whole condition or an item of a top-level ``and`` of an include
(or under ``not``/an exclude, for one value). Anything else is never structural.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from criteria_grammar import nodes
from dart_vocab import AGE_BANDS, NATIONS, REGIONS, SEXES, region_nation

Structural = dict[str, frozenset[str]]  # dimension -> groups the criteria make empty
_VALUES = {"sex": SEXES, "nation": NATIONS, "region": REGIONS}


def _allowed(cond: nodes.Condition, criteria: nodes.Criteria, positive: bool,
             depth: int = 0) -> dict[str, set[str]]:
    """Per dimension, the values every patient satisfying (or failing) ``cond`` has."""
    if depth > 50:
        return {}
    if isinstance(cond, nodes.Not):
        return _allowed(cond.item, criteria, not positive, depth + 1)
    if isinstance(cond, nodes.Ref):
        found = [d for d in criteria.defines if d.name == cond.name]
        return _allowed(found[0].condition, criteria, positive, depth + 1) if found else {}
    if positive and isinstance(cond, nodes.And):
        out: dict[str, set[str]] = {}
        for item in cond.items:
            for dim, values in _allowed(item, criteria, True, depth + 1).items():
                out[dim] = out.get(dim, set(_VALUES[dim])) & values
        return out
    tests = {nodes.SexIs: ("sex", lambda c: {c.sex}),
             nodes.NationIn: ("nation", lambda c: set(c.nations)),
             nodes.RegionIn: ("region", lambda c: set(c.regions))}
    for kind, (dim, values_of) in tests.items():
        if isinstance(cond, kind):
            values = values_of(cond)
            return {dim: values if positive else set(_VALUES[dim]) - values}
    return {}


def _age_bands(criteria: nodes.Criteria) -> frozenset[str]:
    from dart.analysis.representativeness.groups import derive_age_range

    ages = derive_age_range(criteria)
    if ages is None:
        return frozenset()
    low = -math.inf if ages.low is None else ages.low
    high = math.inf if ages.high is None else ages.high
    out = set()
    for band in AGE_BANDS:
        first, _, last = band.replace("+", "-").partition("-")
        band_low, band_high = int(first), int(last) if last else math.inf
        if band_high < low or band_low > high:
            out.add(band)
    return frozenset(out)


def structural_groups(criteria: nodes.Criteria,
                      rules: Sequence[nodes.Rule] | None = None) -> Structural:
    """The groups of each dimension that ``rules`` (default: all) make empty."""
    if rules is not None:
        criteria = dataclasses.replace(criteria, rules=tuple(rules))
    allowed: dict[str, set[str]] = {}
    for rule in criteria.rules:
        for dim, values in _allowed(rule.condition, criteria, rule.kind == "include").items():
            allowed[dim] = allowed.get(dim, set(_VALUES[dim])) & values
    nations = allowed.get("nation", set(NATIONS))
    regions = allowed.get("region", set(REGIONS))
    regions = {r for r in regions if region_nation(r) in nations}
    nations = {n for n in nations if any(region_nation(r) == n for r in regions)}
    out: Structural = {
        "sex": frozenset(_VALUES["sex"]) - allowed.get("sex", set(_VALUES["sex"])),
        "nation": frozenset(NATIONS) - nations,
        "region": frozenset(REGIONS) - regions,
        "age_band": _age_bands(criteria),
    }
    return {dim: groups for dim, groups in out.items() if groups}
