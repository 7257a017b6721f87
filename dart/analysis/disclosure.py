"""Statistical disclosure control for feasibility results (OpenSAFELY-style).

The rule (docs/disclosure.md): a count of 1..``threshold`` (default 7) is suppressed; every
other count is rounded to the nearest ``rounding`` (default 5; halves round up). It applies
to every count of a result: base, eligible, population, each funnel step, each unique
impact and every breakdown cell, denominators included.

A true zero stays 0. It is not disclosive (OpenSAFELY's practice: nobody can be identified
in an empty cell), and hiding it would make every empty age band look like a small one. A
suppressed count is ``None`` in the result and ``null`` in JSON, with ``"suppressed": true``
beside it: never a number, never 0. Percentages are only computed from published numbers.

Secondary suppression, so that a suppressed cell cannot be recovered by subtraction:

* Additive tables. Each breakdown's cells sum to the eligible total; the regions of a nation
  sum to the nation's cell; the practices of a region sum to the region's cell. In each such
  table, if the total is published and exactly one cell is suppressed, the next-smallest
  published cell (non-zero preferred) is suppressed too (the total itself if the table has
  no other cell); if the total is suppressed but every
  cell is published, the smallest non-zero cell is suppressed. This repeats until nothing
  changes, because one suppression can expose another table.
* The funnel. A drop (remaining before a rule minus after it) is derivable from two
  published counts. A reader only knows it exactly when both ends are exact: with rounding
  to 5 a published non-zero count is only known to +/-2, so a drop is only known to +/-4
  and a drop of 1..threshold can never be recovered exactly. Only without rounding
  (``rounding=1``) can it be, and then the later step is suppressed.

``apply_disclosure(result, policy)`` is pure: it returns a new ``DisclosedResult``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dart.analysis.feasibility import Cell, FeasibilityResult, FunnelStep, RuleImpact


@dataclass(frozen=True)
class DisclosurePolicy:
    """Suppress counts 1..``threshold``, round the rest to ``rounding``; off if not enabled."""

    threshold: int = 7
    rounding: int = 5
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.threshold < 0 or self.rounding < 1:
            raise ValueError("threshold must be >= 0 and rounding >= 1")

    @property
    def base(self) -> int:
        """The rounding base (the name docs/architecture.md uses)."""
        return self.rounding

    def disclose(self, n: int) -> int | None:
        """One count: ``None`` (suppressed) for 1..threshold, else rounded; 0 stays 0."""
        if not self.enabled or n == 0:
            return n
        if n <= self.threshold:
            return None
        return (n + self.rounding // 2) // self.rounding * self.rounding

    def exact(self, published: int | None) -> bool:
        """Whether a reader knows the true count from the published one."""
        return published is not None and (published == 0 or self.rounding == 1
                                          or not self.enabled)

    def to_json(self) -> dict:
        return {"threshold": self.threshold, "rounding": self.rounding,
                "applied": self.enabled}


@dataclass(frozen=True)
class DisclosedResult(FeasibilityResult):
    """A ``FeasibilityResult`` after disclosure control; ``None`` counts are suppressed."""

    policy: DisclosurePolicy = DisclosurePolicy()

    def to_json(self) -> dict:
        return {**super().to_json(), "disclosure": self.policy.to_json()}


class _Board:
    """Exact counts under keys, with which of them are suppressed (primary or secondary)."""

    def __init__(self, policy: DisclosurePolicy):
        self.policy = policy
        self.exact: dict[tuple, int] = {}
        self.shown: dict[tuple, int | None] = {}

    def add(self, key: tuple, n: int) -> None:
        self.exact[key] = n
        self.shown[key] = self.policy.disclose(n)

    def suppress(self, key: tuple) -> None:
        self.shown[key] = None

    def protect_table(self, total: tuple, cells: list[tuple]) -> bool:
        """Secondary suppression in one additive table; True if anything changed."""
        hidden = [c for c in cells if self.shown[c] is None]
        published = [c for c in cells if self.shown[c] is not None]
        if len(hidden) != 1 if self.shown[total] is not None else hidden or not published:
            return False
        if not published:
            # One hidden cell equal to a published total: hide the total instead.
            self.suppress(total)
            return True
        # The smallest published cell; a zero only if there is no non-zero one.
        pick = min(published, key=lambda c: (self.exact[c] == 0, self.exact[c]))
        self.suppress(pick)
        return True

    def protect_chain(self, chain: list[tuple]) -> bool:
        """Funnel: no drop of 1..threshold between two exactly known counts."""
        changed = False
        for before, after in zip(chain, chain[1:], strict=False):
            drop = self.exact[before] - self.exact[after]
            known = self.policy.exact(self.shown[before]) and self.policy.exact(self.shown[after])
            if known and 1 <= drop <= self.policy.threshold:
                self.suppress(after)
                changed = True
        return changed


def apply_disclosure(result: FeasibilityResult, policy: DisclosurePolicy) -> DisclosedResult:
    """The result with every count disclosed under ``policy`` (a new object)."""
    if isinstance(result, DisclosedResult):
        raise TypeError("disclosure control is already applied to this result")
    board = _Board(policy)
    for name in ("base", "eligible", "population"):
        board.add((name,), getattr(result, name))
    for i, step in enumerate(result.funnel):
        board.add(("funnel", i), step.remaining)
    for i, impact in enumerate(result.unique_impact):
        board.add(("impact", i), impact.count)
    for dim, cells in result.breakdowns.items():
        for cell in cells:
            board.add((dim, cell.group), cell.count)
    if policy.enabled:
        _secondary(board, result)
    return _rebuild(result, board, policy)


def _tables(result: FeasibilityResult) -> list[tuple[tuple, list[tuple]]]:
    """The additive tables: (total key, cell keys)."""
    tables = [(("eligible",), [(dim, c.group) for c in cells])
              for dim, cells in result.breakdowns.items()]
    for child, parent in (("region", "nation"), ("practice", "region")):
        parents = {c.group for c in result.breakdowns.get(parent, ())}
        for group in parents:
            members = [(child, c.group) for c in result.breakdowns.get(child, ())
                       if c.parent == group]
            if members:
                tables.append(((parent, group), members))
    return tables


def _secondary(board: _Board, result: FeasibilityResult) -> None:
    tables = _tables(result)
    chain = [("base",)] + [("funnel", i) for i in range(len(result.funnel))]
    changed = True
    while changed:
        changed = board.protect_chain(chain)
        for total, cells in tables:
            while board.protect_table(total, cells):
                changed = True
        if result.funnel:
            # The last step and ``eligible`` are the same number: keep them in step.
            last = ("funnel", len(result.funnel) - 1)
            for a, b in ((last, ("eligible",)), (("eligible",), last)):
                if board.shown[a] is None and board.shown[b] is not None:
                    board.suppress(b)
                    changed = True


def _rebuild(result: FeasibilityResult, board: _Board,
             policy: DisclosurePolicy) -> DisclosedResult:
    shown = board.shown
    # A step's drop is a count in its own right: disclosed from the exact drop (never the
    # difference of two rounded numbers, which could show 5 for a true drop of 1), and only
    # where both ends are shown. Rounding each end and the drop independently never pins an
    # exact value: the ranges they leave overlap in at least two integers.
    funnel, before, exact_before = [], shown[("base",)], result.base
    for i, step in enumerate(result.funnel):
        now = shown[("funnel", i)]
        dropped = (policy.disclose(exact_before - step.remaining)
                   if before is not None and now is not None else None)
        funnel.append(FunnelStep(step.label, step.kind, now, dropped))
        before, exact_before = now, step.remaining
    impact = tuple(RuleImpact(r.label, r.kind, shown[("impact", i)])
                   for i, r in enumerate(result.unique_impact))
    breakdowns = {dim: tuple(dataclasses.replace(c, count=shown[(dim, c.group)]) for c in cells)
                  for dim, cells in result.breakdowns.items()}
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    fields.update(base=shown[("base",)], eligible=shown[("eligible",)],
                  population=shown[("population",)], funnel=tuple(funnel),
                  unique_impact=impact, breakdowns=breakdowns)
    return DisclosedResult(**fields, policy=policy)


__all__ = ["Cell", "DisclosedResult", "DisclosurePolicy", "apply_disclosure"]
