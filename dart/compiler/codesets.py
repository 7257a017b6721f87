"""Reading records: each TABLE read once per file, every code set a conditional aggregate.

A *source* is what an atom reads: a code set's rows of ``observation`` or ``prescription``,
or the ``invitation`` table. The atoms ask a source for *measures* (a count in a window, the
latest value in a window, ...). All the sources of one table share one read of it::

    {t}_rows: SELECT patient_id, date, code, value, in_<set>... FROM t
              WHERE date <= :index AND code IN (<every code of every set of the file>)
    {t}_s1:   SELECT patient_id, <one conditional aggregate per plain measure>
              FROM {t}_rows WHERE <a row some of them uses> GROUP BY patient_id
    {t}_srows, {t}_sdates, {t}_s2: (only for latest/earliest values and latest codes) the
              rows those measures use, each measure's chosen date per patient, and the
              value (or code) on that date, by one join of those rows to their dates

and the patient query joins at most two aggregates per table (two to four per file), not one
or two per code set. Why: measured on DuckDB at 1M patients, the scans of ``observation`` are
cheap (20-50 ms) and the cost was the per-code-set aggregates, each joined to ~920k base
patients, and then the rows each stage aggregates (docs/performance.md). A row's membership
of each code set is computed once in ``rows`` (``in_<set>`` 0/1), so a code in two sets
counts for both.

Columns are NULL for a patient without rows; the atoms decide what NULL means.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from dart.compiler.dates import DateRange
from dart.store import schema


def in_range(
    col: sa.ColumnElement, rng: DateRange, index: dt.date
) -> sa.ColumnElement[bool] | None:
    """``col`` within ``rng`` as bound-date comparisons; None when every row qualifies.

    The rows are already ``<= index``, so an ``end`` equal to the index needs no comparison.
    """
    parts = []
    if rng.start is not None:
        parts.append(col >= sa.literal(rng.start, sa.Date))
    if rng.end < index:
        parts.append(col <= sa.literal(rng.end, sa.Date))
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
    (of non-null values in range), ``latest_value``/``earliest_value`` (the value on the
    latest/earliest date with a value in range; ties: the highest), ``latest_code_in`` (1 if
    any row on the latest date in range has a code in ``codes``, else 0).
    """

    kind: str
    rng: DateRange | None = None
    codes: tuple[str, ...] = ()


SECOND_STAGE = {"latest_value": "latest_value_date",
                "earliest_value": "earliest_value_date",
                "latest_code_in": "latest_date"}
"""Measures needing a date from the first stage, and the first-stage measure giving it."""


@dataclass
class Source:
    """What one atom reads: the rows of a code set, or the invitations."""

    name: str
    table: sa.Table
    date_col: str
    codes: tuple[str, ...] | None  # None: every row (invitations)
    has_values: bool
    measures: dict[Measure, str] = field(default_factory=dict)


