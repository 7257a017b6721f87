"""Latest / earliest value and latest code, against a plain Python reading of the language.

"The value of the most recent record with a value in the window satisfies it; several on
that date: the highest of them; none: false" (and ``latest code of``: "several that date:
any of them"). The store is dense in ties: few dates, few values, thresholds drawn from the
values themselves, so "several on that date" and boundary values come up in most draws. The
expected ids are worked out here from the rows, row by row, on SQLite, DuckDB and (with
``DART_TEST_POSTGRES_URL``) PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import operator
import random

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria_grammar import nodes as n
from dart.compiler import compile_criteria
from dart.compiler.dates import window_range
from dart.store.codelists import Codelist, CodelistLibrary
from tests.support.engines import filled_stores

INDEX = dt.date(2026, 6, 30)
LIBRARY = CodelistLibrary({
    "lab": Codelist("lab", "snomed", ("21", "22"), "mmol/mol"),
    "status": Codelist("status", "snomed", ("31", "32", "33")),
    "current": Codelist("current", "snomed", ("31", "99")),
})
DATES = (dt.date(2025, 6, 30), dt.date(2026, 1, 1), dt.date(2026, 6, 30), dt.date(2026, 7, 1))
VALUES = (None, 40.0, 50.0, 60.0)


def dense_store(seed: int = 3) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    tables: dict[str, list[dict]] = {
        "practice": [{"practice_id": 1, "ods_code": "R1", "name": "P1", "region": "London",
                      "nation": "England"}],
        "patient": [], "observation": []}
    for pid in range(1, 81):
        tables["patient"].append({
            "patient_id": pid, "practice_id": 1, "nhs_number": f"999{pid:07d}",
            "date_of_birth": dt.date(1960, 1, 1), "sex": "F", "ethnicity": "white",
            "imd_quintile": 3, "registration_start": dt.date(2000, 1, 1),
            "registration_end": None, "date_of_death": None, "research_opt_out": False})
        for _ in range(rng.randint(0, 10)):
            tables["observation"].append({
                "patient_id": pid, "obs_date": rng.choice(DATES),
                "code": rng.choice(("21", "22", "21", "22", "31", "32", "33", "99")),
                "value": rng.choice(VALUES)})
    return tables


TABLES = dense_store()


@pytest.fixture(scope="module")
def engines(tmp_path_factory, request) -> list[sa.Engine]:
    made = filled_stores(tmp_path_factory.mktemp("chosen_rows"), request, TABLES)
    yield made
    for engine in made:
        engine.dispose()


def seen(codes: tuple[str, ...], window: n.Window) -> dict[int, list[dict]]:
    """Each patient's rows of ``codes`` that ``window`` admits (never after the index)."""
    rng = window_range(window, INDEX)
    out: dict[int, list[dict]] = {}
    for r in TABLES["observation"]:
        if (r["code"] in codes and r["obs_date"] <= rng.end
                and (rng.start is None or r["obs_date"] >= rng.start)):
            out.setdefault(r["patient_id"], []).append(r)
    return out


OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
       "=": operator.eq, "!=": operator.ne}


def holds(value: float, test: n.Test) -> bool:
    if isinstance(test, n.Range):
        return test.low <= value <= test.high
    return OPS[test.op](value, test.value)


def expected_value(atom: n.ValueOf) -> set[int]:
    pick = max if atom.aggregate == "latest" else min
    out = set()
    for pid, rows in seen(LIBRARY["lab"].codes, atom.window).items():
        valued = [r for r in rows if r["value"] is not None]
        if not valued:
            continue
        day = pick(r["obs_date"] for r in valued)
        if holds(max(r["value"] for r in valued if r["obs_date"] == day), atom.test):
            out.add(pid)
    return out


def expected_code(atom: n.LatestCodeIn) -> set[int]:
    out = set()
    for pid, rows in seen(LIBRARY["status"].codes, atom.window).items():
        day = max(r["obs_date"] for r in rows)
        if any(r["code"] in LIBRARY["current"].codes for r in rows if r["obs_date"] == day):
            out.add(pid)
    return out


def sql_ids(engine: sa.Engine, atom: n.Condition) -> set[int]:
    rule = n.Rule("include", "r", atom, "r")
    compiled = compile_criteria(n.Criteria(rules=(rule,)), LIBRARY, INDEX)
    with engine.connect() as conn:
        rows = conn.execute(compiled.patient_rules).mappings().all()
    return {r["patient_id"] for r in rows if r["eligible"] == 1}


windows = st.one_of(
    st.just(n.Ever()),
    st.builds(n.Within, st.sampled_from([0, 6, 12]), st.just("month")),
    st.builds(n.MoreThanAgo, st.sampled_from([0, 6]), st.just("month")),
)
thresholds = st.sampled_from([35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 65.0])
tests = st.one_of(
    st.builds(n.Compare, st.sampled_from(list(OPS)), thresholds),
    st.builds(lambda a, b: n.Range(min(a, b), max(a, b)), thresholds, thresholds),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(["latest", "earliest"]), windows, tests)
def test_latest_and_earliest_value(engines, aggregate, window, test):
    atom = n.ValueOf(aggregate, "lab", window, test)
    want = expected_value(atom)
    for engine in engines:
        assert sql_ids(engine, atom) == want, (engine.dialect.name, atom)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(windows)
def test_latest_code_of(engines, window):
    atom = n.LatestCodeIn("status", window, "current")
    want = expected_code(atom)
    for engine in engines:
        assert sql_ids(engine, atom) == want, (engine.dialect.name, atom)


def test_the_store_has_the_ties_this_file_is_about():
    """Several valued lab rows on one patient's date, with different values."""
    by_day: dict[tuple, set] = {}
    for r in TABLES["observation"]:
        if r["code"] in ("21", "22") and r["value"] is not None:
            by_day.setdefault((r["patient_id"], r["obs_date"]), set()).add(r["value"])
    assert sum(len(v) > 1 for v in by_day.values()) >= 10
