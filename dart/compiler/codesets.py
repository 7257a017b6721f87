"""Reading records: each TABLE read once per file, every record atom one bit of a mask.

A *source* is what an atom reads: a code set's rows of ``observation`` or ``prescription``,
or the ``invitation`` table. A record atom is a test of one *measure* of a source (a count in
a window, the latest value in a window, ...). All the sources of one table share one read::

    {t}_codes: VALUES (code, set_no): every code of the file's sets, once per set
    {t}_rows: SELECT patient_id, date, code, value, set_no FROM t JOIN {t}_codes
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

A row of a code in several of the table's sets is in ``rows`` once per set (``set_no``),
so a code in two sets counts for both.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.selectable import TextualSelect

from dart.compiler.dates import DateRange
from dart.compiler.sqltypes import BIGINT, DATE, INTEGER, TEXT
from dart.store import schema


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


@dataclass(frozen=True)
class Measure:
    """One per-patient summary of a source.

    kinds: ``count`` (rows in range), ``first`` (first date ever), ``min``/``max``/``mean``
    (of non-null values in range); and the *chosen-row* kinds, whose atoms test the row(s)
    on the latest or earliest date in range (``Ranked``): ``latest_value`` and
    ``earliest_value`` (rows with a value), ``latest_code``.
    """

    kind: str
    rng: DateRange | None = None


LATEST = {"latest_value": True, "earliest_value": False, "latest_code": True}
"""The chosen-row kinds: True when the latest date is chosen, False the earliest."""


@dataclass(frozen=True)
class Ranked:
    """A chosen-row atom's test, as classes of rows: ``classes(value, code)`` lists (row
    predicate, passes) from the lowest rank up, e.g. for ``latest X between 58 and 110``:
    below 58 (fails), 58 to 110 (passes), above 110 (fails). On the chosen date the
    highest-ranked class present decides ("several that date: the highest of them").
    """

    classes: Callable[[sa.ColumnElement, sa.ColumnElement], list[tuple[sa.ColumnElement, bool]]]


@dataclass
class Source:
    """What one atom reads: the rows of a code set, or the invitations."""

    name: str
    table: sa.Table
    date_col: str
    codes: tuple[str, ...] | None  # None: every row (invitations)
    has_values: bool


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
    none: bool
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
        return (sa.case((passes, zero), else_=self.bit) if self.none
                else sa.case((passes, self.bit), else_=zero))

    def of(self, word: sa.ColumnElement) -> Pred:
        """The atom's value for a patient whose ``word`` (NULL: no row) is given."""
        unset = sa.func.coalesce(word, 0).bitwise_and(self.bit) == 0
        return unset if self.none else sa.not_(unset)


def _earliest(ranges: list[DateRange | None]) -> dt.date | None:
    """The earliest start of ``ranges``; None when one has none (``ever``, ``first``)."""
    starts = [r.start if r is not None else None for r in ranges]
    return None if any(d is None for d in starts) else min(starts)


class _NamedValues(TextualSelect):
    """A ``VALUES`` list as a CTE with named columns (``WITH t(code, ...) AS (VALUES ...)``,
    which SQLite, DuckDB and PostgreSQL all read), and, unlike SQLAlchemy's ``Values``,
    cacheable: SQLAlchemy compiles a statement of the same shape once per process (a
    ``Values`` made every statement uncacheable, ~15 ms of compiling per run at 1M)."""

    name_cte_columns = True
    inherit_cache = True


