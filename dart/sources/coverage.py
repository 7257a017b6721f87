"""Which codes of a criteria file's code sets a store cannot match (``dart check --db``).

On a native store a code is matched when some record carries it; on an OMOP store when
``concept`` has it in the code set's vocabulary (a code without a concept matches nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from criteria_grammar import nodes
from criteria_grammar.check import walk
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


def used_codesets(criteria: nodes.Criteria) -> list[str]:
    """The code sets the file's conditions name (``latest code of X in Y``: both)."""
    roots = [d.condition for d in criteria.defines] + [r.condition for r in criteria.rules]
    if criteria.population:
        roots.append(criteria.population.condition)
    names: dict[str, None] = {}
    for root in roots:
        for node in walk(root):
            for attr in ("codeset", "target"):
                if isinstance(getattr(node, attr, None), str):
                    names[getattr(node, attr)] = None
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
