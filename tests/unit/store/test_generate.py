"""The generator on every engine: it loads, it is deterministic, it refuses to overwrite."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import sqlalchemy as sa

from dart.store.engine import create_store, open_engine, store_info
from dart.store.generate import GenerationError, check_arguments, generate
from dart.store.generate.nhs import is_valid, nhs_numbers
from dart.store.schema import SCHEMA_VERSION, metadata

N = 300
TABLES = ("practice", "patient", "observation", "prescription")


def dump(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of the data tables, sorted, with floats rounded (DuckDB's FLOAT is 32-bit)."""
    out = {}
    with engine.connect() as conn:
        for name in TABLES:
            table = metadata.tables[name]
            rows = conn.execute(sa.select(table)).all()
            out[name] = sorted(
                tuple(round(v, 3) if isinstance(v, float) else v for v in row) for row in rows
            )
    return out


def fresh_duckdb(tmp_path, name: str) -> sa.Engine:
    engine = open_engine(f"duckdb:///{tmp_path / name}")
    create_store(engine)
    return engine


def test_generates_on_every_engine_and_matches_duckdb(store, tmp_path):
    summary = generate(store, N, seed=3, progress=False)
    assert summary.patients == N and summary.practices == 12
    info = store_info(store)
    assert info["extract_date"] == "2026-06-30" and info["seed"] == "3"
    assert info["schema_version"] == SCHEMA_VERSION and info["generator"].startswith("dart ")
    data = dump(store)
    assert len(data["patient"]) == N
    assert {t: len(r) for t, r in data.items()} == summary.rows
    # The same seed gives the same store on every engine.
    reference = fresh_duckdb(tmp_path, "ref.duckdb")
    generate(reference, N, seed=3, progress=False)
    assert dump(reference) == data
    reference.dispose()


def test_dates_compare_as_dates(store):
    # The SQLite date trap (docs/architecture.md, Dates): SQLite must hold plain
    # YYYY-MM-DD so '<=' works on the day.
    generate(store, N, seed=1, progress=False)
    extract = dt.date(2026, 6, 30)
    with store.connect() as conn:
        obs = metadata.tables["observation"]
        later = conn.execute(sa.select(sa.func.count()).where(obs.c.obs_date > extract))
        assert later.scalar() == 0
        on_day = sa.select(sa.func.count()).where(obs.c.obs_date <= extract)
        assert conn.execute(on_day).scalar() == conn.execute(
            sa.select(sa.func.count()).select_from(obs)).scalar()


def test_different_seed_differs(tmp_path):
    one, two = fresh_duckdb(tmp_path, "a.duckdb"), fresh_duckdb(tmp_path, "b.duckdb")
    generate(one, N, seed=1, progress=False)
    generate(two, N, seed=2, progress=False)
    assert dump(one)["patient"] != dump(two)["patient"]
    one.dispose()
    two.dispose()


def test_refuses_a_store_with_data_unless_replace(tmp_path):
    engine = fresh_duckdb(tmp_path, "s.duckdb")
    generate(engine, 50, seed=1, progress=False)
    with pytest.raises(GenerationError, match="already holds data"):
        generate(engine, 50, seed=2, progress=False)
    summary = generate(engine, 40, seed=2, progress=False, replace=True)
    assert len(dump(engine)["patient"]) == 40 == summary.patients
    assert store_info(engine)["seed"] == "2"
    engine.dispose()


def test_nhs_numbers_are_valid_and_unique(tmp_path):
    engine = fresh_duckdb(tmp_path, "n.duckdb")
    generate(engine, N, progress=False)
    with engine.connect() as conn:
        numbers = conn.execute(sa.text("select nhs_number from patient")).scalars().all()
    engine.dispose()
    assert len(set(numbers)) == N
    assert all(n.startswith("999") and is_valid(n) for n in numbers)


def test_ten_million_nhs_numbers_are_valid_unique_and_unissued():
    numbers = nhs_numbers(np.random.default_rng([0, 0]), 10_000_000)
    assert len(np.unique(numbers)) == 10_000_000
    # Every number is in an unissued 9xx range (980-999), checked on a spread sample.
    sample = numbers[::997]
    assert all(is_valid(n) and 980 <= int(n[:3]) <= 999 for n in sample)


def test_more_ranges_leave_a_million_patient_store_unchanged():
    # The ranges are drawn in order, so a store that fits in 999 and 998 keeps the numbers
    # it had when those were the only ranges (pinned: the first of a 1M draw of seed 3,
    # as the two-range generator made them), and cached bench stores stay valid.
    numbers = nhs_numbers(np.random.default_rng([3, 0]), 1_000_000)
    assert list(numbers[:3]) == ["9993516139", "9993363685", "9999292038"]
    assert {n[:3] for n in numbers} == {"999", "998"}


def test_refuses_more_than_ten_million_patients():
    with pytest.raises(GenerationError, match="at most 10,000,000"):
        check_arguments(10_000_001, None)


def test_check_digit():
    assert is_valid("9434765919")  # NHS Digital's documented example
    assert not is_valid("9434765918") and not is_valid("943476591")


@pytest.mark.parametrize(("patients", "practices", "message"), [
    (0, None, "at least 1"), (-5, None, "at least 1"), (10, 11, "cannot exceed"),
    (10, 0, "at least 1"),
])
def test_bad_arguments(patients, practices, message):
    with pytest.raises(GenerationError, match=message):
        check_arguments(patients, practices)
