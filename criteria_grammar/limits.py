"""How big a criteria file may be once compiled, decided from the tree before any query runs.

A file of 64 KB can still ask for an enormous query: a ``define`` used twice in the next
define doubles at every line (40 lines: 2^39 conditions), and every rule, code set and code
adds to the statement. ``check_limits`` measures the file as the compiler will build it and
refuses it with a ``CriteriaError`` (code ``too-large``) at the statement that crosses a
limit, saying the limit and what to do. ``check`` runs it, so ``dart check``,
``/criteria/check``, study approval and every run accept exactly the same files.

What is measured (``tokens`` by ``parse``, before the grammar runs; the rest here):

- ``tokens``: words and symbols of the file (the grammar's cost grows with them).

- ``conditions``: condition nodes the compiled query holds, after sharing. A define used
  more than once (``shared_defines``) is compiled once, as a column computed once per
  patient, and each use is one node (a reference to that column); a define used once is
  written where it is used and counts its whole condition there. Measured in one pass per
  define (``_Sizes``).
- ``depth``: conditions nested inside conditions, through the defines written out (each
  level is one more level of SQL expression, which engines and SQLAlchemy's compiler follow
  recursively); a shared define is one level where used, and its own condition is measured
  by itself.
- ``levels``: shared defines built on shared defines (``d1`` uses ``d0`` twice, ``d2`` uses
  ``d1`` twice: 3 levels); each level is one step of the query, computed in turn.
- ``rules``, ``code sets`` (distinct sets read), ``codes`` (of those sets, a code in two
  sets counted twice),
  ``items`` (conditions in one ``and``, ``or`` or ``at least`` list).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

from criteria_grammar import nodes as n
from criteria_grammar.errors import CriteriaError


@dataclass(frozen=True)
class Limits:
    """The largest file DART compiles. Each default says why it is where it is; the cost
    of a file grows linearly with its rules up to them (``python -m bench.rules``)."""

    tokens: int = 10_000
    """Words and symbols of the file, counted before parsing (``parse``)."""
    conditions: int = 10_000
    """Conditions after sharing (each written once, so at most the file's own)."""
    depth: int = 40
    rules: int = 500
    """Each rule is two columns of ``patient_rules``: PostgreSQL takes at most 1,664 columns
    in a SELECT, SQLite 2,000."""
    codesets: int = 200
    codes: int = 20_000
    """Codes are bound parameters: SQLite takes at most 32,766 in one statement."""
    items: int = 500
    """Conditions in one ``and``/``or``/``at least`` list: SQLite parses a list of ANDs as a
    left-deep tree and refuses one deeper than 1,000."""
    levels: int = 64
    """Shared defines built on shared defines: each level is one materialized step of the
    query (``dart.compiler.defines``), compiled recursively by SQLAlchemy."""

    def to_json(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT_LIMITS = Limits()

_CHILDREN = (n.And, n.Or, n.AtLeast)


def _children(node: n.Condition) -> tuple[n.Condition, ...]:
    if isinstance(node, n.Not):
        return (node.item,)
    if isinstance(node, _CHILDREN):
        return node.items
    return ()


def shared_defines(criteria: n.Criteria) -> frozenset[str]:
    """The defines used more than once (in rules, the population and other defines): the
    compiler computes each of them once per patient and refers to it by name; the others
    are written where they are used."""
    uses: dict[str, int] = {}
    tops = [d.condition for d in criteria.defines] + [c for _, c, _ in _statements(criteria)]
    for top in tops:
        for node in _walk(top):
            if isinstance(node, n.Ref):
                uses[node.name] = uses.get(node.name, 0) + 1
    return frozenset(name for name, count in uses.items() if count > 1)


class _Sizes:
    """Size and depth of conditions after sharing, each define measured once.

    ``memo``: what one use of a define costs where it is used: its whole condition when it
    is written out, one node when it is shared. ``shared``: the shared defines' own
    (nodes, depth, level), counted once each.
    """

    def __init__(self, criteria: n.Criteria):
        self.memo: dict[str, tuple[int, int]] = {}
        self.level: dict[str, int] = {}
        self.shared: dict[str, tuple[int, int, int]] = {}
        names = shared_defines(criteria)
        # File order: ``check_structure`` guarantees a define refers only to defines above
        # it, so each is measured from sizes already known (no recursion through defines).
        for define in criteria.defines:
            nodes, depth = self.of(define.condition)
            level = 1 + max((self.level.get(r.name, 0) for r in _walk(define.condition)
                             if isinstance(r, n.Ref)), default=0)
            if define.name in names:
                self.level[define.name] = level
                self.shared[define.name] = (nodes, depth, level)
                self.memo[define.name] = (1, 1)
            else:
                self.level[define.name] = level - 1  # written out: no level of its own
                self.memo[define.name] = (nodes, depth)

    def of(self, root: n.Condition) -> tuple[int, int]:
        """(nodes, depth) of ``root``, each define it uses as one use costs (``memo``).

        Iterative (post-order with an explicit stack): a deeply nested file must not make
        the check itself recurse.
        """
        done: dict[int, tuple[int, int]] = {}
        stack: list[tuple[n.Condition, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if isinstance(node, n.Ref):
                done[id(node)] = self.memo.get(node.name, (1, 1))
                continue
            kids = _children(node)
            if not expanded and kids:
                stack.append((node, True))
                stack.extend((k, False) for k in kids)
                continue
            sizes = [done[id(k)] for k in kids]
            done[id(node)] = (1 + sum(s for s, _ in sizes),
                              1 + max((d for _, d in sizes), default=0))
        return done[id(root)]


def _walk(condition: n.Condition) -> Iterator[n.Condition]:
    stack = [condition]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(_children(node)))


def rules_message(rules: int, limits: Limits) -> str:
    """The message of a file with too many rules (``parse`` and ``check`` both say it)."""
    return _message("the number of rules", rules, limits.rules,
                    "split the study into several files")


def _message(what: str, size: int, limit: int, advice: str) -> str:
    return (f"too large to compile: {what} reaches {size:,}, over the limit of {limit:,}; "
            f"{advice}")


def _too_large(criteria: n.Criteria, pos: n.Pos, what: str, size: int, limit: int,
               advice: str) -> CriteriaError:
    return CriteriaError.at(criteria.source, pos.line, pos.col,
                            _message(what, size, limit, advice), "too-large",
                            criteria.filename)


def _statements(criteria: n.Criteria) -> list[tuple[n.Pos, n.Condition, bool]]:
    """Every condition the query evaluates (rules and population; not a define's own body,
    which counts where it is used), with its position, in file order; ``True`` for rules."""
    out = [(r.pos, r.condition, True) for r in criteria.rules]
    if criteria.population:
        out.append((criteria.population.pos, criteria.population.condition, False))
    return sorted(out, key=lambda item: (item[0].line, item[0].col))


def check_limits(criteria: n.Criteria, catalogue: Mapping[str, Any],
                 limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse ``criteria`` when its compiled query would exceed ``limits``.

    ``catalogue`` maps code set names to objects with ``.codes`` (inline ``codelist``
    statements shadow it, as in ``check``). Raises ``CriteriaError`` (code ``too-large``).
    """
    sizes = _Sizes(criteria)
    inline = {c.name: c for c in criteria.codelists}
    total, rules = 0, 0
    sets: dict[str, None] = {}
    codes = 0  # summed over the sets: the query binds each code once per set holding it
    positions = {d.name: d.pos for d in criteria.defines}
    measured = [(positions[name], *size, False) for name, size in sizes.shared.items()]
    measured += [(pos, *sizes.of(condition), 0, is_rule)
                 for pos, condition, is_rule in _statements(criteria)]
    for pos, nodes, depth, level, is_rule in sorted(measured, key=lambda m: (m[0].line,
                                                                            m[0].col)):
        if is_rule:
            rules += 1
            if rules > limits.rules:
                raise CriteriaError.at(criteria.source, pos.line, pos.col,
                                       rules_message(rules, limits), "too-large",
                                       criteria.filename)
        total += nodes
        if level > limits.levels:
            raise _too_large(criteria, pos, "the levels of defines used more than once, "
                             "each built on the one before", level, limits.levels,
                             "build fewer defines on top of each other")
        if depth > limits.depth:
            raise _too_large(criteria, pos, "the nesting of conditions (defines used once "
                             "written out)", depth, limits.depth,
                             "flatten the conditions or name fewer nested defines")
        if total > limits.conditions:
            raise _too_large(criteria, pos, "the conditions of the compiled query (a define "
                             "used once counts its whole condition where it is used)", total,
                             limits.conditions, "simplify the rules or split the study")
    for node in _every_node(criteria):
        items = len(_children(node))
        if items > limits.items:
            raise _too_large(criteria, node.pos, "the conditions in one list", items,
                             limits.items, "list fewer conditions (one code set can stand for "
                             "many codes)")
        for name in _codesets_of(node):
            if name in sets:
                continue
            sets[name] = None
            if len(sets) > limits.codesets:
                raise _too_large(criteria, node.pos, "the code sets read", len(sets),
                                 limits.codesets, "merge code sets into fewer lists")
            found = inline.get(name) or catalogue.get(name)
            codes += len(set(getattr(found, "codes", ())))
            if codes > limits.codes:
                raise _too_large(criteria, node.pos, "the codes of the code sets", codes,
                                 limits.codes, "use narrower code sets")


def _every_node(criteria: n.Criteria) -> Iterator[n.Condition]:
    """Every condition node of the file once (define bodies once), in file order."""
    tops = [(d.pos, d.condition) for d in criteria.defines]
    tops += [(pos, cond) for pos, cond, _ in _statements(criteria)]
    for _pos, condition in sorted(tops, key=lambda item: (item[0].line, item[0].col)):
        yield from _walk(condition)


def _codesets_of(node: n.Condition) -> tuple[str, ...]:
    if isinstance(node, n.LatestCodeIn):
        return (node.codeset, node.target)
    codeset = getattr(node, "codeset", None)
    return (codeset,) if codeset else ()
