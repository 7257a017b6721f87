"""Which codes of a criteria file's code sets a store cannot match (``dart check --db``),
and the ODS codes of ``practice in (...)`` it has no practice for (an error, raised by
every command that opens a store before it counts).

On a native store a code is matched when some record carries it; on an OMOP store when
``concept`` has it in the code set's vocabulary (a code without a concept matches nothing).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from criteria_grammar import nodes
from criteria_grammar.check import walk
from criteria_grammar.errors import CriteriaError
from dart.sources import Source


@dataclass(frozen=True)
class Coverage:
    """A code set the file uses: how many of its codes the store cannot match."""

    name: str
    missing: int
    total: int

    def message(self, store: str) -> str:
        return (f"code set {self.name}: {self.missing} of {self.total} codes "
                f"{store}, so they match nothing")


def every_condition(criteria: nodes.Criteria) -> Iterator[nodes.Condition]:
    """Every condition of the file, inside defines, rules and the population."""
    roots = [d.condition for d in criteria.defines] + [r.condition for r in criteria.rules]
    if criteria.population:
        roots.append(criteria.population.condition)
    for root in roots:
        yield from walk(root)


def check_practices(bind: sa.Connection | sa.Engine, source: Source,
                    criteria: nodes.Criteria) -> None:
    """Raise ``CriteriaError`` (``unknown-practice``, at the code) for the first ODS code of
    a ``practice in (...)`` that no practice of the store has (matched ignoring case)."""
    listed = [(code, pos) for node in every_condition(criteria)
              if isinstance(node, nodes.PracticeIn)
              for code, pos in zip(node.codes, node.code_pos or (node.pos,) * len(node.codes),
                                   strict=True)]
    if not listed:
        return
    ods = sa.func.upper(source.practices.c.ods_code)
    query = sa.select(ods).where(ods.in_(sorted({code for code, _ in listed}))).distinct()
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            found = set(conn.execute(query).scalars())
    else:
        found = set(bind.execute(query).scalars())
    for code, pos in listed:
        if code not in found:
            raise CriteriaError.at(criteria.source, pos.line, pos.col,
                                   f"no practice in the store has ODS code '{code}': "
                                   "check the code, or remove it", "unknown-practice",
                                   criteria.filename)


def used_codesets(criteria: nodes.Criteria) -> list[str]:
    """The code sets the file's conditions name (``latest code of X in Y``: both; an
    anchored window's code set too)."""
    names: dict[str, None] = {}
    for node in every_condition(criteria):
        for attr in ("codeset", "target"):
            if isinstance(getattr(node, attr, None), str):
                names[getattr(node, attr)] = None
        window = getattr(node, "window", None)
        if isinstance(window, nodes.Relative):
            names[window.anchor.codeset] = None
    return list(names)


def uncovered(bind: sa.Connection, source: Source, criteria: nodes.Criteria,
              codelists: Mapping) -> list[Coverage]:
    """The used code sets with codes ``source``'s store cannot match (one query each)."""
    out = []
    for name in used_codesets(criteria):
        codelist = codelists[name]
        codes = tuple(dict.fromkeys(codelist.codes))
        found = set(bind.execute(source.matched_codes(codelist.system, codes)).scalars())
        missing = sum(code not in found for code in codes)
        if missing:
            out.append(Coverage(name, missing, len(codes)))
    return out
