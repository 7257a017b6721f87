"""The engine-specific constructs give the same values on every engine, and Trino's SQL
uses none of the constructs Trino rejects."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
import sqlalchemy as sa

from dart.store.dialects import bit_and, date_from_parts, epoch_seconds, shift_date, to_date
from dart.store.engine import open_engine

DAYS = [dt.date(1970, 1, 1), dt.date(1969, 12, 31), dt.date(2026, 6, 30), dt.date(1900, 2, 28)]


def test_constructs_agree_with_python_on_every_engine(store_url):
    engine = open_engine(store_url)
    try:
        with engine.connect() as conn:
            for day in DAYS:
                on = sa.literal(day, sa.Date())
                seconds, anded, made, cut = conn.execute(sa.select(
                    epoch_seconds(on), bit_and(sa.literal(13, sa.BigInteger()),
                                               sa.literal(6, sa.BigInteger())),
                    date_from_parts(day.year, day.month, day.day),
                    to_date(sa.literal(dt.datetime.combine(day, dt.time(13, 5)),
                                       sa.DateTime())))).one()
                assert seconds == (day - dt.date(1970, 1, 1)).days * 86400
                assert anded == 4
                assert str(made)[:10] == day.isoformat()
                assert str(cut)[:10] == day.isoformat()
    finally:
        engine.dispose()


# (date, amount, unit, expected): calendar arithmetic, month ends clamped, worked by hand.
SHIFTS = [
    ("2026-01-31", 1, "month", "2026-02-28"),   # February has no 31st
    ("2024-01-30", 1, "month", "2024-02-29"),   # a leap year's February
    ("2026-03-31", -1, "month", "2026-02-28"),
    ("2026-05-31", -3, "month", "2026-02-28"),
    ("2026-01-31", -1, "month", "2025-12-31"),  # across a year, no clamp needed
    ("2026-12-31", 2, "month", "2027-02-28"),
    ("2026-01-15", 13, "month", "2027-02-15"),
    ("2026-01-31", 0, "month", "2026-01-31"),
    ("2024-02-29", 1, "year", "2025-02-28"),
    ("2024-02-29", -1, "year", "2023-02-28"),
    ("2026-06-30", -7, "day", "2026-06-23"),
    ("2026-12-31", 1, "day", "2027-01-01"),
    ("2026-06-30", 2, "week", "2026-07-14"),
]


def test_shift_date_is_calendar_arithmetic_on_every_engine(store_url):
    engine = open_engine(store_url)
    try:
        with engine.connect() as conn:
            for day, amount, unit, want in SHIFTS:
                on = sa.literal(dt.date.fromisoformat(day), sa.Date())
                got = conn.execute(sa.select(shift_date(on, amount, unit))).scalar()
                assert str(got)[:10] == want, (day, amount, unit)
    finally:
        engine.dispose()


def test_trino_sql_of_every_example_avoids_what_trino_rejects():
    pytest.importorskip("trino")
    from sqlalchemy.engine import make_url

    from criteria_grammar import parse
    from dart.analysis.disclosure.keys import RecordKeys
    from dart.analysis.feasibility import statements
    from dart.compiler import compile_criteria
    from dart.store.codelists import load_library

    dialect = make_url("trino://user@host/catalog").get_dialect()()
    keys = RecordKeys.from_secret("compile only")
    library = load_library()
    folder = pathlib.Path(__file__).resolve().parents[3] / "sample_data" / "criteria"
    for path in sorted(folder.glob("*.criteria")):
        compiled = compile_criteria(parse(path.read_text()), library, dt.date(2026, 6, 30))
        sql = "\n".join(str(s.compile(dialect=dialect))
                        for s in [compiled.patient_rules, *statements(compiled, keys)])
        assert "EXTRACT" not in sql and " & " not in sql, path.name
        assert "to_unixtime" in sql or "latest" not in path.read_text(), path.name
