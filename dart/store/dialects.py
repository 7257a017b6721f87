"""Every construct whose SQL differs between engines, in one place.

The compiler and the sources (``dart.sources``) write these constructs; each renders
standard SQL by default and only the engines that need something else override it, with the
reason beside the override. Everything else DART writes is plain SQLAlchemy Core, which
reads the same on SQLite, DuckDB, PostgreSQL, Trino and Spark SQL.

- ``epoch_seconds(d)``: a date as whole seconds since 1970-01-01 (BIGINT), so that the
  latest/earliest row of a patient is picked with one ``MAX``/``MIN`` of date and class.
- ``bit_and(a, b)``: the bitwise AND of two BIGINTs (the record atoms' mask words).
- ``CodeRows``: a code set's codes as a ``VALUES`` list with named columns.
- ``BoundRows``: rows from outside the store (invitations) as a fixed number of bound
  parameters (arrays or one JSON text), whatever the number of rows.
- ``to_date(ts)``: the date part of a timestamp column.
- ``date_from_parts(y, m, d)``: a date from year, month and day integers.
- ``shift_date(d, n, unit)`` (``add_days``, ``add_months``): a date column plus ``n``
  days or calendar months (month ends clamp: 2026-01-31 + 1 month = 2026-02-28), for
  windows anchored on a per-patient date.
- ``materialized(cte)``: a CTE the engine computes once rather than folding it into its
  reader (the steps of shared defines, ``dart.compiler.defines``).
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import TextualSelect

BIGINT = sa.BigInteger()
DATE = sa.Date()

SPARK_DIALECTS = ("hive", "databricks", "spark")
"""The SQLAlchemy dialect names through which DART reaches Spark SQL."""


def _args(compiler, element, count: int | None = None, **kw) -> list[str]:
    """The SQL of the element's first ``count`` arguments (all by default); an argument
    not rendered must not be processed, or its bound value is still sent."""
    return [compiler.process(arg, **kw) for arg in list(element.clauses)[:count]]


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
    """Rows of values from outside the database (the invitations kept in the application
    database) as a select with named columns, sent as a FIXED number of bound parameters
    whatever the number of rows: how a query on a read-only store receives rows that live
    elsewhere. Any number of rows, none included.

    The element holds two shapes of the same rows and each engine renders (and so sends)
    only the one it reads: one list per column (PostgreSQL and DuckDB arrays, bound
    ``<name>_<column>``) or one JSON text of the rows (SQLite and Spark SQL, bound
    ``<name>_rows``, encoded only when sent). Both ride in the ``TextualSelect``'s text so
    that they are part of the statement's cache key and parameters; that text is never
    the SQL sent.
    """

    name_cte_columns = True
    inherit_cache = True

    def __init__(self, name: str, rows: list[tuple], columns: list[sa.ColumnClause]):
        lists = [list(v) for v in zip(*rows, strict=True)] if rows else [[] for _ in columns]
        binds = [sa.bindparam(f"{name}_rows", rows, _JsonRows([c.name for c in columns]))]
        binds += [sa.bindparam(f"{name}_{c.name}", v, sa.types.NullType())
                  for c, v in zip(columns, lists, strict=True)]
        self.bound_name = name
        super().__init__(sa.text(" ".join(f":{b.key}" for b in binds)).bindparams(*binds),
                         columns)

    def bind(self, suffix: str) -> sa.BindParameter:
        # Looked up in the text each time: a copy of the statement (SQLAlchemy clones
        # elements as it builds CTEs) holds copies of the binds, not these.
        return self.element._bindparams[f"{self.bound_name}_{suffix}"]


class _JsonRows(sa.types.TypeDecorator):
    """Rows of plain values as one JSON text, an array of objects keyed by column name
    (dates as ISO text, which is how SQLite keeps them and what Spark's ``from_json``
    reads as a DATE)."""

    impl = sa.String
    cache_ok = True

    def __init__(self, names: list[str]):
        super().__init__()
        self.names = tuple(names)

    def process_bind_param(self, value, dialect):
        return json.dumps([dict(zip(self.names, row, strict=True)) for row in value],
                          default=_iso, separators=(",", ":"))

    def process_literal_param(self, value, dialect):
        return self.process_bind_param(value, dialect)


def _iso(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} as a bound row value")


@compiles(BoundRows)
def _bound_rows_standard(element, compiler, **kw):
    # PostgreSQL (10+) and DuckDB: set-returning functions side by side in one SELECT list
    # advance together, so one unnest per column zips the arrays back into rows. Each list
    # is cast to an array of its column's type: the driver may send ints as BIGINT or
    # NUMERIC, and a list of NULLs has no element type of its own.
    names = compiler.dialect.type_compiler_instance
    return "SELECT " + ", ".join(
        f"unnest(CAST({compiler.process(element.bind(c.name), **kw)} AS "
        f"{names.process(c.type)}[])) AS {compiler.preparer.quote(c.name)}"
        for c in element.column_args)


@compiles(BoundRows, "sqlite")
def _bound_rows_sqlite(element, compiler, **kw):
    # SQLite has no arrays; json_each walks one JSON text (SQLite 3.38+ has JSON built
    # in) and json_extract gives a JSON number as an INTEGER, a string (an ISO date, as
    # SQLite keeps dates) as TEXT and null as NULL.
    rows = compiler.process(element.bind("rows"), **kw)
    return "SELECT " + ", ".join(
        f"json_extract(value, '$.{c.name}') AS {compiler.preparer.quote(c.name)}"
        for c in element.column_args) + f" FROM json_each({rows})"


@compiles(BoundRows, "trino")
def _bound_rows_trino(element, compiler, **kw):
    # Trino: UNNEST of several arrays is a FROM item that zips them, and its arrays are
    # ARRAY(T); its client sends a list as an ARRAY[...] value. (Compiled here, never run:
    # no Trino server in the tests.)
    names = compiler.dialect.type_compiler_instance
    arrays = ", ".join(f"CAST({compiler.process(element.bind(c.name), **kw)} AS "
                       f"ARRAY({names.process(c.type)}))" for c in element.column_args)
    return f"SELECT * FROM UNNEST({arrays})"


# Spark's names for the types of bound rows' columns, most specific first.
_SPARK_TYPES = ((sa.BigInteger, "bigint"), (sa.Integer, "int"), (sa.Date, "date"),
                (sa.String, "string"))


def _spark_type(type_: sa.types.TypeEngine) -> str:
    return next(name for kind, name in _SPARK_TYPES if isinstance(type_, kind))


def _bound_rows_spark(element, compiler, **kw):
    # Spark SQL: not every DBAPI DART reaches it through can send an array (PyHive's
    # client-side pyformat escaping writes a list as "(a, b)"), but all of them send a
    # string (the local session's args, PyHive, Databricks' native parameters), so the
    # rows travel as one JSON text that from_json parses into an array of structs and
    # inline turns into rows.
    rows = compiler.process(element.bind("rows"), **kw)
    fields = ",".join(f"{c.name}:{_spark_type(c.type)}" for c in element.column_args)
    return f"SELECT inline(from_json({rows}, 'array<struct<{fields}>>'))"


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


# --- a date column plus days or calendar months ------------------------------------------

class add_days(FunctionElement):  # noqa: N801 - SQLAlchemy names functions in lower case
    """``d`` plus ``n`` days (``n`` a bound integer, negative to go back)."""

    type = DATE
    inherit_cache = True


class add_months(FunctionElement):  # noqa: N801
    """``d`` plus ``n`` calendar months, a day past the target month's end clamped to its
    last day. Built with ``n`` bound twice (SQLite's rendering reads it twice)."""

    type = DATE
    inherit_cache = True


def shift_date(d: sa.ColumnElement, n: int, unit: str) -> sa.ColumnElement:
    """``d`` plus ``n`` days, weeks, months or years (calendar arithmetic, month ends clamp)."""
    def bound(value: int) -> sa.BindParameter:
        return sa.bindparam(None, value, sa.Integer())

    if unit in ("day", "week"):
        return add_days(d, bound(n * (7 if unit == "week" else 1)))
    if unit in ("month", "year"):
        months = n * (12 if unit == "year" else 1)
        return add_months(d, bound(months), bound(months))
    raise ValueError(f"unknown unit {unit!r}")


@compiles(add_days)
def _add_days_standard(element, compiler, **kw):
    # PostgreSQL and DuckDB: date + integer is a date. The bound count is cast to
    # INTEGER: PostgreSQL has no date + bigint.
    d, n = _args(compiler, element, **kw)
    return f"CAST({d} + CAST({n} AS INTEGER) AS DATE)"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):
    # SQLite keeps dates as ISO text: ``d + n`` would add to the year as a number.
    d, n = _args(compiler, element, **kw)
    return f"date({d}, printf('%+d days', {n}))"


