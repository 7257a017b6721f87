"""Reading records: each TABLE read once per file, every code set a conditional aggregate.

A *source* is what an atom reads: a code set's rows of ``observation`` or ``prescription``,
or the ``invitation`` table. The atoms ask a source for *measures* (a count in a window, the
latest value in a window, ...). All the sources of one table share one read of it::

    {t}_rows: SELECT patient_id, date, code, value, in_<set>... FROM t
              WHERE date <= :index AND code IN (<every code of every set of the file>)
    {t}_s1:   SELECT patient_id, <one conditional aggregate per measure>
              FROM {t}_rows GROUP BY patient_id
    {t}_s2:   (only if a latest/earliest value or latest code is asked for) s1's columns
              plus the values on each measure's chosen date, by one join of s1 back to rows

and the patient query joins ONE aggregate per table (two or three per file), not one per
code set. Why: measured on DuckDB at 1M patients, the scans of ``observation`` are cheap
(20-50 ms) and the cost was the per-code-set aggregates, each joined to ~920k base patients
(docs/performance.md). A row's membership of each code set is computed once in ``rows``
(``in_<set>`` 0/1), so a code in two sets counts for both.

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

    def build(self) -> tuple[sa.CTE, dict[tuple[str, Measure], sa.ColumnElement]]:
        """The CTE to join to the patients and, for every measure, its column in it."""
        firsts: dict[tuple[str, Measure], tuple[Source, Measure, str]] = {}
        seconds: list[tuple[Source, Measure, str]] = []
        for src in self.sources:
            for m, lbl in src.measures.items():
                if m.kind in SECOND_STAGE:
                    seconds.append((src, m, f"{src.name}_{lbl}"))
                    helper = Measure(SECOND_STAGE[m.kind], m.rng)
                    firsts.setdefault((src.name, helper),
                                      (src, helper, f"{src.name}_h{len(firsts)}"))
                else:
                    firsts.setdefault((src.name, m), (src, m, f"{src.name}_{lbl}"))
        s1 = sa.select(self.rows.c.patient_id, *(
            self._aggregate(src, m).label(lbl) for src, m, lbl in firsts.values()
        )).group_by(self.rows.c.patient_id).cte(f"{self.table.name}_s1")
        if not seconds:
            return s1, {k: s1.c[lbl] for k, (_s, _m, lbl) in firsts.items()}
        s2 = self._second_stage(s1, firsts, seconds)
        cols = {k: s2.c[lbl] for k, (_s, _m, lbl) in firsts.items()}
        cols.update({(src.name, m): s2.c[lbl] for src, m, lbl in seconds})
        return s2, cols

    def _aggregate(self, src: Source, m: Measure) -> sa.ColumnElement:
        d, value = self.rows.c.d, self.rows.c.value
        member = self.member(src)
        if m.kind == "first":
            return sa.func.min(_when(member, d))
        assert m.rng is not None
        inside = _all(member, in_range(d, m.rng, self.index))
        if m.kind == "count":
            return sa.func.count() if inside is None else sa.func.sum(_when(inside, 1, 0))
        # MIN/MAX/AVG ignore NULLs, so rows outside the window or without a value drop out.
        if m.kind in ("min", "max"):
            return getattr(sa.func, m.kind)(_when(inside, value))
        if m.kind == "mean":
            return sa.func.avg(_when(inside, value))
        if m.kind == "latest_date":
            return sa.func.max(_when(inside, d))
        with_value = _all(inside, value.is_not(None))
        if m.kind == "latest_value_date":
            return sa.func.max(_when(with_value, d))
        if m.kind == "earliest_value_date":
            return sa.func.min(_when(with_value, d))
        raise ValueError(f"unknown measure {m.kind}")

    def _second_stage(self, s1: sa.CTE, firsts: dict, seconds: list) -> sa.CTE:
        """s1's columns plus, per second-stage measure, the rows on its chosen date.

        ``rows JOIN s1`` on the patient only: every s1 patient has rows, so none is lost, and
        MAX of an s1 column is that column (constant within the group). The chosen dates are
        tested inside the CASEs, not in the ON clause: measured on DuckDB (100k), an ``OR``
        of date equalities in the ON of an outer join took 4.4 s instead of 0.02 s.
        """
        rows = self.rows
        helper = {(src.name, m): s1.c[firsts[(src.name, Measure(SECOND_STAGE[m.kind], m.rng))]
                                           [2]] for src, m, _ in seconds}
        cols = [sa.func.max(s1.c[lbl]).label(lbl) for _s, _m, lbl in firsts.values()]
        for src, m, lbl in seconds:
            on_date = _all(self.member(src), rows.c.d == helper[(src.name, m)])
            if m.kind == "latest_code_in":
                hit = sa.and_(on_date, rows.c.code.in_(m.codes))
                cols.append(sa.func.max(sa.case((hit, 1), else_=0)).label(lbl))
            else:  # several on that date: the highest value
                cols.append(sa.func.max(sa.case((on_date, rows.c.value))).label(lbl))
        return (sa.select(s1.c.patient_id, *cols)
                .select_from(rows.join(s1, rows.c.patient_id == s1.c.patient_id))
                .group_by(s1.c.patient_id).cte(f"{self.table.name}_s2"))


class Reads:
    """Registry of sources and measures; builds the CTEs and hands out their columns.

    Atoms are compiled twice: once to register what they need (``built`` False: ``column``
    returns NULL), then after ``build`` to get the real columns.
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

    def column(self, source: Source, measure: Measure) -> sa.ColumnElement:
        if not self.built:
            source.measures.setdefault(measure, f"m{len(source.measures)}")
            return sa.null()
        return self._cols[(source.name, measure)]

    def build(self) -> None:
        """One read per table over every registered measure (see the module docstring)."""
        by_table: dict[str, list[Source]] = {}
        for src in self.sources.values():
            if src.measures:
                by_table.setdefault(src.table.name, []).append(src)
        for sources in by_table.values():
            cte, cols = TableRead(sources[0].table, sources, self.index).build()
            self.joins.append(cte)
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
