"""The engine-specific constructs give the same values on every engine, and Trino's SQL
uses none of the constructs Trino rejects."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
import sqlalchemy as sa

from dart.store.dialects import bit_and, date_from_parts, epoch_seconds, to_date
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


def test_trino_sql_of_every_example_avoids_what_trino_rejects():
    pytest.importorskip("trino")
    from sqlalchemy.engine import make_url

    from criteria_grammar import parse
    from dart.analysis.feasibility import statements
    from dart.compiler import compile_criteria
    from dart.store.codelists import load_library

    dialect = make_url("trino://user@host/catalog").get_dialect()()
    library = load_library()
    folder = pathlib.Path(__file__).resolve().parents[3] / "sample_data" / "criteria"
    for path in sorted(folder.glob("*.criteria")):
        compiled = compile_criteria(parse(path.read_text()), library, dt.date(2026, 6, 30))
        sql = "\n".join(str(s.compile(dialect=dialect))
                        for s in [compiled.patient_rules, *statements(compiled)])
        assert "EXTRACT" not in sql and " & " not in sql, path.name
        assert "to_unixtime" in sql or "latest" not in path.read_text(), path.name