@compiles(add_months)
def _add_months_standard(element, compiler, **kw):
    # PostgreSQL and DuckDB: date + months is a timestamp with the day clamped to the
    # month's end (2026-01-31 + 1 month = 2026-02-28), hence the CAST back to a date.
    d, n = _args(compiler, element, 2, **kw)
    return f"CAST({d} + CAST({n} AS INTEGER) * INTERVAL '1 month' AS DATE)"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element, compiler, **kw):
    # SQLite's '+N months' modifier does not clamp: 2026-01-31 + 1 month is 2026-03-03
    # (its 'floor' modifier needs SQLite 3.46). The last day of the target month (the
    # first of the month after it, minus a day) is never before the clamped date and is
    # passed only when the modifier overflowed, so the earlier of the two (as ISO text,
    # which orders as dates do) is the clamped date.
    d, n, n_again = _args(compiler, element, **kw)
    return (f"min(date({d}, printf('%+d months', {n})), "
            f"date({d}, 'start of month', printf('%+d months', {n_again} + 1), '-1 day'))")


def _add_days_spark(element, compiler, **kw):
    # Spark SQL: date_add adds days to a DATE.
    d, n = _args(compiler, element, **kw)
    return f"date_add({d}, {n})"


def _add_months_spark(element, compiler, **kw):
    # Spark SQL: add_months clamps to the month's end (since Spark 3 it no longer moves a
    # month-end date to the end of the target month).
    d, n = _args(compiler, element, 2, **kw)
    return f"add_months({d}, {n})"


@compiles(add_days, "trino")
def _add_days_trino(element, compiler, **kw):
    # Trino spells intervals INTERVAL '1' DAY; date_add is plainer.
    d, n = _args(compiler, element, **kw)
    return f"date_add('day', {n}, {d})"


@compiles(add_months, "trino")
def _add_months_trino(element, compiler, **kw):
    # Trino's date_add clamps month ends like the others.
    d, n = _args(compiler, element, 2, **kw)
    return f"date_add('month', {n}, {d})"


for _name in SPARK_DIALECTS:
    compiles(epoch_seconds, _name)(_epoch_spark)
    compiles(add_days, _name)(_add_days_spark)
    compiles(add_months, _name)(_add_months_spark)
    compiles(BoundRows, _name)(_bound_rows_spark)


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
