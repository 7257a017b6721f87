"""Conditions → SQL predicates, one function per node type (dispatch on the node's class).

Every predicate returned here is two-valued: it is never SQL NULL, so ``NOT``, ``AND``,
``OR`` and ``at least N of`` mean what the language says for a patient without records
(``has X`` false, ``not has X`` true, ``latest X > 5`` false, ``not latest X > 5`` true).
Nullable inputs are guarded with ``col IS NOT NULL AND ...`` or ``COALESCE``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from collections.abc import Callable, Mapping

import sqlalchemy as sa
from sqlalchemy.sql import operators as sql_operators

from criteria_grammar import nodes
from dart.compiler import codesets
from dart.compiler.codesets import Measure, Ranked, Reads, RelativeRange
from dart.compiler.dates import birth_cutoff, step_back, window_range
from dart.compiler.sqltypes import DATE, INTEGER

Pred = sa.ColumnElement[bool]

_OPS: dict[str, Callable] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "=": operator.eq, "!=": operator.ne,
}


class CompileError(ValueError):
    """Criteria the compiler cannot turn into SQL (``check`` should have caught it)."""


def convert_threshold(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a threshold (never the data) with ``criteria_grammar.units.convert``."""
    from criteria_grammar import units  # the grammar package owns the conversion table

    return units.convert(value, from_unit, to_unit)


def apply_test(expr: sa.ColumnElement | float, test: nodes.Test, scale=lambda v: v) -> Pred:
    """``expr CMP V`` or ``expr BETWEEN A AND B`` (inclusive), V/A/B passed through ``scale``."""
    if isinstance(test, nodes.Compare):
        return _OPS[test.op](expr, scale(test.value))
    # ``&``: an AND of the two for SQL expressions, a bool for a Python number (which is
    # how a record atom is folded for a patient without records).
    return (expr >= scale(test.low)) & (expr <= scale(test.high))


def value_classes(value: sa.ColumnElement, test: nodes.Test,
                  scale=lambda v: v) -> list[tuple[Pred, bool]]:
    """``test`` as classes of values from the lowest up, each with whether it passes:
    below, inside and above a range (or a comparison's threshold)."""
    if isinstance(test, nodes.Range):
        low, high = scale(test.low), scale(test.high)
        return [(value < low, False), ((value >= low) & (value <= high), True),
                (value > high, False)]
    v, op = scale(test.value), test.op
    if op in ("=", "!="):
        inside = op == "="
        return [(value < v, not inside), (value == v, inside), (value > v, not inside)]
    if op in ("<", ">="):
        return [(value < v, op == "<"), (value >= v, op == ">=")]
    return [(value <= v, op == "<="), (value > v, op == ">")]


def constant(value: bool) -> Pred:
    """``true()``/``false()``: SQLAlchemy folds them through AND, OR and NOT."""
    return sa.true() if value else sa.false()


def known(pred: Pred) -> bool | None:
    """The value of a condition SQLAlchemy folded to a constant, else None.

    (``and_(false(), x)`` is an AsBoolean around False_, ``not_`` of it one with
    ``is_false``.)
    """
    core = pred.element if isinstance(pred, sa.sql.elements.AsBoolean) else pred
    if not isinstance(core, sa.sql.elements.True_ | sa.sql.elements.False_):
        return None
    value = isinstance(core, sa.sql.elements.True_)
    if isinstance(pred, sa.sql.elements.AsBoolean) and pred.operator is sql_operators.is_false:
        value = not value
    return value


ONE = sa.literal_column("1", INTEGER)
ZERO = sa.literal_column("0", INTEGER)
"""Our own 0/1 constants, written into the SQL: as bound parameters they would hide a
constant from the planners (``CASE WHEN false THEN ? ELSE ? END`` is not folded)."""


def balanced_sum(terms: list[sa.ColumnElement]) -> sa.ColumnElement:
    """``t0 + t1 + ...`` as a balanced tree, nested log2(n) deep rather than n.

    Why: a left-deep chain of 1,100 additions exceeded DuckDB's expression depth (1,000)
    and Python's recursion limit in SQLAlchemy's compiler.
    """
    while len(terms) > 1:
        # SQLAlchemy flattens ``(a + b) + (c + d)`` (``+`` is associative), and the engines'
        # parsers build the left-deep chain from the flat text again; a ``type_coerce``
        # (which renders nothing of its own) keeps the parentheses.
        pairs = [sa.type_coerce(terms[i] + terms[i + 1], INTEGER).self_group()
                 for i in range(0, len(terms) - 1, 2)]
        terms = pairs + ([terms[-1]] if len(terms) % 2 else [])
    return terms[0]


def guarded(col: sa.ColumnElement, pred: Pred) -> Pred:
    """``col IS NOT NULL AND pred``: false, not NULL, when ``col`` is NULL."""
    return sa.and_(col.is_not(None), pred)


