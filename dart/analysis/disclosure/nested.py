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
* from the policy's ``copies_accurate_from`` patients (220; 100 keeps every count of 100 or
  more within 5 %), that count is within 5 % of the cell's (``memory.copyable``).

Otherwise its next anchor is tried, then its own count is published. An anchor's own count
does not depend on the cells anchored to it, so a cohort's total reads the same in every
answer and from every endpoint; the same cell with the same anchors reads the same in every
table.

With ``policy.memory`` (the counts published in earlier answers, ``memory``), a cell that
is a set published before reads as it did, before any anchor; a cell that no anchor gives a
count takes that of the closest set published before within ``threshold`` patients, if
any; and every cell published as a number is remembered.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence

from dart.analysis.disclosure.memory import copyable
from dart.analysis.disclosure.policy import DisclosurePolicy

Exact = tuple[int, int]  # a cell's exact count and cell key (its patients' key sum)
# Where a group sits inside another dimension's group (a practice in its region, a region
# in its nation): its anchor comes before the total.
PARENT_DIMENSION = {"practice": "region", "region": "nation"}


def publish_nested(policy: DisclosurePolicy, cells: Mapping[Hashable, Exact],
                   anchors: Mapping[Hashable, Sequence[Hashable]],
                   structural: Collection[Hashable] = ()) -> dict[Hashable, int | None]:
    """Every cell of ``cells`` published by ``policy``, a cell close to one of its
    ``anchors`` (names of other cells; one not in ``cells`` is passed over) with that
    anchor's count.
    ``structural``: the cells the criteria make empty (published 0 while their count is 0).
    """
    out: dict[Hashable, int | None] = {}
    root: dict[Hashable, int] = {}  # the exact count of the set whose count a cell carries
    recall = policy.memory if policy.enabled else None
    t = policy.threshold

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
        root[name] = n
        if not policy.enabled or n <= t:
            return
        if recall is not None and (same := recall.same(n, key)) is not None:
            out[name], root[name] = same.value, same.root_n
            return
        # The closest anchor first (the same patients, a gap of 0, always win: the same
        # set never reads two ways in one answer), the given order among equals.
        near = sorted((a for a in anchors.get(name, ()) if a in cells),
                      key=lambda a: abs(cells[a][0] - n))
        for anchor in near:
            value = out[anchor]
            if value is None:
                continue  # a marker
            if abs(cells[anchor][0] - n) <= t and copyable(
                    n, value, root[anchor], t, policy.copies_accurate_from):
                out[name], root[name] = value, root[anchor]
                break
        else:
            if recall is not None and (hit := recall.near(n, key)) is not None:
                out[name], root[name] = hit.value, hit.root_n
        if recall is not None:
            recall.add(n, key, out[name], root[name])

    for name in cells:
        resolve(name)
    return out


def publish_one(policy: DisclosurePolicy, n: int, key: int) -> int | None:
    """One cell with no anchor (``policy.publish``): with ``policy.memory``, the count of
    the same set or the closest set published before, if any."""
    return publish_nested(policy, {0: (n, key)}, {})[0]


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
