"""Reading records: each code set's rows read once, summarised per patient by GROUP BY.

A *source* is one read of a store table: a code set's rows of ``observation`` or
``prescription`` (``code IN (:codes) AND date <= :index``), or the ``invitation`` table. The
atoms ask a source for *measures* (a count in a window, the latest value in a window, ...);
every measure of a source becomes one column of one per-patient aggregate CTE (``s1``), and
the measures that need the patient's latest/earliest date first become columns of a second
CTE (``s2``) that joins the rows back to ``s1``. So a criteria file costs one scan per code
set, however many atoms use it, and no query per rule.

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


SECOND_STAGE = {"latest_value", "earliest_value", "latest_code_in"}


@dataclass
class Source:
    """One read of a table: the rows of a code set, or the invitations."""

    name: str
    table: sa.Table
    date_col: str
    codes: tuple[str, ...] | None  # None: every row (invitations)
    has_values: bool
    measures: dict[Measure, str] = field(default_factory=dict)

    def rows(self, index: dt.date) -> sa.CTE:
        t = self.table
        cols = [t.c.patient_id, t.c[self.date_col].label("d")]
        if self.codes is not None:
            cols.append(t.c.code)
        cols.append(t.c.value if self.has_values else sa.null().label("value"))
        where = [t.c[self.date_col] <= sa.literal(index, sa.Date)]
        if self.codes is not None:
            where.append(t.c.code.in_(self.codes))
        return sa.select(*cols).where(*where).cte(f"{self.name}_rows")


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
        """Make the CTEs for every registered measure."""
        for src in self.sources.values():
            rows = src.rows(self.index)
            first = {m: lbl for m, lbl in src.measures.items() if m.kind not in SECOND_STAGE}
            second = {m: lbl for m, lbl in src.measures.items() if m.kind in SECOND_STAGE}
            # A second-stage measure needs its date from the first stage.
            helpers: dict[Measure, str] = {}
            for m in second:
                date_kind = {"latest_value": "latest_value_date",
                             "earliest_value": "earliest_value_date",
                             "latest_code_in": "latest_date"}[m.kind]
                helpers[m] = first.setdefault(Measure(date_kind, m.rng), f"h{len(first)}")
            s1 = sa.select(rows.c.patient_id, *(
                self._aggregate(rows, m).label(lbl) for m, lbl in first.items()
            )).group_by(rows.c.patient_id).cte(f"{src.name}_s1")
            self.joins.append(s1)
            for m, lbl in first.items():
                self._cols[(src.name, m)] = s1.c[lbl]
            if second:
                s2 = sa.select(rows.c.patient_id, *(
                    self._second(rows, s1.c[helpers[m]], m).label(lbl)
                    for m, lbl in second.items()
                )).join_from(rows, s1, rows.c.patient_id == s1.c.patient_id).group_by(
                    rows.c.patient_id).cte(f"{src.name}_s2")
                self.joins.append(s2)
                for m, lbl in second.items():
                    self._cols[(src.name, m)] = s2.c[lbl]
        self.built = True

    def _aggregate(self, rows: sa.CTE, m: Measure) -> sa.ColumnElement:
        d, value = rows.c.d, rows.c.value
        if m.kind == "first":
            return sa.func.min(d)
        assert m.rng is not None
        inside = in_range(d, m.rng, self.index)
        if m.kind == "count":
            return sa.func.count() if inside is None else sa.func.sum(_when(inside, 1, 0))
        # MIN/MAX/AVG ignore NULLs, so rows outside the window or without a value drop out.
        if m.kind in ("min", "max"):
            return getattr(sa.func, m.kind)(_when(inside, value))
        if m.kind == "mean":
            return sa.func.avg(_when(inside, value))
        if m.kind == "latest_date":
            return sa.func.max(_when(inside, d))
        with_value = value.is_not(None) if inside is None else sa.and_(inside, value.is_not(None))
        if m.kind == "latest_value_date":
            return sa.func.max(_when(with_value, d))
        if m.kind == "earliest_value_date":
            return sa.func.min(_when(with_value, d))
        raise ValueError(f"unknown measure {m.kind}")

    def _second(self, rows: sa.CTE, on: sa.ColumnElement, m: Measure) -> sa.ColumnElement:
        # Rows on the chosen date; several on that date: the highest value / any code.
        on_date = rows.c.d == on
        if m.kind == "latest_code_in":
            return sa.func.max(sa.case((sa.and_(on_date, rows.c.code.in_(m.codes)), 1), else_=0))
        return sa.func.max(sa.case((on_date, rows.c.value)))


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
