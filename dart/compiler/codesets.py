"""Reading records: each TABLE read once per file, every record atom one bit of a mask.

A *source* is what an atom reads: a code set's rows of ``observation`` or ``prescription``,
or the ``invitation`` table. A record atom is a test of one *measure* of a source (a count in
a window, the latest value in a window, ...). All the sources of one table share one read::

    {t}_codes: VALUES (code, in_<set>...): every code of the file's sets, once
    {t}_rows: SELECT patient_id, date, code, value, in_<set>... FROM t JOIN {t}_codes
              WHERE date <= :index [AND date >= <the earliest date an atom looks at>]
    {t}_s1:   SELECT patient_id, <the masks> FROM {t}_rows
              WHERE <a row some atom uses> GROUP BY patient_id

The aggregate query returns no measures, only *masks*: BIGINT words in which bit ``i`` is
set when record atom ``i`` has, for this patient, the other value than it has for a patient
without records (``has X``: set when true; ``count of X < 2``: set when false). A patient
without a row in an aggregate has no bit set there, so ``coalesce(mask, 0)`` is right for
everyone, and bits are numbered across the whole file, so the masks of several aggregates
add up (``SUM``) to their OR: one integer per patient (per 62 atoms) carries every record
atom. Why: measured on DuckDB at 1M patients (docs/performance.md), gathering the measures
of the ~290k recorded patients as one column per measure cost ~0.15 s of a ~0.5 s
statement; one ``SUM`` of one column costs a third of that (per-table words merged with
``MAX`` instead: no faster).

A row's membership of each code set is computed once in ``rows`` (``in_<set>`` 0/1), so a
code in two sets counts for both.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import sqlalchemy as sa

from dart.compiler.dates import DateRange
from dart.compiler.sqltypes import BIGINT, DATE, INTEGER, TEXT
from dart.sources import Source as RecordSource
from dart.store.dialects import CodeRows, bit_and, epoch_seconds, shift_date


def in_range(
    col: sa.ColumnElement, rng: DateRange, index: dt.date
) -> sa.ColumnElement[bool] | None:
    """``col`` within ``rng`` as bound-date comparisons; None when every row qualifies.

    The rows are already ``<= index``, so an ``end`` equal to the index needs no comparison.
    """
    parts = []
    if rng.start is not None:
        parts.append(col >= sa.literal(rng.start, DATE))
    if rng.end < index:
        parts.append(col <= sa.literal(rng.end, DATE))
    return sa.and_(*parts) if parts else None


def _all(*conds: sa.ColumnElement[bool] | None) -> sa.ColumnElement[bool] | None:
    """The conjunction of the conditions that are not None; None if there are none."""
    present = [c for c in conds if c is not None]
    return sa.and_(*present) if present else None


def _when(cond: sa.ColumnElement[bool] | None, then, else_=None) -> sa.ColumnElement:
    """``CASE WHEN cond THEN then ELSE else_ END``, or just ``then`` when ``cond`` is None."""
    if cond is None:
        return then if isinstance(then, sa.ColumnElement) else sa.literal(then)
    return sa.case((cond, then), else_=else_)


@dataclass(frozen=True, eq=False)
class RelativeRange:
    """The dates a window anchored on a per-patient date admits: from ``anchor``'s date
    ``a`` (the ``a`` column of a per-patient CTE, NULL or absent without an anchor record)
    ``after``: a <= d <= a + N UNIT; ``before``: a - N UNIT <= d <= a. Rows are never
    after the index date (the read stops there)."""

    anchor: sa.CTE
    amount: int
    unit: str
    after: bool

    def test(self, d: sa.ColumnElement) -> Pred:
        a = self.anchor.c.a
        if self.after:
            return sa.and_(d >= a, d <= shift_date(a, self.amount, self.unit))
        return sa.and_(d >= shift_date(a, -self.amount, self.unit), d <= a)


@dataclass(frozen=True)
class Measure:
    """One per-patient summary of a source.

    kinds: ``count`` (rows in range), ``quantity`` (sum of prescription quantities in
    range), ``first`` (first date ever), ``min``/``max``/``mean`` (of non-null values in
    range); and the *chosen-row* kinds, whose atoms test the row(s) on the latest or
    earliest date in range (``Ranked``): ``latest_value`` and ``earliest_value`` (rows with
    a value), ``latest_code``. ``study``: only invitations for that study.
    """

    kind: str
    rng: DateRange | RelativeRange | None = None
    study: int | None = None


LATEST = {"latest_value": True, "earliest_value": False, "latest_code": True}
"""The chosen-row kinds: True when the latest date is chosen, False the earliest."""


@dataclass(frozen=True)
class Ranked:
    """A chosen-row atom's test, as classes of rows: ``classes(value, codes)`` (``codes``:
    the row's code columns, one per code a record carries) lists (row
    predicate, passes) from the lowest rank up, e.g. for ``latest X between 58 and 110``:
    below 58 (fails), 58 to 110 (passes), above 110 (fails). On the chosen date the
    highest-ranked class present decides ("several that date: the highest of them").
    """

    classes: Callable[[sa.ColumnElement, sa.ColumnElement], list[tuple[sa.ColumnElement, bool]]]


@dataclass
class Source:
    """What one atom reads: the rows of a code set, or the invitations."""

    name: str
    table: sa.FromClause
    date_col: str
    codes: tuple[str, ...] | None  # None: every row (invitations)
    has_values: bool
    code_cols: tuple[str, ...] = ("code",)
    """The columns of ``table`` holding a code of the record (an OMOP record has two: its
    source and its standard concept's); the record is in a set when one of them is."""


Pred = sa.ColumnElement[bool]

WORD_BITS = 62
"""Bits per mask word: a BIGINT holds bits 0..62 positive; 62 keeps every sum in range."""


@dataclass(frozen=True, eq=False)
class Atom:
    """One record atom: a test of a measure of a source, and its value without records.

    The test is ``pred`` of the measure's column, or for a chosen-row measure ``ranked``.
    ``slot`` numbers it across the file: word ``slot // WORD_BITS``, bit ``slot % WORD_BITS``.
    """

    source: Source
    measure: Measure
    pred: Callable[[sa.ColumnElement], Pred] | Ranked
    without_records: bool  # the atom's value for a patient with no records it reads
    slot: int

    @property
    def word(self) -> str:
        return f"mask_{self.slot // WORD_BITS}"

    @property
    def bit(self) -> sa.ColumnElement[int]:
        return sa.literal_column(str(1 << (self.slot % WORD_BITS)), BIGINT)

    def changed(self, passes: Pred) -> sa.ColumnElement[int]:
        """Its bit when ``passes`` differs from its value without records."""
        zero = sa.literal_column("0", BIGINT)
        return (sa.case((passes, zero), else_=self.bit) if self.without_records
                else sa.case((passes, self.bit), else_=zero))

    def of(self, word: sa.ColumnElement) -> Pred:
        """The atom's value for a patient whose ``word`` (NULL: no row) is given."""
        unset = bit_and(sa.func.coalesce(word, 0), self.bit) == 0
        return unset if self.without_records else sa.not_(unset)


def _earliest(ranges: list[DateRange | RelativeRange | None]) -> dt.date | None:
    """The earliest start of ``ranges``; None when one has none (``ever``, ``first``, a
    window anchored on a patient's record)."""
    starts = [r.start if isinstance(r, DateRange) else None for r in ranges]
    return None if any(d is None for d in starts) else min(starts)


class TableRead:
    """The one read of a table shared by all its atoms: its codes, rows and ``s1`` CTEs."""

    def __init__(self, table: sa.Table, atoms: list[Atom], index: dt.date):
        sources = list({id(a.source): a.source for a in atoms}.values())
        self.table, self.atoms, self.sources, self.index = table, atoms, sources, index
        first = sources[0]
        self.date_col, self.has_values = first.date_col, first.has_values
        self.code_cols = first.code_cols
        # Membership flags only when the table serves several code sets: with one set,
        # the join to its codes already says it.
        self.flagged = len(sources) > 1 and all(s.codes is not None for s in sources)
        self.rows = self._rows(_earliest([a.measure.rng for a in atoms]))

    def _rows(self, since: dt.date | None) -> sa.CTE:
        """The table's rows the file reads: dated up to the index (and from ``since``, the
        earliest date any atom looks at), with a code of one of its sets (joined to
        ``codes``, which also carries the ``in_<set>`` flags).

        Why ``since``: measured on DuckDB at 1M (docs/performance.md), a bound on the date
        is filtered inside the scan, where the windows' ``OR`` was a filter of its own over
        the ~2.5M prescriptions of the last year and a half.
        """
        t = self.table
        cols = [t.c.patient_id, t.c[self.date_col].label("d")]
        read, where = t, []
        if all(s.codes is not None for s in self.sources) and len(self.code_cols) == 1:
            codes = self._codes()
            read = t.join(codes, codes.c.code == t.c.code)
            cols.append(t.c.code)
            cols += [codes.c[f"in_{s.name}"] for s in self.sources if self.flagged]
        elif all(s.codes is not None for s in self.sources):
            read, match, hit = self._match_any(t)
            cols += match
            where.append(hit)
        # ``value``: the record's value, or for ``total quantity of`` the prescription's
        # quantity (a table holds one or the other).
        if self.has_values:
            cols.append(t.c.value)
        elif any(a.measure.kind == "quantity" for a in self.atoms):
            cols.append(t.c.quantity.label("value"))
        else:
            cols.append(sa.null().label("value"))
        if any(a.measure.study is not None for a in self.atoms):
            cols.append(t.c.study_id)
        date = t.c[self.date_col]
        where.append(date <= sa.literal(self.index, DATE))
        if since is not None:
            where.append(date >= sa.literal(since, DATE))
        return sa.select(*cols).select_from(read).where(*where).cte(f"{t.name}_rows")

    def _codes(self) -> sa.CTE:
        """``(code, in_<set>...)``: every code of the sets once, with its memberships.

        Why a join and not ``code IN (...)`` plus a ``CASE`` per set: measured on DuckDB at
        1M (docs/performance.md), the ``IN`` over ~5.7M observations became a mark join,
        a filter and one ``CASE`` per set and row; the join does all three at once. The
        codes are bound; the 0/1 flags are ours, written into the SQL.
        """
        name = self.table.name
        codes = list(dict.fromkeys(code for s in self.sources for code in s.codes))
        flags = [set(s.codes) for s in self.sources] if self.flagged else []
        binds = [sa.bindparam(f"{name}_code_{i}", code, TEXT) for i, code in enumerate(codes)]
        memberships = [tuple(int(c in f) for f in flags) for c in codes]
        columns = [sa.column("code", TEXT)]
        columns += [sa.column(f"in_{s.name}", INTEGER) for s in self.sources if self.flagged]
        return CodeRows(binds, memberships, columns).cte(f"{name}_codes")

    def _match_any(self, t: sa.FromClause) -> tuple[sa.FromClause, list, sa.ColumnElement]:
        """A record with several code columns: the codes outer-joined once per column, the
        record kept when one matched, in a set when one of its codes is (one row per record
        still, so a record whose two codes are both in a set counts once)."""
        codes = self._codes()
        keyed = [codes.alias(f"{codes.name}_{i}") for i in range(len(self.code_cols))]
        read = t
        for k, name in zip(keyed, self.code_cols, strict=True):
            read = read.outerjoin(k, k.c.code == t.c[name])
        cols = [t.c[name].label(ROW_CODES[i]) for i, name in enumerate(self.code_cols)]
        for src in self.sources if self.flagged else []:
            inside = sa.or_(*(k.c[f"in_{src.name}"] == 1 for k in keyed))
            cols.append(sa.case((inside, 1), else_=0).label(f"in_{src.name}"))
        return read, cols, sa.or_(*(k.c.code.is_not(None) for k in keyed))

    def row_codes(self) -> list[sa.ColumnElement]:
        """The code columns of a row of ``rows``."""
        return [self.rows.c[ROW_CODES[i]] for i in range(len(self.code_cols))]

    def member(self, src: Source) -> sa.ColumnElement[bool] | None:
        """The row belongs to ``src``'s code set (None: every row of the read does)."""
        return self.rows.c[f"in_{src.name}"] == 1 if self.flagged else None

    def build(self) -> sa.CTE:
        """``{t}_s1``: one row per patient with a row some atom uses, and its mask words.

        Each chosen-row atom (latest/earliest value, latest code) takes one ``MAX``/``MIN``
        of its rows' date and class (``_chosen``), in the same pass: measured on DuckDB at
        1M (docs/performance.md), that replaced a second stage (the chosen date per patient,
        then its rows joined back and grouped again) that cost ~0.1 s.
        """
        rows = self.rows
        used = self._used_by([(a.source, a.measure) for a in self.atoms])
        words: dict[str, list[sa.ColumnElement[int]]] = {}
        for atom in self.atoms:
            if isinstance(atom.pred, Ranked):
                passes = self._chosen(atom)
            else:
                passes = atom.pred(self._aggregate(atom.source, atom.measure))
            words.setdefault(atom.word, []).append(atom.changed(passes))
        masks = [sa.cast(functools.reduce(operator.add, parts), BIGINT).label(word)
                 for word, parts in words.items()]
        read: sa.FromClause = rows
        for anchor in self._anchors():
            read = read.outerjoin(anchor, anchor.c.patient_id == rows.c.patient_id)
        return (sa.select(rows.c.patient_id, *masks).select_from(read).where(*used)
                .group_by(rows.c.patient_id).cte(f"{self.table.name}_s1"))

    def _anchors(self) -> list[sa.CTE]:
        """The per-patient anchor dates the atoms' windows are relative to, each once."""
        found = {id(a.measure.rng.anchor): a.measure.rng.anchor for a in self.atoms
                 if isinstance(a.measure.rng, RelativeRange)}
        return list(found.values())

    def _row_test(self, src: Source, m: Measure) -> sa.ColumnElement[bool] | None:
        """Which rows measure ``m`` of ``src`` can use (None: every row of the read)."""
        member = self.member(src)
        if m.study is not None:
            member = _all(member, self.rows.c.study_id == sa.bindparam(None, m.study,
                                                                        INTEGER))
        if m.rng is None:  # ``first``: every row of the set, ever
            return member
        if isinstance(m.rng, RelativeRange):
            inside = _all(member, m.rng.test(self.rows.c.d))
        else:
            inside = _all(member, in_range(self.rows.c.d, m.rng, self.index))
        if m.kind in ("count", "latest_code", "quantity"):
            return inside
        return _all(inside, self.rows.c.value.is_not(None))  # value measures

    def _used_by(self, measures: list[tuple[Source, Measure]]) -> list[sa.ColumnElement]:
        """A WHERE keeping the rows at least one of ``measures`` uses ([] if all are used).

        Why: the aggregates' cost is their rows (hash GROUP BY); at 1M on DuckDB,
        ``hypertension_uncontrolled`` read 1.8M rows, most of them old BP readings that
        only ``within 12 months`` measures look at.
        """
        tests = [self._row_test(src, m) for src, m in measures]
        if any(t is None for t in tests):
            return []
        return [sa.or_(*dict.fromkeys(tests))]

    def _aggregate(self, src: Source, m: Measure) -> sa.ColumnElement:
        d, value = self.rows.c.d, self.rows.c.value
        if m.kind == "first":
            return sa.func.min(_when(self.member(src), d))
        test = self._row_test(src, m)
        if m.kind == "count":
            # COUNT, not SUM: DuckDB sums integers into 128-bit states (measured: the
            # observation GROUP BY of t2dm_sglt2i at 1M took ~0.11 s with SUM, ~0.07 s so).
            return sa.func.count() if test is None else sa.func.count(_when(test, 1))
        if m.kind == "quantity":  # rows without a quantity add nothing (SUM skips NULL)
            return sa.func.sum(_when(test, value))
        # MIN/MAX/AVG ignore NULLs, so rows outside the window or without a value drop out.
        if m.kind in ("min", "max"):
            return getattr(sa.func, m.kind)(_when(test, value))
        if m.kind == "mean":
            return sa.func.avg(_when(test, value))
        raise ValueError(f"unknown measure {m.kind}")

    def _chosen(self, atom: Atom) -> Pred:
        """A chosen-row atom: the class of the highest rank on the chosen date passes.

        One ``MAX`` (latest) or ``MIN`` (earliest) over ``stamp``: the row's date in seconds
        times ``RANKS`` plus its class's rank (counted down for ``MIN``), so the one number
        orders rows by date, then by rank; its remainder by ``RANKS`` is the deciding class.
        """
        m, rows = atom.measure, self.rows
        later = LATEST[m.kind]
        classes = atom.pred.classes(rows.c.value, self.row_codes())

        def code(rank: int) -> int:
            return rank if later else RANKS - 1 - rank

        seconds = epoch_seconds(rows.c.d) + _int(EPOCH_SHIFT)
        rank = sa.case(*((row, _int(code(i))) for i, (row, _) in enumerate(classes)))
        stamp = seconds * _int(RANKS) + rank
        test = self._row_test(atom.source, m)
        chosen = (sa.func.max if later else sa.func.min)(
            stamp if test is None else sa.case((test, stamp)))
        passing = [_int(code(i)) for i, (_, passes) in enumerate(classes) if passes]
        return sa.and_(chosen.is_not(None), (chosen % _int(RANKS)).in_(passing))


def _int(n: int) -> sa.ColumnElement[int]:
    """Our own integer constant, written into the SQL (see ``atoms.ONE``)."""
    return sa.literal_column(str(n), BIGINT)


ROW_CODES = ("code", "code_2")
"""The names of a read's code columns (a record carries at most two codes)."""
RANKS = 4
"""More than the classes of any chosen-row atom (at most 3: below, inside, above)."""
EPOCH_SHIFT = 1 << 34
"""Seconds added to a date's epoch so every stamp is positive (dates from the 15th century
on), which keeps its remainder by ``RANKS`` the rank on every engine."""


class Reads:
    """Registry of sources and record atoms; builds the CTEs and hands out the atoms.

    Atoms are compiled twice: once to register what they need (``built`` False: ``atom``
    returns the atom's constant value for a patient without records), then after ``build``
    to get each atom as a test of its bit.
    """

    def __init__(self, index: dt.date, store: RecordSource):
        self.index, self.store = index, store
        self.sources: dict[str, Source] = {}
        self.atoms: dict[Hashable, Atom] = {}
        self.built = False
        self._words: dict[Atom, sa.ColumnElement] = {}
        self.joins: list[sa.CTE] = []
        self.anchors: dict[Hashable, sa.CTE] = {}

    def anchor(self, key: Hashable, source: Source, latest: bool) -> sa.CTE:
        """``(patient_id, a)``: the date of each patient's first (or latest) row of
        ``source`` on or before the index date, made once per ``key``."""
        if key not in self.anchors:
            t, d = source.table, source.table.c[source.date_col]
            where = [d <= sa.literal(self.index, DATE)]
            if source.codes is not None:
                where.append(sa.or_(*(t.c[col].in_(source.codes) for col in source.code_cols)))
            pick = sa.func.max if latest else sa.func.min
            self.anchors[key] = (sa.select(t.c.patient_id, pick(d).label("a")).where(*where)
                                 .group_by(t.c.patient_id).cte(f"anchor_{len(self.anchors)}"))
        return self.anchors[key]

    def source(self, key: str, make) -> Source:
        if key not in self.sources:
            self.sources[key] = make(f"src{len(self.sources)}")
        return self.sources[key]

    def atom(self, key: Hashable, source: Source, measure: Measure,
             pred: Callable[[sa.ColumnElement], Pred] | Ranked,
             without_records: bool) -> Pred:
        """Record atom ``key`` (equal keys: one atom): ``pred`` of the measure's column (a
        ``Ranked`` for a chosen-row measure), ``without_records`` its value for a patient
        without records. Before ``build``, registers it and returns ``without_records`` as a
        constant (SQLAlchemy folds it
        through AND, OR, NOT)."""
        if not self.built:
            if key not in self.atoms:
                self.atoms[key] = Atom(source, measure, pred, without_records, len(self.atoms))
            return sa.true() if without_records else sa.false()
        atom = self.atoms[key]
        return atom.of(self._words[atom])

    def build(self) -> None:
        """One read per table over every registered atom (see the module docstring)."""
        by_table: dict[str, list[Atom]] = {}
        for atom in self.atoms.values():
            by_table.setdefault(atom.source.table.name, []).append(atom)
        for atoms in by_table.values():
            s1 = TableRead(atoms[0].source.table, atoms, self.index).build()
            self.joins.append(s1)
            self._words.update({a: s1.c[a.word] for a in atoms})
        self.built = True


def codeset_source(name: str, system: str, codes: tuple[str, ...], store: RecordSource):
    """A factory for the ``Source`` of a code set (coded events or prescriptions)."""
    if system == "snomed":
        table, date_col, values, cols = store.events, "obs_date", True, store.event_codes
    else:
        table, date_col, values = store.prescriptions, "issue_date", False
        cols = store.prescription_codes
    unique = tuple(dict.fromkeys(codes))
    return lambda label: Source(label, table, date_col, unique, values, cols)


def invitation_source(store: RecordSource):
    """A factory for the ``Source`` of every trial invitation (any study)."""
    return lambda label: Source(label, store.invitations, "invited_on", None, False)


def enrolment_source(store: RecordSource):
    """A factory for the ``Source`` of every recorded enrolment (any study)."""
    return lambda label: Source(label, store.enrolments, "enrolled_on", None, False)
