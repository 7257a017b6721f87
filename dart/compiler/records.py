"""The record atoms a condition holds, with their code sets and date ranges at an index date.

For explaining a patient rather than counting: the invite list shows, for each include rule,
the record that satisfied it (``dart.recruitment.reasons``). ``record_atoms`` walks one
condition (through ``and``, ``or``, ``at least N of`` and ``define``s; not into ``not``,
whose records are reasons *against*) and returns each record atom with the bounds the
compiler itself uses (``window_range``), so an explanation reads the rows the count read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from criteria_grammar import nodes
from dart.compiler.atoms import apply_test, convert_threshold
from dart.compiler.dates import DateRange, window_range
from dart.compiler.query import library_with_inline
from dart.store.codelists import Codelist


@dataclass(frozen=True)
class RecordAtom:
    """One record atom of a condition, as the compiler reads it at ``index``.

    ``kind``: ``has``, ``count``, ``latest``, ``earliest``, ``min``, ``max``, ``mean``,
    ``first`` (first record ever, which must fall in ``rng``) or ``latest_code``.
    ``codelist`` is the code set read (its ``system`` names the table, ``terms`` the codes).
    """

    node: nodes.Condition
    kind: str
    codelist: Codelist
    rng: DateRange

    def passes(self, value: float) -> bool:
        """Whether a patient's measure (a count, a value in the code set's unit) passes the
        atom's test, with the threshold converted as the compiler converts it; True for
        atoms without a test (``has``, ``first``, ``latest_code``)."""
        test = getattr(self.node, "test", None)
        if test is None:
            return True
        unit, to = test.unit, self.codelist.unit
        scale = (lambda v: convert_threshold(v, unit, to)) if unit and to else (lambda v: v)
        return bool(apply_test(value, test, scale))


def _kind(cond: nodes.Condition) -> str | None:
    if isinstance(cond, nodes.Has):
        return "has"
    if isinstance(cond, nodes.CountOf):
        return "count"
    if isinstance(cond, nodes.ValueOf):
        return cond.aggregate
    if isinstance(cond, nodes.FirstIn):
        return "first"
    if isinstance(cond, nodes.LatestCodeIn):
        return "latest_code"
    return None


def _walk(criteria: nodes.Criteria, cond: nodes.Condition,
          seen: frozenset[str]) -> Iterator[nodes.Condition]:
    if isinstance(cond, nodes.And | nodes.Or | nodes.AtLeast):
        for item in cond.items:
            yield from _walk(criteria, item, seen)
    elif isinstance(cond, nodes.Ref):
        if cond.name not in seen:  # ``check`` refuses cycles; this only guards the walk
            yield from _walk(criteria, criteria.define(cond.name).condition,
                             seen | {cond.name})
    elif _kind(cond) is not None and not isinstance(cond.window, nodes.Relative):
        # A window anchored on the patient's own record has no bound dates; its reason is
        # not listed (rather than a record from the wrong dates).
        yield cond


def record_atoms(criteria: nodes.Criteria, cond: nodes.Condition,
                 library: Mapping[str, Codelist], index: dt.date) -> list[RecordAtom]:
    """The record atoms of ``cond`` (not under a ``not``), in source order.

    ``first X WINDOW``'s range is the window the first record must fall in (the compiler
    reads the first record ever for it).
    """
    codelists = library_with_inline(criteria, library)
    found = []
    for node in _walk(criteria, cond, frozenset()):
        found.append(RecordAtom(node, _kind(node), codelists[node.codeset],
                                window_range(node.window, index)))
    return found
