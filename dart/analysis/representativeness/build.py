"""Counts → the representativeness result: disclosure, shares, ratios, rule impact.

Pure: no SQL. ``counts.py`` gets the exact counts from the store in one aggregate query;
this module turns them into every number shown, each computed by one function here:

* every count (each group and each total of every population) is published by the one
  disclosure engine (``DisclosurePolicy.disclose``) with its cell key, the sum of its
  patients' record keys: the same patients get the same published count in every table
  (Wales as a nation and as a region), and a group the criteria make empty is a
  structural 0; when a population's total is suppressed its groups are withheld;
* a share is a disclosed count over the disclosed total of its population (for dimensions
  with an "unknown" group, the total of KNOWN values; the unknown row is a share of all);
* a ratio is the cohort share over the reference share, with ``intervals`` (Katz against a
  store reference, Wilson against the fixed UK reference);
* a rule's impact is each group's ratio (against the target population, else the base) with
  that rule removed, i.e. among patients passing every other rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dart.analysis.disclosure.nested import breakdown_anchors, publish_nested
from dart.analysis.disclosure.policy import DisclosurePolicy
from dart.analysis.disclosure.structural import Structural
from dart.analysis.representativeness import intervals
from dart.analysis.representativeness.intervals import Thresholds
from dart.analysis.representativeness.model import (
    Dimension,
    GroupRow,
    Ratio,
    RuleChange,
    RuleImpact,
    Share,
)
from dart_vocab import DIMENSIONS, UNKNOWN, DimensionSpec, region_nation


@dataclass(frozen=True)
class GroupCounts:
    """Exact counts of one group: base (in the age range), target, cohort, and the cohort
    without each rule (``without[i]``: patients passing every rule but rule i); ``keys``:
    the sum of the counted patients' record keys per population (``populations``).

    For a recruitment stage (the invited, the enrolled) the cohort is that stage's
    patients and ``eligible`` the patients meeting the criteria; no rule is removed."""

    base: int = 0
    target: int = 0
    cohort: int = 0
    without: tuple[int, ...] = ()
    keys: Mapping[str, int] = field(default_factory=dict)
    eligible: int = 0


Counts = Mapping[str, Mapping[str, GroupCounts]]  # dimension key → group → counts


def populations(n_rules: int, staged: bool = False) -> tuple[str, ...]:
    """The populations counted: cohort, target, base, then ``without_i`` per rule; for a
    recruitment stage (``staged``), cohort, target, base and eligible."""
    if staged:
        return ("cohort", "target", "base", "eligible")
    return ("cohort", "target", "base") + tuple(f"without_{i}" for i in range(n_rules))


def _exact(c: GroupCounts, population: str) -> int:
    if population.startswith("without_"):
        return c.without[int(population.removeprefix("without_"))]
    return getattr(c, population)


@dataclass(frozen=True)
class Shown:
    """Published counts keyed ``(population, dimension, group)``, ``(population, "total")``
    and ``(population, "known", dimension)``; ``structural``: the keys published as a
    structural 0."""

    values: Mapping[tuple, int | None]
    structural: frozenset = frozenset()

    def __getitem__(self, key: tuple) -> int | None:
        return self.values[key]


def disclose_counts(counts: Counts, n_rules: int, policy: DisclosurePolicy,
                    structural: Mapping[str, Structural] | None = None,
                    staged: bool = False) -> Shown:
    """Every count published by ``policy`` with its cell key. ``structural[population]``
    names the groups the criteria make empty for that population."""
    exact: dict[tuple, tuple[int, int]] = {}  # key -> (count, key sum)
    empty: set[tuple] = set()
    for pop in populations(n_rules, staged):
        total = None
        for spec in DIMENSIONS:
            groups = counts.get(spec.key, {})
            cells = []
            for group in spec.all_groups:
                c = groups.get(group, GroupCounts(without=(0,) * n_rules))
                exact[(pop, spec.key, group)] = (_exact(c, pop), c.keys.get(pop, 0))
                cells.append((pop, spec.key, group))
                if group in (structural or {}).get(pop, {}).get(spec.key, ()):
                    empty.add((pop, spec.key, group))
            dim_total = tuple(sum(exact[c][i] for c in cells) for i in (0, 1))
            # Every dimension splits the same patients; one with groups missing (a sex
            # outside F/M) splits fewer: the total is the largest, with that one's key.
            total = dim_total if total is None or dim_total[0] > total[0] else total
            if spec.has_unknown:
                unknown = exact[(pop, spec.key, UNKNOWN)]
                exact[(pop, "known", spec.key)] = (dim_total[0] - unknown[0],
                                                   dim_total[1] - unknown[1])
        exact[(pop, "total")] = total or (0, 0)
    shown = publish_nested(policy, exact, _anchors(n_rules, staged), empty)
    if policy.enabled:
        for k in shown:  # a suppressed total withholds its population's every group
            if shown[(k[0], "total")] is None:
                shown[k] = None
    return Shown(shown, frozenset(k for k in empty if shown[k] == 0))


def _anchors(n_rules: int, staged: bool) -> dict[tuple, tuple]:
    """Each population's cells anchored as feasibility anchors the eligible cohort's
    (``breakdown_anchors``: the same patients read the same in both); the target and each
    "without this rule" population, which hold the cohort, anchored first to the cohort's
    same cell (docs/disclosure.md, "Nested cells"). A recruitment stage need not lie within
    the eligible cohort of today: its populations are anchored within themselves only."""
    groups = {spec.key: [(g, region_nation(g) if spec.key == "region" else None)
                         for g in spec.all_groups] for spec in DIMENSIONS}
    has_unknown = {spec.key for spec in DIMENSIONS if spec.has_unknown}
    out: dict[tuple, tuple] = {}
    for pop in populations(n_rules, staged):
        within = breakdown_anchors(
            (pop, "total"), groups, name=lambda dim, group, pop=pop: (pop, dim, group),
            known=lambda dim, pop=pop: (pop, "known", dim), has_unknown=has_unknown)
        within[(pop, "total")] = ()
        holds_cohort = not staged and pop != "cohort" and pop != "base"
        for cell, chain in within.items():
            out[cell] = (("cohort", *cell[1:]),) + chain if holds_cohort else chain
    return out


def share(count: int | None, total: int | None) -> float | None:
    """``count / total`` of disclosed numbers; ``None`` if either is hidden or total is 0.

    Perturbed independently, a group can be published above its total (a group of 100
    and a total of 101 may read 104 and 97): such a share is capped at 1."""
    if count is None or not total:
        return None
    return min(count, total) / total


def known_total(shown: Mapping[tuple, int | None], pop: str, spec: DimensionSpec) -> int | None:
    """The disclosed denominator of a dimension's shares: known values only, if it has an
    unknown group, else the population's total."""
    return shown[(pop, "known", spec.key)] if spec.has_unknown else shown[(pop, "total")]


