"""Disclosure control of a feasibility result: every count through ``DisclosurePolicy``.

Each count of a ``FeasibilityResult`` has its cell key beside it (``result.cell_keys``, from
the same SQL pass): base, population, eligible, opt-outs, each funnel step, each unique
impact and every breakdown cell. ``apply_disclosure`` publishes each one with
``policy.disclose``; when the eligible total is suppressed every breakdown cell is withheld;
percentages are computed from published numbers only.

The funnel is published from two pieces per step (``published_funnel``): the eligible
cohort, and the patients of the step that a later rule removes (a set with its own count and
cell key). Why not publish every step as a cell of its own: a sponsor can run a chain of
nested rules twice, once with ``or T`` added to every rule, and get one independently
perturbed pair (S, S + T) per step, so that sixty steps give sixty looks at the size of T
through fresh noise. With the pieces, the two chains share every step's second piece (the
same patients, the same published count), and all their steps differ by the same one
number: one look per query. Why not add up every rule's drop from the bottom (DART 0.x):
the error grows with the number of rules below a step; with 20 rules removing 0..5 patients
each, 27 % of the steps of 100 or more were off by more than 5 %.

No secondary suppression: with perturbation a suppressed cell is not recoverable from a
total and the other cells (their perturbations add up), see docs/disclosure.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dart.analysis.disclosure.nested import breakdown_anchors, known_cell, publish_nested
from dart.analysis.disclosure.policy import ACCURATE_FROM, TOLERANCE, DisclosurePolicy
from dart.analysis.feasibility.results import Cell, FeasibilityResult, FunnelStep, RuleImpact
from dart_vocab import DIMENSIONS, UNKNOWN

# The dimensions with an unknown group: their groups sit within the known values.
HAS_UNKNOWN = frozenset(d.key for d in DIMENSIONS if d.has_unknown)


@dataclass(frozen=True)
class DisclosedResult(FeasibilityResult):
    """A ``FeasibilityResult`` after disclosure control; ``None`` counts are suppressed."""

    policy: DisclosurePolicy = DisclosurePolicy()
    breakdowns_withheld: bool = False

    def to_json(self) -> dict:
        return {**super().to_json(), "disclosure": {
            **self.policy.to_json(), "breakdowns_withheld": self.breakdowns_withheld}}


def _within_tolerance(n: int, value: int, accurate_from: int = ACCURATE_FROM) -> int:
    """``value`` moved into ``n`` +/- 5 % when ``n`` is ``accurate_from`` (the policy's
    ``copies_accurate_from``) or more. The bounds grow with ``n``, so moving steps into
    them keeps the funnel's order. Below it a step is left as its pieces make it: a
    policy that lets a copied count be 11 off from 100 to 219 patients would otherwise see
    the eligible cohort's copy moved back into 5 % as the funnel's last step, a step that
    differs from the eligible total and, by how far it moved, tells the exact count."""
    if n < accurate_from:
        return value
    return max(n - n // TOLERANCE, min(n + n // TOLERANCE, value))


def published_funnel(policy: DisclosurePolicy, base: int | None, eligible: int | None,
                     steps: list[tuple[int, int]], drops: list[tuple[int, int]]
                     ) -> tuple[list[int | None], list[int | None]]:
    """The published ``remaining`` and ``dropped`` of each step.

    ``base`` and ``eligible`` are published counts; ``steps`` each step's exact (count,
    cell key), the last one the eligible cohort; ``drops`` each step's exact (count, cell
    key). A step is the eligible cohort plus the patients a later rule removes from it, a
    set of its own (``above``: count and key minus the eligible cohort's):

        remaining_i = eligible + max(published above_j for j >= i)

    ``above`` of the last step is empty (0); a suppressed one (0..threshold) counts as the
    middle of that range, ``(threshold + 1) // 2``, as does a suppressed eligible cohort.
    The running maximum keeps the funnel from increasing (``above_j`` shrinks with j but
    its published count need not). A step of ``ACCURATE_FROM`` (or the policy's
    ``copies_accurate_from``, if higher) or more is then moved into +/- 5 % of its count
    (two pieces can be off by 8, or 22 when both are copies), no step exceeds the one
    before it (the published base first, unless it is below the eligible count), and a
    step whose true count is at most the threshold is the marker, as any count. So the
    funnel never increases, its last step is the eligible count, a step is within 5 % from
    there, and it depends only on the patients of its own step and the steps below it: the
    rules before it may be phrased in any way (docs/disclosure.md, "The funnel").
    """
    shown_drops = [policy.publish(n, key) for n, key in drops]
    if not steps:  # a file of no rules (only a population, say) has an empty funnel
        return [], shown_drops
    middle = (policy.threshold + 1) // 2
    anchor = eligible if eligible is not None else middle
    last_n, last_key = steps[-1]
    values: list[int] = [0] * len(steps)
    above = 0
    for i in range(len(steps) - 1, -1, -1):
        n, key = steps[i]
        if i < len(steps) - 1:
            shown = policy.publish(n - last_n, key - last_key)
            above = max(above, middle if shown is None else shown)
        values[i] = _within_tolerance(n, anchor + above,
                                      max(ACCURATE_FROM, policy.copies_accurate_from))
    ceiling = None if base is None else max(base, anchor)
    remaining: list[int | None] = []
    for (n, _), value in zip(steps, values, strict=True):
        ceiling = value if ceiling is None else min(ceiling, value)
        remaining.append(None if n <= policy.threshold else ceiling)
    return remaining, shown_drops


def apply_disclosure(result: FeasibilityResult, policy: DisclosurePolicy) -> DisclosedResult:
    """The result with every count published under ``policy`` (a new object)."""
    if isinstance(result, DisclosedResult):
        raise TypeError("disclosure control is already applied to this result")
    keys = result.cell_keys
    names = [("base",)] + [("funnel", i) for i in range(len(result.funnel))]
    exact = [result.base] + [s.remaining for s in result.funnel]
    drops = [(exact[i] - exact[i + 1], keys.get(names[i], 0) - keys.get(names[i + 1], 0))
             for i in range(len(result.funnel))]
    shown = _published_cells(result, policy, drops)
    base, eligible = shown.get(("base",)), shown.get(("eligible",))
    if policy.enabled:
        steps = [(exact[i], keys.get(names[i], 0)) for i in range(1, len(names))]
        remaining, dropped = published_funnel(policy, base, eligible, steps, drops)
    else:
        remaining, dropped = exact[1:], [n for n, _ in drops]
    funnel = tuple(FunnelStep(s.label, s.kind, remaining[i], dropped[i])
                   for i, s in enumerate(result.funnel))
    withheld = policy.enabled and eligible is None
    breakdowns = {
        dim: tuple(dataclasses.replace(
            c, count=None if withheld else shown[(dim, c.group)],
            structural=c.structural and not withheld) for c in cells)
        for dim, cells in result.breakdowns.items()}
    impact = tuple(RuleImpact(r.label, r.kind, shown.get(("impact", i)))
                   for i, r in enumerate(result.unique_impact))
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    fields.update(base=base, eligible=eligible,
                  population=shown.get(("population",)), opt_outs=shown.get(("opt_outs",)),
                  funnel=funnel, unique_impact=impact, breakdowns=breakdowns, cell_keys={})
    return DisclosedResult(**fields, policy=policy, breakdowns_withheld=withheld)


def _published_cells(result: FeasibilityResult, policy: DisclosurePolicy,
                     drops: list[tuple[int, int]]) -> dict:
    """Every cell of ``result`` but the funnel steps, published with its nested anchors
    (``nested``): the population anchored to the eligible cohort and the base (both
    counts of their own in every answer), a rule's
    unique impact to its drop (the patients it removes, among whom those it alone removes),
    and the breakdown groups as every analysis anchors them (``breakdown_anchors``)."""
    keys = result.cell_keys
    cells = {name: (n, keys.get(name, 0)) for name, n in (
        (("eligible",), result.eligible), (("population",), result.population),
        (("base",), result.base), (("opt_outs",), result.opt_outs)) if n is not None}
    anchors: dict = {("population",): (("eligible",), ("base",))}
    for i, (n, key) in enumerate(drops):
        cells[("drop", i)] = (n, key)
    for i, r in enumerate(result.unique_impact):
        if r.count is not None:
            cells[("impact", i)] = (r.count, keys.get(("impact", i), 0))
            anchors[("impact", i)] = (("drop", i),)
    structural = set()
    for dim, listed in result.breakdowns.items():
        group_cells = [(c.group, (c.count or 0, keys.get((dim, c.group), 0))) for c in listed]
        cells.update(((dim, g), exact) for g, exact in group_cells)
        cells[("known", dim)] = known_cell(group_cells, UNKNOWN)
        structural |= {(dim, c.group) for c in listed if c.structural}
    anchors |= breakdown_anchors(
        ("eligible",), {dim: [(c.group, c.parent) for c in listed]
                        for dim, listed in result.breakdowns.items()},
        name=lambda dim, group: (dim, group), known=lambda dim: ("known", dim),
        has_unknown=HAS_UNKNOWN)
    return publish_nested(policy, cells, anchors, structural)


__all__ = ["Cell", "DisclosedResult", "apply_disclosure", "published_funnel"]
