"""Disclosure control of a feasibility result: every count through ``DisclosurePolicy``.

Each count of a ``FeasibilityResult`` has its cell key beside it (``result.cell_keys``, from
the same SQL pass): base, population, eligible, opt-outs, each funnel step, each unique
impact and every breakdown cell. ``apply_disclosure`` publishes each one with
``policy.disclose``, then:

* the funnel is made non-increasing (``policy.monotone``, from the end, so the last step
  keeps its own count: the eligible cohort, the same patients, published identically);
* a step's ``dropped`` is the difference of the two published steps (no count of its own);
* when the eligible total is suppressed, every breakdown cell is withheld;
* percentages are computed from published numbers only.

No secondary suppression: with perturbation a suppressed cell is not recoverable from a
total and the other cells (their perturbations add up), see docs/disclosure.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dart.analysis.disclosure.policy import DisclosurePolicy, monotone
from dart.analysis.feasibility.results import Cell, FeasibilityResult, FunnelStep, RuleImpact


@dataclass(frozen=True)
class DisclosedResult(FeasibilityResult):
    """A ``FeasibilityResult`` after disclosure control; ``None`` counts are suppressed."""

    policy: DisclosurePolicy = DisclosurePolicy()
    breakdowns_withheld: bool = False

    def to_json(self) -> dict:
        return {**super().to_json(), "disclosure": {
            **self.policy.to_json(), "breakdowns_withheld": self.breakdowns_withheld}}


def apply_disclosure(result: FeasibilityResult, policy: DisclosurePolicy) -> DisclosedResult:
    """The result with every count published under ``policy`` (a new object)."""
    if isinstance(result, DisclosedResult):
        raise TypeError("disclosure control is already applied to this result")
    keys = result.cell_keys

    def publish(name: tuple, n: int | None, structural: bool = False) -> int | None:
        return None if n is None else policy.disclose(n, keys.get(name, 0),
                                                      structural=structural)

    chain = monotone([publish(("base",), result.base)]
                     + [publish(("funnel", i), s.remaining) for i, s in enumerate(result.funnel)])
    funnel = tuple(
        FunnelStep(s.label, s.kind, chain[i + 1],
                   None if None in (chain[i], chain[i + 1]) else chain[i] - chain[i + 1])
        for i, s in enumerate(result.funnel))
    # The last step IS the eligible cohort: the same patients, the same count and key.
    eligible = chain[-1] if result.funnel else chain[0]
    withheld = policy.enabled and eligible is None
    breakdowns = {
        dim: tuple(dataclasses.replace(
            c, count=None if withheld else publish((dim, c.group), c.count, c.structural),
            structural=c.structural and not withheld) for c in cells)
        for dim, cells in result.breakdowns.items()}
    impact = tuple(RuleImpact(r.label, r.kind, publish(("impact", i), r.count))
                   for i, r in enumerate(result.unique_impact))
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    fields.update(base=chain[0], eligible=eligible,
                  population=publish(("population",), result.population),
                  opt_outs=publish(("opt_outs",), result.opt_outs),
                  funnel=funnel, unique_impact=impact, breakdowns=breakdowns, cell_keys={})
    return DisclosedResult(**fields, policy=policy, breakdowns_withheld=withheld)


__all__ = ["Cell", "DisclosedResult", "apply_disclosure"]
