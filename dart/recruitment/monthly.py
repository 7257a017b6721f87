"""A criteria file evaluated at many index dates in ONE statement.

The compiler computes every date window from a constant index date (bound, never computed
in SQL: SQLite's text dates make date arithmetic silently wrong), so one compiled query
answers one date. To answer 24 months in one round trip, each date's query is a branch of
one ``UNION ALL``: branch (series s, month k) yields the patients eligible at its date, and
a window function over the union finds, per patient and practice, whether the next older
month (k + 1) held them too. Each branch's named CTEs (a read's rows and aggregates) get a
suffix so that one statement can hold every date's; so do its named bind parameters, so
that no two dates share a value by name.

The engine still reads each month's records in its own branch: a months table joined to
the records would need every window computed in SQL from a column. What one statement
saves is the 24 round trips, the 24 sets of ids sent back (only counts per practice and
month come back) and the comparison in Python.

Where the engine does not allow it all at once (SQLite binds at most 32,766 parameters per
statement; a long code list at 49 dates passes that), the months are cut into consecutive
runs, each one statement overlapping the next by one month, so each month's "newly" is
still judged against the month before it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql import visitors

from criteria_grammar.nodes import Criteria
from dart.analysis.disclosure.keys import RecordKeys, bucket_sql, pack, record_keys
from dart.compiler import BIGINT, compile_criteria
from dart.sources import Source
from dart.sources.native import NATIVE

SQLITE_MAX_BINDS = 32_000  # SQLite's limit is 32,766 (since 3.32): a margin for the rest


@dataclass(frozen=True)
class Series:
    """Criteria evaluated at index dates ``dates[k]`` (newest first): ``criteria[k]`` at
    ``dates[k]`` (the same file at every date, or one varied by month, as the acute
    presentations' window is)."""

    key: int
    criteria: Sequence[Criteria]  # one per date
    dates: Sequence[dt.date]


@dataclass(frozen=True)
class Cell:
    """Exact counts of one practice in one month of one series, and beside each the sum of
    its patients' record keys (its cell key for the disclosure engine)."""

    eligible: int
    newly: int  # eligible at month k and not at month k + 1 (at the same practice)
    eligible_key: int = 0
    """The eligible's packed key (``keys.pack``: key sum and count per bucket) at month 0
    and for the series ``evaluate`` was asked to pack; elsewhere a key whose cell key (mod
    256) is right but whose buckets are not counted (those cells are never published)."""
    newly_key: int = 0
    """The newly eligible's packed key."""


Counts = Mapping[tuple[int, int], Mapping[int, Cell]]  # (series, k) -> practice -> cell


def _suffixed(query: sa.Select, suffix: str, seen: set[int]) -> sa.Select:
    """``query`` with its named CTEs and named bind parameters renamed to end in ``suffix``,
    in place: a freshly compiled query's CTEs and named parameters are its own (copying the
    whole tree instead cost more than compiling it). ``seen``: the elements renamed so far
    in this statement (the walk meets an element once per reference to it, and a source's
    own CTE, such as the invitations sent with the query, is shared by every branch: it
    keeps the first branch's name)."""

    def cte(element) -> None:
        if id(element) not in seen:
            seen.add(id(element))
            element.name = f"{element.name}{suffix}"

    def bindparam(element) -> None:
        if not element.unique and id(element) not in seen:
            seen.add(id(element))
            element.key = f"{element.key}{suffix}"

    visitors.traverse(query, {}, {"cte": cte, "bindparam": bindparam})
    return query


def _branch(series: int, k: int, criteria: Criteria, library: Mapping,
            index: dt.date, source: Source, seen: set[int]) -> sa.Select:
    compiled = compile_criteria(criteria, library, index, source)
    rules = _suffixed(compiled.patient_rules, f"_s{series}m{k}", seen).subquery(
        f"at_s{series}m{k}")
    return sa.select(sa.literal(series, sa.Integer).label("series"),
                     sa.literal(k, sa.Integer).label("k"),
                     rules.c.patient_id, rules.c.practice_id).where(rules.c.eligible == 1)


def _statement(branches: list[sa.Select], last: int, keys: RecordKeys,
               pack_eligible: Collection[int] = ()) -> sa.Select:
    """Counts and key sums per (series, k, practice, bucket) for k < ``last``, the newly
    eligible from LEAD. A row is in its patient's bucket (record key mod 64) when it is
    newly eligible, at month 0, or of a series in ``pack_eligible``, so those sets' packed
    keys can be built; the other rows (the eligible of every later month, large and never
    published) share bucket -1, one row per cell."""
    union = sa.union_all(*branches).subquery("eligible_at")
    following = sa.func.lead(union.c.k).over(
        partition_by=(union.c.series, union.c.patient_id, union.c.practice_id),
        order_by=union.c.k)
    marked = sa.select(union.c.series, union.c.k, union.c.practice_id,
                       following.label("next_k"),
                       keys.sql(union.c.patient_id).label("record_key")).subquery("marked")
    new = sa.or_(marked.c.next_k.is_(None), marked.c.next_k != marked.c.k + 1)
    packed = [new, marked.c.k == sa.literal(0, sa.Integer)]
    if pack_eligible:
        packed.append(marked.c.series.in_([sa.literal(s, sa.Integer)
                                           for s in sorted(pack_eligible)]))
    bucket = sa.case((sa.or_(*packed), bucket_sql(marked.c.record_key)),
                     else_=sa.literal(-1, BIGINT)).label("bucket")
    return (sa.select(marked.c.series, marked.c.k, marked.c.practice_id, bucket,
                      sa.func.count().label("eligible"),
                      sa.func.sum(sa.case((new, 1), else_=0)).label("newly"),
                      sa.cast(sa.func.sum(marked.c.record_key), BIGINT).label("eligible_key"),
                      sa.cast(sa.func.sum(sa.case((new, marked.c.record_key), else_=0)),
                              BIGINT).label("newly_key"))
            .where(marked.c.k < sa.bindparam("last_month", last, sa.Integer))
            .group_by(marked.c.series, marked.c.k, marked.c.practice_id, bucket))


def _runs(n_dates: int, per_month_binds: int, dialect: str) -> list[range]:
    """Consecutive runs of month indexes, each one statement, overlapping by one."""
    if dialect != "sqlite" or n_dates * per_month_binds <= SQLITE_MAX_BINDS:
        return [range(n_dates)]
    size = max(2, SQLITE_MAX_BINDS // max(per_month_binds, 1))
    runs, start = [], 0
    while start < n_dates - 1:
        runs.append(range(start, min(start + size, n_dates)))
        start += size - 1
    return runs


def evaluate(conn: sa.Connection, series: Sequence[Series], library: Mapping,
             keys: RecordKeys | None = None, source: Source = NATIVE,
             pack_eligible: Collection[int] = ()) -> Counts:
    """Per series, month k (0 = newest) and practice: the eligible at ``dates[k]`` and the
    newly eligible (not at ``dates[k + 1]``), for every k but the oldest date, with their
    packed keys under ``keys`` (default: the deployment's; the eligible's packed at month 0
    and for the series in ``pack_eligible``, ``Cell``); records read from ``source``."""
    keys = keys or record_keys()
    n_dates = len(series[0].dates)
    if any(len(s.dates) != n_dates or len(s.criteria) != n_dates for s in series):
        raise ValueError("every series needs one criteria file per date, the same dates")
    if n_dates < 2:
        return {}
    one = _branch(series[0].key, 0, series[0].criteria[0], library, series[0].dates[0],
                  source, set())
    shown = one.compile(dialect=conn.dialect)
    # SQLite counts every "?" (a parameter used twice is bound twice), not each name once
    per_month = len(series) * len(shown.positiontup or shown.params)
    out: dict[tuple[int, int], dict[int, Cell]] = defaultdict(dict)
    for run in _runs(n_dates, per_month, conn.dialect.name):
        seen: set[int] = set()
        branches = [_branch(s.key, k, s.criteria[k], library, s.dates[k], source, seen)
                    for s in series for k in run]
        sums: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for s, k, practice, bucket, eligible, newly, e_key, n_key in conn.execute(
                _statement(branches, run[-1], keys, pack_eligible)):
            cell = sums[(s, k, practice)]
            b = None if bucket is None or int(bucket) < 0 else int(bucket)
            cell[0] += int(eligible)
            cell[1] += int(newly)
            cell[2] += pack(int(e_key or 0), int(eligible), b)
            if newly:
                cell[3] += pack(int(n_key or 0), int(newly), b)
        for (s, k, practice), (eligible, newly, e_key, n_key) in sums.items():
            out[(s, k)][practice] = Cell(eligible, newly, e_key, n_key)
    return out
