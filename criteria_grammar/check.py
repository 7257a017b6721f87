"""Semantic checks of a parsed file.

``check_structure`` needs only the file (``parse`` runs it): duplicate names, a define used
before it exists, a define referring to itself. ``check`` adds the code set catalogue: unknown
names (with a did-you-mean), value atoms on dm+d sets, units. Errors carry the position of
the offending node.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import fields
from typing import Any

from criteria_grammar import nodes as n
from criteria_grammar.errors import CriteriaError
from criteria_grammar.limits import DEFAULT_LIMITS, Limits, check_limits
from criteria_grammar.units import can_convert


def _error(criteria: n.Criteria, pos: n.Pos, message: str, code: str,
           suggestion: str | None = None) -> CriteriaError:
    return CriteriaError.at(criteria.source, pos.line, pos.col, message, code,
                            criteria.filename, suggestion)


def walk(condition: n.Condition) -> Iterator[n.Condition]:
    """``condition`` and every condition inside it, depth first."""
    stack = [condition]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, n.Not):
            stack.append(node.item)
        elif isinstance(node, (n.And, n.Or, n.AtLeast)):
            stack.extend(reversed(node.items))


def _conditions(criteria: n.Criteria) -> Iterator[tuple[str | None, n.Condition]]:
    """Every top-level condition with the name of the define it belongs to, in file order."""
    ordered: list[tuple[n.Pos, str | None, n.Condition]] = []
    ordered += [(d.pos, d.name, d.condition) for d in criteria.defines]
    ordered += [(r.pos, None, r.condition) for r in criteria.rules]
    if criteria.population:
        ordered.append((criteria.population.pos, None, criteria.population.condition))
    ordered.sort(key=lambda item: (item[0].line, item[0].col))
    for _pos, name, condition in ordered:
        yield name, condition


def check_structure(criteria: n.Criteria) -> None:
    """Duplicate names, defines used before they exist, defines referring to themselves."""
    seen: dict[str, str] = {}
    named = [(c.name, c.name_pos, "codelist") for c in criteria.codelists]
    named += [(d.name, d.name_pos, "define") for d in criteria.defines]
    for name, pos, what in sorted(named, key=lambda item: (item[1].line, item[1].col)):
        if name in seen:
            raise _error(criteria, pos, f"duplicate name '{name}': already used by a "
                         f"{seen[name]} above", "duplicate-name")
        seen[name] = what
    all_defines = {d.name for d in criteria.defines}
    defined: set[str] = set()
    for owner, condition in _conditions(criteria):
        for node in walk(condition):
            if not isinstance(node, n.Ref) or node.name in defined:
                continue
            if node.name == owner:
                raise _error(criteria, node.pos, f"define '{owner}' refers to itself",
                             "self-reference")
            if node.name in all_defines:
                raise _error(criteria, node.pos, f"'{node.name}' is used before its define: "
                             "move the define above its first use", "undefined-define")
        if owner is not None:
            defined.add(owner)


def check(criteria: n.Criteria, catalogue: Mapping[str, Any],
          limits: Limits = DEFAULT_LIMITS) -> None:
    """Check names, systems and units against ``catalogue`` (name -> ``.system``, ``.unit``,
    ``.codes``), then the size of the compiled query against ``limits``
    (``criteria_grammar.limits``).

    Inline ``codelist`` statements shadow the catalogue. Raises ``CriteriaError``.
    """
    check_structure(criteria)
    inline = {c.name: c for c in criteria.codelists}
    defines = {d.name for d in criteria.defines}

    def codeset(name: str, pos: n.Pos) -> Any:
        if name in inline:
            return inline[name]
        if name in catalogue:
            return catalogue[name]
        candidates = [*inline, *catalogue, *defines]
        raise _error(criteria, pos, f"unknown code set '{name}'", "unknown-name",
                     _closest(name, candidates))

    for _owner, condition in _conditions(criteria):
        for node in walk(condition):
            if isinstance(node, n.Ref) and node.name not in defines:
                if node.name in inline or node.name in catalogue:
                    raise _error(criteria, node.pos, f"'{node.name}' is a code set, not a "
                                 f"define: write 'has {node.name}'", "unknown-name",
                                 f"has {node.name}")
                raise _error(criteria, node.pos, f"unknown name '{node.name}': not a define",
                             "unknown-name", _closest(node.name, defines))
            if hasattr(node, "codeset"):
                found = codeset(node.codeset, _pos_of(node, "codeset_pos"))
                if isinstance(node, n.ValueOf):
                    _check_value(criteria, node, found)
            if isinstance(node, n.LatestCodeIn):
                target = codeset(node.target, _pos_of(node, "target_pos"))
                if target.system != found.system:
                    raise _error(criteria, _pos_of(node, "target_pos"),
                                 f"'{node.target}' is a {target.system} code set but "
                                 f"'{node.codeset}' is {found.system}: their codes never "
                                 "match", "system-mismatch")
    check_limits(criteria, catalogue, limits)


def _check_value(criteria: n.Criteria, node: n.ValueOf, found: Any) -> None:
    if found.system != "snomed":
        raise _error(criteria, node.pos, f"'{node.aggregate}' needs recorded values, but "
                     f"'{node.codeset}' is a dm+d (prescription) code set", "value-on-dmd")
    unit, declared = node.test.unit, found.unit
    if unit is None:
        return
    where = _pos_of(node.test, "unit_pos")
    if declared is None:
        raise _error(criteria, where, f"'{node.codeset}' declares no unit, so '{unit}' "
                     "cannot be checked: remove it or declare the code set's unit",
                     "unit-mismatch")
    if not can_convert(unit, declared):
        raise _error(criteria, where, f"unit '{unit}' does not match '{node.codeset}' "
                     f"(recorded in {declared}) and has no known conversion", "unit-mismatch",
                     declared)


def _pos_of(node: object, name: str) -> n.Pos:
    """A node's more precise position if the builder recorded one, else its own."""
    names = {f.name for f in fields(node)}  # type: ignore[arg-type]
    pos = getattr(node, name) if name in names else n.NOWHERE
    return pos if pos != n.NOWHERE else node.pos  # type: ignore[attr-defined]


def _closest(name: str, candidates: Any) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    return close[0] if close else None
