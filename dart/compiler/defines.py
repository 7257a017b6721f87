"""Defines used more than once: computed once per patient, as a column, referred to by name.

A define written into the SQL at every use grows with its uses: ``define d{i} = d{i-1} or
d{i-1}`` doubles at every line (40 lines: 2^39 conditions). Instead, each define that the
file uses more than once (``criteria_grammar.limits.shared_defines``, the same rule the
size limits measure) compiles once to a predicate, and each use is a placeholder column
(``SharedDefines.use``). ``layered`` then builds the statement in steps, one per level of
defines built on defines, each a CTE that adds that level's defines as 0/1 columns to the
one before; the statement's own columns read the last step. A define used once is written
where it is used, as before (a column would only add a step).

Each step is a ``MATERIALIZED`` CTE where the engine would otherwise fold it back into its
reader and write the define out again (PostgreSQL, SQLite; ``dart.store.dialects``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnClause

from dart.compiler.sqltypes import INTEGER
from dart.store.dialects import materialized

Pred = sa.ColumnElement[bool]


class SharedDefines:
    """The shared defines of one compilation pass (``prefix`` names their columns)."""

    def __init__(self, names: Iterable[str], prefix: str):
        self.names, self.prefix = frozenset(names), prefix
        self.preds: dict[str, Pred] = {}  # column name -> the define's predicate

    def use(self, name: str, pred: Pred) -> Pred:
        """What a use of define ``name`` (compiled to ``pred``) compiles to: a reference to
        its column when it is shared, else ``pred`` itself."""
        if name not in self.names:
            return pred
        column = f"{self.prefix}{name}"
        self.preds[column] = pred
        return sa.column(column, INTEGER) == sa.literal_column("1", INTEGER)


def _placeholder(element, defines: dict[str, Pred]) -> str | None:
    if isinstance(element, ColumnClause) and element.table is None \
            and element.name in defines:
        return element.name
    return None


def _level_of(defines: dict[str, Pred]) -> dict[str, int]:
    """Each define's step: 0 when it reads no other define, else one after its last."""
    levels: dict[str, int] = {}

    def level(name: str) -> int:
        if name not in levels:
            uses = {p for e in visitors.iterate(defines[name])
                    if (p := _placeholder(e, defines))}
            levels[name] = 1 + max((level(u) for u in uses), default=-1)
        return levels[name]

    for name in defines:  # in compile order: a define's uses are compiled before it
        level(name)
    return levels


def layered(columns: list[sa.ColumnElement], from_: sa.FromClause,
            where: sa.ColumnElement[bool], defines: dict[str, Pred], name: str,
            adapt: Callable[[sa.ColumnElement], sa.ColumnElement] = lambda c: c,
            ) -> sa.Select:
    """``SELECT columns FROM from_ WHERE where``, its shared defines computed in steps.

    ``defines``: placeholder column name -> predicate (``SharedDefines.preds``); ``adapt``
    is applied to every column and predicate first (e.g. a read's columns to the summed
    masks). Without a define in use, the plain statement.
    """
    columns = [adapt(c) for c in columns]
    preds = {k: adapt(p) for k, p in defines.items()}
    if not preds:
        return sa.select(*columns).select_from(from_).where(where)
    levels = _level_of(preds)
    # Step 0 carries every column of ``from_`` the statement and the defines read, once
    # each (not the columns of a subquery's own tables, e.g. an EXISTS: it correlates).
    def key(e) -> int | None:
        if isinstance(e, ColumnClause) and e.table is not None:
            found = from_.corresponding_column(e)
            return None if found is None else id(found)
        return None

    reads: dict[int, ColumnClause] = {}
    for expr in [*columns, *preds.values()]:
        for e in visitors.iterate(expr):
            if (k := key(e)) is not None:
                reads.setdefault(k, e)
    label = {k: f"c{i}" for i, k in enumerate(reads)}

    def over(step: sa.CTE) -> Callable:
        def replace(e):
            if not isinstance(e, ColumnClause):
                return None
            if (placeholder := _placeholder(e, preds)) is not None:
                return step.c[placeholder]
            k = key(e)
            return None if k is None else step.c[label[k]]
        return lambda expr: visitors.replacement_traverse(expr, {}, replace)

    def flag(pred: Pred) -> sa.ColumnElement[int]:
        return sa.case((pred, sa.literal_column("1", INTEGER)),
                       else_=sa.literal_column("0", INTEGER))

    # A step carries on only the defines a later step or the statement reads, so the SQL
    # grows with the defines, not with their square (a chain reads only the one before).
    def uses(expr) -> set[str]:
        return {p for e in visitors.iterate(expr) if (p := _placeholder(e, preds))}

    top = max(levels.values())
    read_by = {level: set().union(*(uses(c) for c in columns),
                                  *(uses(p) for k, p in preds.items() if levels[k] > level))
               for level in range(top + 1)}
    first = [k for k, v in levels.items() if v == 0]
    step = materialized(
        sa.select(*(c.label(label[k]) for k, c in reads.items()),
                  *(flag(preds[k]).label(k) for k in first))
        .select_from(from_).where(where).cte(f"{name}_0"))
    for level in range(1, top + 1):
        here = over(step)
        kept = [c for c in step.c if c.name in label.values() or c.name in read_by[level]]
        step = materialized(
            sa.select(*kept, *(flag(here(preds[k])).label(k)
                               for k, v in levels.items() if v == level))
            .cte(f"{name}_{level}"))
    last = over(step)
    out = [last(c) if isinstance(c, sa.Label) else last(c).label(c.name) for c in columns]
    return sa.select(*out).select_from(step)
