"""Every construct whose SQL differs between engines, in one place.

The compiler and the sources (``dart.sources``) write these constructs; each renders
standard SQL by default and only the engines that need something else override it, with the
reason beside the override. Everything else DART writes is plain SQLAlchemy Core, which
reads the same on SQLite, DuckDB, PostgreSQL, Trino and Spark SQL.

- ``epoch_seconds(d)``: a date as whole seconds since 1970-01-01 (BIGINT), so that the
  latest/earliest row of a patient is picked with one ``MAX``/``MIN`` of date and class.
- ``bit_and(a, b)``: the bitwise AND of two BIGINTs (the record atoms' mask words).
- ``CodeRows``: a code set's codes as a ``VALUES`` list with named columns.
- ``BoundRows``: rows from outside the store (invitations) as a bound ``VALUES`` list.
- ``to_date(ts)``: the date part of a timestamp column.
- ``date_from_parts(y, m, d)``: a date from year, month and day integers.
- ``materialized(cte)``: a CTE the engine computes once rather than folding it into its
  reader (the steps of shared defines, ``dart.compiler.defines``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import TextualSelect

BIGINT = sa.BigInteger()
DATE = sa.Date()

SPARK_DIALECTS = ("hive", "databricks", "spark")
"""The SQLAlchemy dialect names through which DART reaches Spark SQL."""


def _args(compiler, element, **kw) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


# --- seconds since the epoch ---------------------------------------------------------------

class epoch_seconds(FunctionElement):  # noqa: N801 - SQLAlchemy names functions in lower case
    """Seconds from 1970-01-01 to the start of a date, as BIGINT."""

    type = BIGINT
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_standard(element, compiler, **kw):
    # PostgreSQL and DuckDB: EXTRACT(epoch ...) of a DATE is its midnight in seconds. It
    # is NUMERIC on PostgreSQL, hence the cast (a BIGINT keeps ``%`` and ``*`` integral).
    (d,) = _args(compiler, element, **kw)
    return f"CAST(EXTRACT(epoch FROM {d}) AS BIGINT)"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    # SQLite has no EXTRACT and keeps dates as ISO text; strftime('%s') parses the text
    # and returns the seconds as TEXT, so it is cast to a number twice over (INTEGER is
    # what SQLite's affinity understands; BIGINT names the type the rest of the SQL uses).
    (d,) = _args(compiler, element, **kw)
    return f"CAST(CAST(STRFTIME('%s', {d}) AS INTEGER) AS BIGINT)"


@compiles(epoch_seconds, "trino")
def _epoch_trino(element, compiler, **kw):
    # Trino rejects EXTRACT(epoch ...) ("epoch" is no field of its EXTRACT), and
    # to_unixtime takes a timestamp, not a date, and returns a DOUBLE.
    (d,) = _args(compiler, element, **kw)
    return f"CAST(to_unixtime(CAST({d} AS TIMESTAMP)) AS BIGINT)"


def _epoch_spark(element, compiler, **kw):
    # Spark SQL's EXTRACT has no epoch field; unix_date counts DAYS since 1970-01-01 for a
    # DATE without the session time zone that unix_timestamp would apply.
    (d,) = _args(compiler, element, **kw)
    return f"CAST(unix_date({d}) AS BIGINT) * 86400"


# --- bitwise AND -------------------------------------------------------------------------

class bit_and(FunctionElement):  # noqa: N801
    """``a & b`` of two BIGINTs."""

    type = BIGINT
    inherit_cache = True


@compiles(bit_and)
def _bit_and_standard(element, compiler, **kw):
    # SQLite, DuckDB, PostgreSQL and Spark SQL all have ``&``; it binds tighter than the
    # comparison it is always used in (``a & b = 0``), so no parentheses are needed.
    a, b = _args(compiler, element, **kw)
    return f"{a} & {b}"


@compiles(bit_and, "trino")
def _bit_and_trino(element, compiler, **kw):
    # Trino has no bitwise operators, only functions.
    a, b = _args(compiler, element, **kw)
    return f"bitwise_and({a}, {b})"


# --- a VALUES list of codes --------------------------------------------------------------

class CodeRows(TextualSelect):
    """The rows ``(code, flag...)`` of the codes a read looks for, as a ``VALUES`` list
    with named columns (``WITH t(code, ...) AS (VALUES ...)``). The codes are bound
    parameters; the 0/1 flags are DART's own and written into the SQL.

    A ``TextualSelect`` and not SQLAlchemy's ``Values``: this one is cacheable, so a
    statement of the same shape is compiled once per process (a ``Values`` made every
    statement uncacheable, ~15 ms of compiling per run at 1M patients).
    """

    name_cte_columns = True
    inherit_cache = True

    def __init__(self, binds: list[sa.BindParameter], flags: list[tuple[int, ...]],
                 columns: list[sa.ColumnClause]):
        rows = ", ".join(f"(:{b.key}{''.join(f', {f}' for f in row)})"
                         for b, row in zip(binds, flags, strict=True))
        super().__init__(sa.text(f"VALUES {rows}").bindparams(*binds), columns)


@compiles(CodeRows)
def _code_rows_standard(element, compiler, **kw):
    # SQLite, DuckDB, PostgreSQL, Trino and Spark SQL read a bare VALUES list in a CTE.
    return compiler.visit_textual_select(element, **kw)


class BoundRows(TextualSelect):
    """Rows of values from outside the database, every value a bound parameter, as a
    ``VALUES`` list with named columns (``WITH t(a, b) AS (VALUES (?, ?), ...)``): how a
    query on a read-only store receives rows that live elsewhere (the invitations kept in
    the application database). At least one row; see ``no_rows`` for none.
    """

    name_cte_columns = True
    inherit_cache = True

    def __init__(self, name: str, rows: list[tuple], columns: list[sa.ColumnClause]):
        binds = [[sa.bindparam(f"{name}_{i}_{j}", v, c.type) for j, (v, c) in
                  enumerate(zip(row, columns, strict=True))] for i, row in enumerate(rows)]
        text = ", ".join("(" + ", ".join(f":{b.key}" for b in row) + ")" for row in binds)
        super().__init__(sa.text(f"VALUES {text}").bindparams(*(b for r in binds for b in r)),
                         columns)


@compiles(BoundRows)
def _bound_rows_standard(element, compiler, **kw):
    # As CodeRows: every engine DART runs on reads a bare VALUES list in a CTE.
    return compiler.visit_textual_select(element, **kw)


def no_rows(columns: list[sa.ColumnClause]) -> sa.Select:
    """A select of ``columns`` that returns no row (an empty ``BoundRows``: a VALUES list
    cannot be empty), each column typed by a cast."""
    return sa.select(*(sa.cast(sa.null(), c.type).label(c.name) for c in columns)).where(
        sa.false())


# --- dates from other types --------------------------------------------------------------

class to_date(FunctionElement):  # noqa: N801
    """The date of a timestamp column."""

    type = DATE
    inherit_cache = True


@compiles(to_date)
def _to_date_standard(element, compiler, **kw):
    (ts,) = _args(compiler, element, **kw)
    return f"CAST({ts} AS DATE)"


@compiles(to_date, "sqlite")
def _to_date_sqlite(element, compiler, **kw):
    # SQLite keeps timestamps as ISO text; CAST(... AS DATE) would give the number 1980
    # for '1980-01-02 00:00:00' (numeric affinity), where date() gives '1980-01-02'.
    (ts,) = _args(compiler, element, **kw)
    return f"date({ts})"


class date_from_parts(FunctionElement):  # noqa: N801
    """A date from year, month and day integers."""

    type = DATE
    inherit_cache = True


@compiles(date_from_parts)
def _date_from_parts_standard(element, compiler, **kw):
    # PostgreSQL, DuckDB, Spark SQL (make_date) share the name.
    y, m, d = _args(compiler, element, **kw)
    return f"make_date({y}, {m}, {d})"


@compiles(date_from_parts, "sqlite")
def _date_from_parts_sqlite(element, compiler, **kw):
    # SQLite has no date type: the ISO text it compares dates as, zero-padded.
    y, m, d = _args(compiler, element, **kw)
    return f"printf('%04d-%02d-%02d', {y}, {m}, {d})"


@compiles(date_from_parts, "trino")
def _date_from_parts_trino(element, compiler, **kw):
    # Trino has no make_date; date_add from the first of January counts months and days.
    y, m, d = _args(compiler, element, **kw)
    start = f"date(format('%04d-01-01', {y}))"
    return f"date_add('day', {d} - 1, date_add('month', {m} - 1, {start}))"


for _name in SPARK_DIALECTS:
    compiles(epoch_seconds, _name)(_epoch_spark)


# PostgreSQL (12+) folds a CTE used once into its reader and pulls the subquery up,
# substituting its columns' expressions, and SQLite flattens it the same way: a define used
# twice by the next step is written out twice again, and the chain doubles. Measured (the
# 20-level doubling chain, 5 patients): with AS MATERIALIZED 0.04 s on PostgreSQL 15 and
# 0.06 s on SQLite 3.40; without, no answer in 40 s on either. DuckDB 1.5 keeps the steps
# apart by itself (39 levels: 0.13 s plain, 0.21 s materialized), so it gets a plain CTE,
# as do Trino and Spark SQL (no such keyword; not measured).
_MATERIALIZING = ("postgresql", "sqlite")


def materialized(cte: sa.CTE) -> sa.CTE:
    """``name AS MATERIALIZED (...)`` where the engine would otherwise inline ``cte``."""
    for dialect in _MATERIALIZING:
        cte = cte.prefix_with("MATERIALIZED", dialect=dialect)
    return cte