class TableRead:
    """The one read of a table shared by all its sources: rows, s1 and (maybe) s2 CTEs."""

    def __init__(self, table: sa.Table, sources: list[Source], index: dt.date):
        self.table, self.sources, self.index = table, sources, index
        first = sources[0]
        self.date_col, self.has_values = first.date_col, first.has_values
        # Membership flags only when the table serves several code sets: with one set,
        # the read's own ``code IN`` filter already says it.
        self.flagged = len(sources) > 1 and all(s.codes is not None for s in sources)
        self.rows = self._rows()

    def _rows(self) -> sa.CTE:
        t = self.table
        cols = [t.c.patient_id, t.c[self.date_col].label("d")]
        codes = [s.codes for s in self.sources]
        if all(c is not None for c in codes):
            cols.append(t.c.code)
        cols.append(t.c.value if self.has_values else sa.null().label("value"))
        if self.flagged:
            cols += [sa.case((t.c.code.in_(s.codes), 1), else_=0).label(f"in_{s.name}")
                     for s in self.sources]
        where = [t.c[self.date_col] <= sa.literal(self.index, sa.Date)]
        if all(c is not None for c in codes):
            union = tuple(dict.fromkeys(code for c in codes for code in c))
            where.append(t.c.code.in_(union))
        return sa.select(*cols).where(*where).cte(f"{t.name}_rows")

    def member(self, src: Source) -> sa.ColumnElement[bool] | None:
        """The row belongs to ``src``'s code set (None: every row of the read does)."""
        return self.rows.c[f"in_{src.name}"] == 1 if self.flagged else None

    def build(self) -> tuple[list[sa.CTE], dict[tuple[str, Measure], sa.ColumnElement]]:
        """The CTEs to join to the patients and, for every measure, its column in them.

        Two at most: ``s1`` for the plain aggregates and ``s2`` for the measures that need a
        chosen date first (latest/earliest value, latest code). Each reads only the rows
        some of its measures can use (see ``_used_by``).
        """
        firsts = {(src.name, m): (src, m, f"{src.name}_{lbl}") for src in self.sources
                  for m, lbl in src.measures.items() if m.kind not in SECOND_STAGE}
        seconds = [(src, m, f"{src.name}_{lbl}") for src in self.sources
                   for m, lbl in src.measures.items() if m.kind in SECOND_STAGE]
        ctes, cols = [], {}
        if firsts:
            used = self._used_by([(src, m) for src, m, _ in firsts.values()])
            s1 = sa.select(self.rows.c.patient_id, *(
                self._aggregate(src, m).label(lbl) for src, m, lbl in firsts.values()
            )).where(*used).group_by(self.rows.c.patient_id).cte(f"{self.table.name}_s1")
            ctes.append(s1)
            cols.update({k: s1.c[lbl] for k, (_s, _m, lbl) in firsts.items()})
        if seconds:
            s2 = self._second_stage(seconds)
            ctes.append(s2)
            cols.update({(src.name, m): s2.c[lbl] for src, m, lbl in seconds})
        return ctes, cols

    def _row_test(self, src: Source, m: Measure) -> sa.ColumnElement[bool] | None:
        """Which rows measure ``m`` of ``src`` can use (None: every row of the read)."""
        member = self.member(src)
        if m.rng is None:  # ``first``: every row of the set, ever
            return member
        inside = _all(member, in_range(self.rows.c.d, m.rng, self.index))
        if m.kind in ("count", "latest_date", "latest_code_in"):
            return inside
        return _all(inside, self.rows.c.value.is_not(None))  # value measures

    def _used_by(self, measures: list[tuple[Source, Measure]]) -> list[sa.ColumnElement]:
        """A WHERE keeping the rows at least one of ``measures`` uses ([] if all are used).

        Why: the aggregates' cost is their rows (hash GROUP BY and join back); at 1M on
        DuckDB, ``hypertension_uncontrolled`` read 1.8M rows, most of them old BP readings
        that only ``within 12 months`` measures look at.
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
            return sa.func.count() if test is None else sa.func.sum(_when(test, 1, 0))
        # MIN/MAX/AVG ignore NULLs, so rows outside the window or without a value drop out.
        if m.kind in ("min", "max"):
            return getattr(sa.func, m.kind)(_when(test, value))
        if m.kind == "mean":
            return sa.func.avg(_when(test, value))
        if m.kind in ("latest_date", "latest_value_date"):
            return sa.func.max(_when(test, d))
        if m.kind == "earliest_value_date":
            return sa.func.min(_when(test, d))
        raise ValueError(f"unknown measure {m.kind}")

    def _second_stage(self, seconds: list[tuple[Source, Measure, str]]) -> sa.CTE:
        """Per measure, the value (or code) on its chosen date, over the rows it can use.

        ``srows`` (the rows any of these measures can use) → ``sdates`` (each measure's
        chosen date per patient) → ``s2``: ``srows JOIN sdates`` on the patient only, the
        chosen dates tested inside the CASEs (measured on DuckDB, 100k: an ``OR`` of date
        equalities in the ON of an outer join took 4.4 s instead of 0.02 s).
        """
        name, rows = self.table.name, self.rows
        used = self._used_by([(src, m) for src, m, _ in seconds])
        srows = sa.select(rows).where(*used).cte(f"{name}_srows")
        self.rows = srows  # _aggregate and member() read the second-stage rows from here
        try:
            helpers = {(src.name, m): Measure(SECOND_STAGE[m.kind], m.rng)
                       for src, m, _ in seconds}
            date_of = {k: f"{k[0]}_d{i}" for i, k in enumerate(helpers)}
            src_of = {src.name: src for src, _, _ in seconds}
            sdates = sa.select(srows.c.patient_id, *(
                self._aggregate(src_of[k[0]], h).label(date_of[k])
                for k, h in helpers.items())).group_by(srows.c.patient_id).cte(
                f"{name}_sdates")
            cols = []
            for src, m, lbl in seconds:
                on_date = _all(self.member(src), srows.c.d == sdates.c[date_of[(src.name, m)]])
                if m.kind == "latest_code_in":
                    hit = sa.and_(on_date, srows.c.code.in_(m.codes))
                    cols.append(sa.func.max(sa.case((hit, 1), else_=0)).label(lbl))
                else:  # several on that date: the highest value
                    cols.append(sa.func.max(sa.case((on_date, srows.c.value))).label(lbl))
        finally:
            self.rows = rows
        return (sa.select(srows.c.patient_id, *cols)
                .select_from(srows.join(sdates, srows.c.patient_id == sdates.c.patient_id))
                .group_by(srows.c.patient_id).cte(f"{name}_s2"))


class Reads:
    """Registry of sources and measures; builds the CTEs and hands out their columns.

    Atoms are compiled twice: once to register what they need (``built`` False: ``column``
    returns None, and each atom compiles to its constant value for a patient without
    records), then after ``build`` to get the real columns.
    """

    def __init__(self, index: dt.date):
        self.index = index
        self.sources: dict[str, Source] = {}
        self.built = False
        self._cols: dict[tuple[str, Measure], sa.ColumnElement] = {}
        self.joins: list[sa.CTE] = []

    def source(self, key: str, make) -> Source:
        if key not in self.sources:
            self.sources[key] = make(f"src{len(self.sources)}")
        return self.sources[key]

    def column(self, source: Source, measure: Measure) -> sa.ColumnElement | None:
        """The measure's column; before ``build``, register it and return None (the atoms
        then compile what they mean for a patient without records)."""
        if not self.built:
            source.measures.setdefault(measure, f"m{len(source.measures)}")
            return None
        return self._cols[(source.name, measure)]

    def build(self) -> None:
        """One read per table over every registered measure (see the module docstring)."""
        by_table: dict[str, list[Source]] = {}
        for src in self.sources.values():
            if src.measures:
                by_table.setdefault(src.table.name, []).append(src)
        for sources in by_table.values():
            ctes, cols = TableRead(sources[0].table, sources, self.index).build()
            self.joins.extend(ctes)
            self._cols.update(cols)
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