def age_test(dob: sa.ColumnElement, test: nodes.Test, index: dt.date) -> Pred:
    """Age in completed years on ``index``, as comparisons of date_of_birth with bound dates.

    age >= N  <=>  dob <= index - N years; age < N  <=>  dob > index - N years. Decimal
    thresholds round to the whole ages they admit (age > 17.5 is age >= 18).
    """
    def at_least(n: int) -> Pred:
        return dob <= sa.literal(birth_cutoff(index, n), DATE)

    def below(n: int) -> Pred:
        return dob > sa.literal(birth_cutoff(index, n), DATE)

    if isinstance(test, nodes.Range):
        return sa.and_(at_least(math.ceil(test.low)), below(math.floor(test.high) + 1))
    v, op = test.value, test.op
    if op == ">=":
        return at_least(math.ceil(v))
    if op == ">":
        return at_least(math.floor(v) + 1)
    if op == "<=":
        return below(math.floor(v) + 1)
    if op == "<":
        return below(math.ceil(v))
    equal = sa.and_(at_least(int(v)), below(int(v) + 1)) if v == int(v) else sa.false()
    return equal if op == "=" else sa.not_(equal)


class ConditionCompiler:
    """Compiles the conditions of one criteria file against one index date.

    ``compile`` dispatches on the node's class: one method registered per ``Condition``
    subclass (``tests/unit/test_condition_checklist.py`` fails when one is missing).
    """

    shared = None
    """The defines computed once per patient (``dart.compiler.defines.SharedDefines``), set
    by ``dart.compiler.query``; ``None``: every define written where it is used."""

    def __init__(self, criteria: nodes.Criteria, codelists: Mapping[str, object],
                 index: dt.date, reads: Reads, patient: sa.FromClause,
                 practice: sa.FromClause):
        self.criteria, self.codelists, self.index = criteria, codelists, index
        self.reads, self.patient, self.practice = reads, patient, practice
        self._defines: dict[str, Pred] = {}

    @functools.singledispatchmethod
    def compile(self, cond: nodes.Condition) -> Pred:
        """``cond`` as a two-valued SQL predicate."""
        raise CompileError(f"cannot compile {type(cond).__name__}")

    # --- logic ---------------------------------------------------------------------------

    @compile.register
    def _and(self, c: nodes.And) -> Pred:
        return sa.and_(*(self.compile(i) for i in c.items))

    @compile.register
    def _or(self, c: nodes.Or) -> Pred:
        return sa.or_(*(self.compile(i) for i in c.items))

    @compile.register
    def _not(self, c: nodes.Not) -> Pred:
        return sa.not_(self.compile(c.item))

    @compile.register
    def _at_least(self, c: nodes.AtLeast) -> Pred:
        items = [self.compile(i) for i in c.items]
        values = [known(p) for p in items]
        if all(v is not None for v in values):  # e.g. every item a record, no records
            return constant(sum(values) >= c.n)
        ones = [sa.case((p, ONE), else_=ZERO) for p in items]
        return balanced_sum(ones) >= c.n

    @compile.register
    def _ref(self, c: nodes.Ref) -> Pred:
        # Compiled once. A define used more than once is a column computed once per patient
        # (``shared``, set by dart.compiler.query; dart.compiler.defines), unless it folded
        # to a constant; the others are written where used.
        if c.name not in self._defines:
            pred = self.compile(self.criteria.define(c.name).condition)
            shared = self.shared
            self._defines[c.name] = (pred if shared is None or known(pred) is not None
                                     else shared.use(c.name, pred))
        return self._defines[c.name]

    # --- demographics --------------------------------------------------------------------

    @compile.register
    def _age_test(self, c: nodes.AgeTest) -> Pred:
        return age_test(self.patient.c.date_of_birth, c.test, self.index)

    @compile.register
    def _sex_is(self, c: nodes.SexIs) -> Pred:
        return guarded(self.patient.c.sex, self.patient.c.sex == c.sex)

    @compile.register
    def _ethnicity_in(self, c: nodes.EthnicityIn) -> Pred:
        col = self.patient.c.ethnicity
        return guarded(col, col.in_(c.groups))

    @compile.register
    def _nation_in(self, c: nodes.NationIn) -> Pred:
        col = self.practice.c.nation
        return guarded(col, col.in_(c.nations))

    @compile.register
    def _region_in(self, c: nodes.RegionIn) -> Pred:
        col = self.practice.c.region
        return guarded(col, col.in_(c.regions))

    @compile.register
    def _practice_in(self, c: nodes.PracticeIn) -> Pred:
        # ODS codes are upper case; the store's are compared upper-cased too.
        col = self.practice.c.ods_code
        return guarded(col, sa.func.upper(col).in_(c.codes))

    @compile.register
    def _imd_test(self, c: nodes.ImdTest) -> Pred:
        # Unknown IMD is false for every test (and so `not imd ...` is true for it).
        col = self.patient.c.imd_quintile
        return guarded(col, apply_test(col, c.test))

    @compile.register
    def _registered(self, c: nodes.Registered) -> Pred:
        since = step_back(self.index, c.amount, c.unit)
        return self.patient.c.registration_start <= sa.literal(since, DATE)

    # --- records -------------------------------------------------------------------------

    def _codeset(self, name: str):
        if name not in self.codelists:
            raise CompileError(f"unknown code set {name!r}")
        cl = self.codelists[name]
        make = codesets.codeset_source(name, cl.system, tuple(cl.codes), self.reads.store)
        return self.reads.source(f"codeset:{name}", make), cl

    # Each record atom: a test of one measure's column, and its value for a patient without
    # records (a count of 0, every other measure absent: false). ``Reads.atom`` returns that
    # value as a constant in the registering pass, then the atom's bit (``codesets``).

    def _range(self, window: nodes.Window) -> codesets.DateRange | RelativeRange:
        """The dates ``window`` admits: bound dates from the index date, or for a window
        anchored on a patient's record a range from that record's date (per patient)."""
        if not isinstance(window, nodes.Relative):
            return window_range(window, self.index)
        anchor = window.anchor
        src, _ = self._codeset(anchor.codeset)
        cte = self.reads.anchor((anchor.which, anchor.codeset), src, anchor.which == "latest")
        return RelativeRange(cte, window.amount, window.unit, window.direction == "after")

    def _count_atom(self, c: nodes.Condition, src: codesets.Source, window: nodes.Window,
                    test: nodes.Test | None, kind: str = "count",
                    study: int | None = None) -> Pred:
        measure = Measure(kind, self._range(window), study)
        if test is None:  # has / invited / enrolled: at least one row
            return self.reads.atom(c, src, measure, lambda n: sa.func.coalesce(n, 0) > 0,
                                   without_records=False)
        # No rows counts as 0, so `count of X < 2` is true for a patient without records.
        return self.reads.atom(c, src, measure,
                               lambda n: apply_test(sa.func.coalesce(n, 0), test),
                               without_records=bool(apply_test(0, test)))

    @compile.register
    def _has(self, c: nodes.Has) -> Pred:
        return self._count_atom(c, self._codeset(c.codeset)[0], c.window, None)

    @compile.register
    def _count_of(self, c: nodes.CountOf) -> Pred:
        return self._count_atom(c, self._codeset(c.codeset)[0], c.window, c.test)

    @compile.register
    def _total_quantity(self, c: nodes.TotalQuantity) -> Pred:
        # Summed as a count is: no rows (or no quantities) is 0.
        return self._count_atom(c, self._codeset(c.codeset)[0], c.window, c.test, "quantity")

    @compile.register
    def _invited(self, c: nodes.Invited) -> Pred:
        src = self.reads.source("invitation", codesets.invitation_source(self.reads.store))
        return self._count_atom(c, src, c.window, None, study=c.study)

    @compile.register
    def _enrolled(self, c: nodes.Enrolled) -> Pred:
        src = self.reads.source("enrolment", codesets.enrolment_source(self.reads.store))
        return self._count_atom(c, src, c.window, None, study=c.study)

    @compile.register
    def _value_of(self, c: nodes.ValueOf) -> Pred:
        src, cl = self._codeset(c.codeset)
        if cl.system != "snomed":
            raise CompileError(f"{c.aggregate} of {c.codeset}: values are observations only")
        unit = c.test.unit
        if unit is not None and cl.unit is None:
            raise CompileError(f"{c.codeset} declares no unit, so accepts no {unit!r}")
        scale = (lambda v: convert_threshold(v, unit, cl.unit)) if unit else (lambda v: v)
        rng = self._range(c.window)
        if c.aggregate in ("latest", "earliest"):
            measure = Measure(f"{c.aggregate}_value", rng)
            ranked = Ranked(lambda value, _code: value_classes(value, c.test, scale))
            return self.reads.atom(c, src, measure, ranked, without_records=False)
        return self.reads.atom(c, src, Measure(c.aggregate, rng),
                               lambda col: guarded(col, apply_test(col, c.test, scale)),
                               without_records=False)

    @compile.register
    def _first_in(self, c: nodes.FirstIn) -> Pred:
        src, _ = self._codeset(c.codeset)
        rng = window_range(c.window, self.index)

        def inside(first: sa.ColumnElement) -> Pred:
            test = codesets.in_range(first, rng, self.index)
            return guarded(first, test if test is not None else sa.true())

        return self.reads.atom(c, src, Measure("first"), inside, without_records=False)

    @compile.register
    def _latest_code_in(self, c: nodes.LatestCodeIn) -> Pred:
        src, _ = self._codeset(c.codeset)
        if c.target not in self.codelists:
            raise CompileError(f"unknown code set {c.target!r}")
        target = tuple(dict.fromkeys(self.codelists[c.target].codes))
        # Two classes: a code outside the target, then in it ("several that date: any").
        def in_target(codes: list[sa.ColumnElement]) -> Pred:
            # A record with two codes (OMOP: source and standard concept) has both; either
            # may be NULL there, and must then be false, not NULL (the classes are CASEs).
            if len(codes) == 1:
                return codes[0].in_(target)
            return sa.or_(*(guarded(code, code.in_(target)) for code in codes))

        ranked = Ranked(lambda _value, codes: [(~in_target(codes), False),
                                               (in_target(codes), True)])
        measure = Measure("latest_code", self._range(c.window))
        return self.reads.atom(c, src, measure, ranked, without_records=False)
