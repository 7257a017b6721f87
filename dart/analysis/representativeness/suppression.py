"""Disclosure control for the representativeness counts (``dart.analysis.disclosure``).

Every store count (cohort, target, base, and the cohort without each rule; each group and
each total) goes through ``DisclosurePolicy.disclose``: 1..threshold suppressed, the rest
rounded. Then secondary suppression, as docs/disclosure.md does it for feasibility: in each
additive table (a dimension's groups, "unknown" included, sum to the population's total; a
nation's regions sum to the nation's cell) a single suppressed cell beside a published total
takes the next-smallest published cell with it, until nothing changes.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from dart.analysis.disclosure import DisclosurePolicy

Key = Hashable
Table = tuple[Key, Sequence[Key]]  # (total key, cell keys)


def disclose_tables(exact: Mapping[Key, int], tables: Sequence[Table],
                    policy: DisclosurePolicy) -> dict[Key, int | None]:
    """Each count disclosed under ``policy``, with secondary suppression over ``tables``."""
    shown: dict[Key, int | None] = {k: policy.disclose(int(v)) for k, v in exact.items()}
    if not policy.enabled:
        return shown
    changed = True
    while changed:
        changed = False
        for total, cells in tables:
            while _protect(total, cells, exact, shown):
                changed = True
    return shown


def _protect(total: Key, cells: Sequence[Key], exact: Mapping[Key, int],
             shown: dict[Key, int | None]) -> bool:
    hidden = [c for c in cells if shown[c] is None]
    published = [c for c in cells if shown[c] is not None]
    if shown[total] is not None:
        if len(hidden) != 1:
            return False
        if not published:
            shown[total] = None
            return True
        # the smallest published cell; a zero only if there is no non-zero one
        pick = min(published, key=lambda c: (exact[c] == 0, exact[c]))
        shown[pick] = None
        return True
    nonzero = [c for c in published if exact[c] > 0]
    if hidden or not nonzero:
        return False
    shown[min(nonzero, key=lambda c: exact[c])] = None
    return True