class TableRead:
    """The one read of a table shared by all its atoms: its codes, rows and ``s1`` CTEs."""

    def __init__(self, table: sa.Table, atoms: list[Atom], index: dt.date):
        sources = list({id(a.source): a.source for a in atoms}.values())
        self.table, self.atoms, self.sources, self.index = table, atoms, sources, index
        first = sources[0]
        self.date_col, self.has_values = first.date_col, first.has_values
        # Membership flags only when the table serves several code sets: with one set,
        # the join to its codes already says it.
        self.flagged = len(sources) > 1 and all(s.codes is not None for s in sources)
        self.set_no = {id(s): i for i, s in enumerate(sources)}
        self.rows = self._rows(_earliest([a.measure.rng for a in atoms]))

    def _rows(self, since: dt.date | None) -> sa.CTE:
        """The table's rows the file reads: dated up to the index (and from ``since``, the
        earliest date any atom looks at), with a code of one of its sets (joined to
        ``codes``, which also carries the ``set_no``).

        Why ``since``: measured on DuckDB at 1M (docs/performance.md), a bound on the date
        is filtered inside the scan, where the windows' ``OR`` was a filter of its own over
        the ~2.5M prescriptions of the last year and a half.
        """
        t = self.table
        cols = [t.c.patient_id, t.c[self.date_col].label("d")]
        read = t
        if all(s.codes is not None for s in self.sources):
            codes = self._codes()
            read = t.join(codes, codes.c.code == t.c.code)
            cols.append(t.c.code)
            cols += [codes.c.set_no] if self.flagged else []
        cols.append(t.c.value if self.has_values else sa.null().label("value"))
        date = t.c[self.date_col]
        where = [date <= sa.literal(self.index, DATE)]
        if since is not None:
            where.append(date >= sa.literal(since, DATE))
        return sa.select(*cols).select_from(read).where(*where).cte(f"{t.name}_rows")

    def _codes(self) -> sa.CTE:
        """``(code)``, or with several sets ``(code, set_no)``: each code once per set
        holding it (``set_no`` numbers ``sources``).

        Why a join and not ``code IN (...)`` plus a ``CASE`` per set: measured on DuckDB at
        1M (docs/performance.md), the ``IN`` over ~5.7M observations became a mark join,
        a filter and one ``CASE`` per set and row; the join does all three at once. Why a
        row per (code, set) and not a 0/1 column per set: the columns made the list codes x
        sets (500 one-code sets: 250,000 flags, 1 MB of SQL); a record whose code is in
        two sets is read twice, once per set, and every aggregate reads only its set's rows
        (``member``). The codes are bound; the set numbers are ours, written into the SQL.
        """
        name = self.table.name
        if self.flagged:
            pairs = [(code, i) for i, s in enumerate(self.sources) for code in s.codes]
        else:
            pairs = [(code, None) for code in dict.fromkeys(c for s in self.sources
                                                            for c in s.codes)]
        binds = [sa.bindparam(f"{name}_code_{i}", code, TEXT)
                 for i, (code, _) in enumerate(pairs)]
        rows = ", ".join(f"(:{b.key})" if no is None else f"(:{b.key}, {no})"
                         for b, (_, no) in zip(binds, pairs, strict=True))
        columns = [sa.column("code", TEXT)]
        columns += [sa.column("set_no", INTEGER)] if self.flagged else []
        return _NamedValues(sa.text(f"VALUES {rows}").bindparams(*binds), columns).cte(
            f"{name}_codes")

    def member(self, src: Source) -> sa.ColumnElement[bool] | None:
        """The row belongs to ``src``'s code set (None: every row of the read does)."""
        if not self.flagged:
            return None
        return self.rows.c.set_no == _int(self.set_no[id(src)])

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
        return (sa.select(rows.c.patient_id, *masks).where(*used).group_by(rows.c.patient_id)
                .cte(f"{self.table.name}_s1"))

    def _row_test(self, src: Source, m: Measure) -> sa.ColumnElement[bool] | None:
        """Which rows measure ``m`` of ``src`` can use (None: every row of the read)."""
        member = self.member(src)
        if m.rng is None:  # ``first``: every row of the set, ever
            return member
        inside = _all(member, in_range(self.rows.c.d, m.rng, self.index))
        if m.kind in ("count", "latest_code"):
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
        classes = atom.pred.classes(rows.c.value, rows.c.code)

        def code(rank: int) -> int:
            return rank if later else RANKS - 1 - rank

        seconds = sa.cast(sa.extract("epoch", rows.c.d), BIGINT) + _int(EPOCH_SHIFT)
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

    def __init__(self, index: dt.date):
        self.index = index
        self.sources: dict[str, Source] = {}
        self.atoms: dict[Hashable, Atom] = {}
        self.built = False
        self._words: dict[Atom, sa.ColumnElement] = {}
        self.joins: list[sa.CTE] = []

    def source(self, key: str, make) -> Source:
        if key not in self.sources:
            self.sources[key] = make(f"src{len(self.sources)}")
        return self.sources[key]

    def atom(self, key: Hashable, source: Source, measure: Measure,
             pred: Callable[[sa.ColumnElement], Pred] | Ranked, none: bool) -> Pred:
        """Record atom ``key`` (equal keys: one atom): ``pred`` of the measure's column (a
        ``Ranked`` for a chosen-row measure), ``none`` for a patient without records. Before
        ``build``, registers it and returns ``none`` as a constant (SQLAlchemy folds it
        through AND, OR, NOT)."""
        if not self.built:
            if key not in self.atoms:
                self.atoms[key] = Atom(source, measure, pred, none, len(self.atoms))
            return sa.true() if none else sa.false()
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


def codeset_source(name: str, system: str, codes: tuple[str, ...]):
    """A factory for the ``Source`` of a code set (observations or prescriptions)."""
    if system == "snomed":
        table, date_col, values = schema.observation, "obs_date", True
    else:
        table, date_col, values = schema.prescription, "issue_date", False
    unique = tuple(dict.fromkeys(codes))
    return lambda label: Source(label, table, date_col, unique, values)


def invitation_source():
    """A factory for the ``Source`` of every trial invitation (any study)."""
    return lambda label: Source(label, schema.invitation, "invited_on", None, False)
