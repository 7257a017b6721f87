"""Semantic checks of a parsed file.

``check_structure`` needs only the file (``parse`` runs it): duplicate names, a define used
before it exists, a define referring to itself. ``check`` adds the code set catalogue: unknown
names (with a did-you-mean), value atoms on dm+d sets, units. Errors carry the position of
the offending node.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

from criteria_grammar import nodes as n
from criteria_grammar.errors import CriteriaError
from criteria_grammar.grammar import CONDITION_FIRST_WORDS
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
    context = Context(criteria, catalogue)
    for _owner, condition in _conditions(criteria):
        for node in walk(condition):
            check_node(node, context)
    check_limits(criteria, catalogue, limits)


@dataclass(frozen=True)
class Context:
    """What checking one node needs: the file and the code set catalogue."""

    criteria: n.Criteria
    catalogue: Mapping[str, Any]

    def error(self, pos: n.Pos, message: str, code: str,
              suggestion: str | None = None) -> CriteriaError:
        return _error(self.criteria, pos, message, code, suggestion)

    @property
    def defines(self) -> set[str]:
        return {d.name for d in self.criteria.defines}

    def codeset(self, name: str, pos: n.Pos) -> Any:
        """The code set ``name`` (an inline ``codelist`` shadows the catalogue)."""
        inline = {c.name: c for c in self.criteria.codelists}
        if name in inline:
            return inline[name]
        if name in self.catalogue:
            return self.catalogue[name]
        candidates = [*inline, *self.catalogue, *self.defines]
        raise self.error(pos, f"unknown code set '{name}'", "unknown-name",
                         _closest(name, candidates))


@functools.singledispatch
def check_node(node: n.Condition, context: Context) -> None:
    """Check one condition (not the ones inside it: ``walk`` visits those). Dispatches on
    the node's class: one function registered per ``Condition`` subclass."""
    raise TypeError(f"no check for {type(node).__name__}")


@check_node.register(n.And)
@check_node.register(n.Or)
@check_node.register(n.Not)
@check_node.register(n.AtLeast)
@check_node.register(n.AgeTest)
@check_node.register(n.SexIs)
@check_node.register(n.EthnicityIn)
@check_node.register(n.NationIn)
@check_node.register(n.RegionIn)
@check_node.register(n.ImdTest)
@check_node.register(n.Registered)
@check_node.register(n.Invited)
@check_node.register(n.Enrolled)
@check_node.register(n.PracticeIn)  # its codes are checked where a store is opened
def _nothing_to_check(node: n.Condition, context: Context) -> None:
    """The parser already checked these (names of groups, ranges, dates)."""


@check_node.register
def _ref(node: n.Ref, context: Context) -> None:
    if node.name in context.defines:
        return
    if node.name in {c.name for c in context.criteria.codelists} or \
            node.name in context.catalogue:
        raise context.error(node.pos, f"'{node.name}' is a code set, not a define: write "
                            f"'has {node.name}'", "unknown-name", f"has {node.name}")
    raise context.error(node.pos, f"unknown name '{node.name}': not a define",
                        "unknown-name", _closest(node.name, context.defines)
                        or _closest(node.name.lower(), CONDITION_FIRST_WORDS))


@check_node.register(n.Has)
@check_node.register(n.CountOf)
@check_node.register(n.FirstIn)
def _record(node: n.Has | n.CountOf | n.FirstIn, context: Context) -> None:
    context.codeset(node.codeset, _pos_of(node, "codeset_pos"))
    _check_anchor(node.window, context)


def _check_anchor(window: n.Window, context: Context) -> None:
    """An anchored window's code set exists."""
    if isinstance(window, n.Relative):
        context.codeset(window.anchor.codeset, _pos_of(window.anchor, "codeset_pos"))


@check_node.register
def _total_quantity(node: n.TotalQuantity, context: Context) -> None:
    found = context.codeset(node.codeset, _pos_of(node, "codeset_pos"))
    if found.system != "dmd":
        raise context.error(_pos_of(node, "codeset_pos"), f"'total quantity of' adds up "
                            f"prescription quantities, but '{node.codeset}' is a SNOMED CT "
                            "(observation) code set: use a dm+d code set, or 'count of'",
                            "quantity-on-snomed")
    _check_anchor(node.window, context)


@check_node.register
def _value(node: n.ValueOf, context: Context) -> None:
    _check_value(context.criteria, node, context.codeset(node.codeset,
                                                         _pos_of(node, "codeset_pos")))
    _check_anchor(node.window, context)


@check_node.register
def _latest_code(node: n.LatestCodeIn, context: Context) -> None:
    found = context.codeset(node.codeset, _pos_of(node, "codeset_pos"))
    _check_anchor(node.window, context)
    target = context.codeset(node.target, _pos_of(node, "target_pos"))
    if target.system != found.system:
        raise context.error(_pos_of(node, "target_pos"),
                            f"'{node.target}' is a {target.system} code set but "
                            f"'{node.codeset}' is {found.system}: their codes never match",
                            "system-mismatch")


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
