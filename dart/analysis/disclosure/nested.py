"""Nested cells of one answer: a cell within ``threshold`` patients of its anchor is
published with the anchor's count (docs/disclosure.md, "Nested cells").

Within one answer, two published cells X and Y where one holds the other and they differ by
0..threshold patients (a breakdown group and its total when the other groups hold 0..7; a
"without this rule" population and the cohort when the rule's unique impact is 0..7; their
groups likewise) would give the reader ``|Y \\ X| + p_Y - p_X``: a look at a small count
through fresh noise, one per such pair, all in one answer. So X is published with Y's count:
the difference reads 0 whether the patients between them are 0 (the same set, identical
anyway) or 1..threshold.

Each cell names its anchors: cells of the same answer that contain it or that it contains
(the analyses say which, from the structure of what they count, and pass the exact count and
key sum of each; an anchor may be a helper cell that is not itself shown, such as a
dimension's known values). The closest anchor is tried first (the same patients, a gap of
0, always win), then the order given. A cell takes an anchor's published count when:

* both are above the threshold (a marker never becomes a number, nor a number the marker);
* the cell is within ``threshold`` of the anchor and of the cell whose own count the anchor
  carries (its root: copies never chain further than the threshold from the truth);
* from ``ACCURATE_FROM`` patients, the root's count plus the largest perturbation stays
  within 5 % of the cell's (the promise every count of 100 or more keeps).

Otherwise its next anchor is tried, then its own count is published. The decision reads
exact counts only, never a perturbation. An anchor's own count does not depend on the cells
anchored to it, so a cohort's total reads the same in every answer and from every endpoint;
the same cell with the same anchors reads the same in every table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence

from dart.analysis.disclosure.policy import ACCURATE_FROM, TOLERANCE, DisclosurePolicy

Exact = tuple[int, int]  # a cell's exact count and cell key (its patients' key sum)
# Where a group sits inside another dimension's group (a practice in its region, a region
# in its nation): its anchor comes before the total.
PARENT_DIMENSION = {"practice": "region", "region": "nation"}


def _close(policy: DisclosurePolicy, n: int, other: int) -> bool:
    gap = abs(n - other)
    if gap > policy.threshold:
        return False
    return n < ACCURATE_FROM or gap + policy.max_perturbation <= n // TOLERANCE


def publish_nested(policy: DisclosurePolicy, cells: Mapping[Hashable, Exact],
                   anchors: Mapping[Hashable, Sequence[Hashable]],
                   structural: Collection[Hashable] = ()) -> dict[Hashable, int | None]:
    """Every cell of ``cells`` published by ``policy``, a cell close to one of its
    ``anchors`` (names of other cells; one not in ``cells`` is passed over) with that
    anchor's count.
    ``structural``: the cells the criteria make empty (published 0 while their count is 0).
    """
    out: dict[Hashable, int | None] = {}
    root: dict[Hashable, Hashable] = {}

    def resolve(name: Hashable, depth: int = 0) -> None:
        if name in out:
            return
        if depth > len(cells):
            raise ValueError("cell anchors must not form a cycle")
        n, key = cells[name]
        for anchor in anchors.get(name, ()):  # anchors first, whatever the order given
            if anchor in cells:
                resolve(anchor, depth + 1)
        out[name] = policy.disclose(n, key, structural=name in structural)
        root[name] = name
        if not policy.enabled or n <= policy.threshold:
            return
        # The closest anchor first (the same patients, a gap of 0, always win: the same
        # set never reads two ways in one answer), the given order among equals.
        near = sorted((a for a in anchors.get(name, ()) if a in cells),
                      key=lambda a: abs(cells[a][0] - n))
        for anchor in near:
            if out[anchor] is None:
                continue  # a marker
            top = root[anchor]
            if _close(policy, n, cells[anchor][0]) and _close(policy, n, cells[top][0]):
                out[name], root[name] = out[top], top
                return

    for name in cells:
        resolve(name)
    return out


def known_cell(groups: Iterable[tuple[str, Exact]], unknown: str) -> Exact:
    """The count and key of a dimension's known values: every group but ``unknown``."""
    known = [exact for group, exact in groups if group != unknown]
    return sum(n for n, _ in known), sum(k for _, k in known)


def breakdown_anchors(total: Hashable, groups: Mapping[str, Iterable[tuple[str, str | None]]],
                      name: Callable[[str, str], Hashable],
                      known: Callable[[str], Hashable] | None = None, unknown: str = "unknown",
                      has_unknown: Collection[str] = ()) -> dict[Hashable, tuple]:
    """The anchors of one population's breakdown cells, the same in every analysis so that
    the same patients read the same in every table: a group's parent group (a practice's
    region, a region's nation), its dimension's known values (``known(dim)``, for the
    dimensions in ``has_unknown``), then the population's ``total``. ``groups``: each
    dimension's (group, parent group); ``name(dim, group)`` names a cell."""
    out: dict[Hashable, tuple] = {}
    for dim, listed in groups.items():
        with_known = known is not None and dim in has_unknown
        if with_known:
            out[known(dim)] = (total,)
        for group, parent in listed:
            first = []
            if dim in PARENT_DIMENSION and parent is not None:
                first.append(name(PARENT_DIMENSION[dim], parent))
            if with_known and group != unknown:
                first.append(known(dim))
            out[name(dim, group)] = (*first, total)
    return out
