"""Disclosure control of a feasibility result: every count through ``DisclosurePolicy``.

Each count of a ``FeasibilityResult`` has its cell key beside it (``result.cell_keys``, from
the same SQL pass): base, population, eligible, opt-outs, each funnel step, each unique
impact and every breakdown cell. ``apply_disclosure`` publishes each one with
``policy.disclose``; when the eligible total is suppressed every breakdown cell is withheld;
percentages are computed from published numbers only.

The funnel is published from its disjoint pieces (``published_funnel``): the eligible
cohort and each rule's drop (the patients that rule removes, a cell with its own key) are
published; each step's ``remaining`` is the eligible cohort plus the published drops below
it. Why not publish every step as a cell of its own: a sponsor can run a chain of nested
rules twice, once with ``or T`` added to every rule, and get one independently perturbed
pair (S, S + T) per step, so that sixty steps give sixty looks at the size of T through
fresh noise. Built from drops, the two chains share every drop (the same patients, the same
published count), and all their steps differ by the same one number: one look per query.

No secondary suppression: with perturbation a suppressed cell is not recoverable from a
total and the other cells (their perturbations add up), see docs/disclosure.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dart.analysis.disclosure.policy import DisclosurePolicy
from dart.analysis.feasibility.results import Cell, FeasibilityResult, FunnelStep, RuleImpact


@dataclass(frozen=True)
class DisclosedResult(FeasibilityResult):
    """A ``FeasibilityResult`` after disclosure control; ``None`` counts are suppressed."""

    policy: DisclosurePolicy = DisclosurePolicy()
    breakdowns_withheld: bool = False

    def to_json(self) -> dict:
        return {**super().to_json(), "disclosure": {
            **self.policy.to_json(), "breakdowns_withheld": self.breakdowns_withheld}}


def published_funnel(policy: DisclosurePolicy, base: int | None, eligible: int | None,
                     steps: list[int], drops: list[tuple[int, int]]
                     ) -> tuple[list[int | None], list[int | None]]:
    """The published ``remaining`` and ``dropped`` of each step.

    ``base`` and ``eligible`` are published counts; ``steps`` the exact remaining counts;
    ``drops`` each step's exact (count, cell key). From the last step up: ``remaining`` is
    the step below's plus this drop's published count; a suppressed drop (0..threshold)
    counts as the middle of that range, ``(threshold + 1) // 2``, and a suppressed eligible
    cohort likewise. A step whose true count is at most the threshold is the marker, as any
    count; every step is at most the published base. So the funnel never increases, its
    last step is the eligible count, and a step is off by at most the sum of the
    perturbations below it (docs/disclosure.md).
    """
    shown_drops = [policy.disclose(n, key) for n, key in drops]
    middle = (policy.threshold + 1) // 2
    remaining: list[int | None] = [None] * len(steps)
    below = eligible if eligible is not None else middle
    for i in range(len(steps) - 1, -1, -1):
        remaining[i] = None if steps[i] <= policy.threshold else (
            below if base is None else min(below, base))
        drop = shown_drops[i]
        below += drop if drop is not None else middle
    return remaining, shown_drops


def apply_disclosure(result: FeasibilityResult, policy: DisclosurePolicy) -> DisclosedResult:
    """The result with every count published under ``policy`` (a new object)."""
    if isinstance(result, DisclosedResult):
        raise TypeError("disclosure control is already applied to this result")
    keys = result.cell_keys

    def publish(name: tuple, n: int | None, structural: bool = False) -> int | None:
        return None if n is None else policy.disclose(n, keys.get(name, 0),
                                                      structural=structural)

    base, eligible = publish(("base",), result.base), publish(("eligible",), result.eligible)
    names = [("base",)] + [("funnel", i) for i in range(len(result.funnel))]
    exact = [result.base] + [s.remaining for s in result.funnel]
    drops = [(exact[i] - exact[i + 1], keys.get(names[i], 0) - keys.get(names[i + 1], 0))
             for i in range(len(result.funnel))]
    if policy.enabled:
        remaining, dropped = published_funnel(policy, base, eligible, exact[1:], drops)
    else:
        remaining, dropped = exact[1:], [n for n, _ in drops]
    funnel = tuple(FunnelStep(s.label, s.kind, remaining[i], dropped[i])
                   for i, s in enumerate(result.funnel))
    withheld = policy.enabled and eligible is None
    breakdowns = {
        dim: tuple(dataclasses.replace(
            c, count=None if withheld else publish((dim, c.group), c.count, c.structural),
            structural=c.structural and not withheld) for c in cells)
        for dim, cells in result.breakdowns.items()}
    impact = tuple(RuleImpact(r.label, r.kind, publish(("impact", i), r.count))
                   for i, r in enumerate(result.unique_impact))
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    fields.update(base=base, eligible=eligible,
                  population=publish(("population",), result.population),
                  opt_outs=publish(("opt_outs",), result.opt_outs),
                  funnel=funnel, unique_impact=impact, breakdowns=breakdowns, cell_keys={})
    return DisclosedResult(**fields, policy=policy, breakdowns_withheld=withheld)


__all__ = ["Cell", "DisclosedResult", "apply_disclosure", "published_funnel"]