def ratio(shown: Mapping[tuple, int | None], pop: str, reference: str, spec: DimensionSpec,
          group: str, thresholds: Thresholds, uk_share: float | None = None) -> Ratio:
    """The ratio of ``pop``'s share of ``group`` to ``reference``'s, with interval and flag."""
    a, n1 = shown[(pop, spec.key, group)], known_total(shown, pop, spec)
    if a is not None and n1 is not None:
        a = min(a, n1)  # a group published above its total: as in ``share``
    if reference == "uk":
        if a is None or n1 is None:
            return Ratio(None, suppressed=True, method="wilson")
        est = intervals.ratio_vs_fixed(a, n1, uk_share or 0.0)
        method = "wilson"
    else:
        b, n2 = shown[(reference, spec.key, group)], known_total(shown, reference, spec)
        if None in (a, n1, b, n2):
            return Ratio(None, suppressed=True, method="katz")
        b = min(b, n2)
        est = intervals.ratio_of_proportions(a, n1, b, n2)
        method = "katz"
    if est is None:
        return Ratio(None, method=method)
    return Ratio(est.value, est.lower, est.upper, thresholds.flag(est.value), method)


def build_dimensions(shown: Mapping[tuple, int | None], references: Sequence[str],
                     uk: Mapping[str, Mapping[str, float]] | None,
                     thresholds: Thresholds) -> tuple[Dimension, ...]:
    """Each dimension's rows: cohort and reference shares, and the ratios."""
    out = []
    for spec in DIMENSIONS:
        rows = []
        for group in spec.groups:
            refs, ratios = {}, {}
            for ref in references:
                if ref == "uk":
                    uk_share = (uk or {}).get(spec.key, {}).get(group, 0.0)
                    refs[ref] = Share(None, uk_share)
                    ratios[ref] = ratio(shown, "cohort", ref, spec, group, thresholds, uk_share)
                else:
                    refs[ref] = _share(shown, ref, spec, group)
                    ratios[ref] = ratio(shown, "cohort", ref, spec, group, thresholds)
            rows.append(GroupRow(group, spec.label_of(group), _share(shown, "cohort", spec, group),
                                 refs, ratios))
        note = None
        if spec.has_unknown:
            refs = {r: _unknown_share(shown, r, spec) for r in references if r != "uk"}
            rows.append(GroupRow(UNKNOWN, "Unknown", _unknown_share(shown, "cohort", spec),
                                 refs, {}, known=False))
            note = (f"Shares and ratios are of patients whose {spec.label.lower()} is known; "
                    "'Unknown' is a share of everyone and is left out of the ratios.")
        out.append(Dimension(spec.key, spec.label, tuple(rows), note))
    return tuple(out)


def _share(shown: Shown, pop: str, spec: DimensionSpec, group: str) -> Share:
    count = shown[(pop, spec.key, group)]
    if count is None:
        return Share(None, None, suppressed=True)
    return Share(count, share(count, known_total(shown, pop, spec)),
                 structural=(pop, spec.key, group) in shown.structural)


def _unknown_share(shown, pop: str, spec: DimensionSpec) -> Share:
    count = shown[(pop, spec.key, UNKNOWN)]
    if count is None:
        return Share(None, None, suppressed=True)
    return Share(count, share(count, shown[(pop, "total")]))


def build_rule_impacts(shown: Mapping[tuple, int | None], rules: Sequence, reference: str,
                       dimensions: Sequence[Dimension],
                       thresholds: Thresholds) -> tuple[RuleImpact, ...]:
    """Each rule's effect on every group's ratio against ``reference``, most harmful first.

    A rule's ``worst`` is the group whose ratio it lowers most among the groups that end up
    under-represented, else among all groups. Rules are ranked: those lowering an
    under-represented group first, then by how far they lower it."""
    impacts = []
    for i, rule in enumerate(rules):
        pop = f"without_{i}"
        changes = []
        for spec, dim in zip(DIMENSIONS, dimensions, strict=True):
            for row in dim.rows:
                if not row.known:
                    continue
                with_ = row.ratios[reference].value
                without = ratio(shown, pop, reference, spec, row.group, thresholds).value
                changes.append(RuleChange(spec.key, row.group, row.label, with_, without))
        impacts.append(RuleImpact(i, rule.label, rule.kind, rule.source,
                                  shown[(pop, "total")], tuple(changes),
                                  _worst(changes, thresholds)))
    return tuple(sorted(impacts, key=lambda r: _rank(r, thresholds)))


def _worst(changes: Sequence[RuleChange], thresholds: Thresholds) -> RuleChange | None:
    lowered = [c for c in changes if c.change is not None and c.change < -1e-9]
    under = [c for c in lowered if thresholds.flag(c.ratio_with) == "under"]
    return min(under or lowered, key=lambda c: c.change, default=None)


def _rank(impact: RuleImpact, thresholds: Thresholds) -> tuple:
    worst = impact.worst
    if worst is None:
        return (2, 0.0, impact.index)
    hits_under = thresholds.flag(worst.ratio_with) == "under"
    return (0 if hits_under else 1, worst.change, impact.index)
