"""Property: random valid criteria give the same patients on every engine.

One small random store is built once per module on SQLite, DuckDB and (when
``DART_TEST_POSTGRES_URL`` is set) PostgreSQL; hypothesis then draws criteria from a strategy
over every atom, window and connective, and every engine must return the same rows: the
same base, the same per-rule passes, the same eligible patients, ages and age bands, and
the same flags as the reference evaluator (``tests.support.reference``). The store's
lifecycle rows (``recruitment_status``) are written to an application database apart and
sent with each query, as DART runs it (``with_invitations``). With
``DART_TEST_SPARK=1`` the same store is also copied to Spark SQL, which must return
DuckDB's rows and full feasibility answer for the same strategy's criteria (fewer
examples: a local Spark session takes seconds a statement).
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria_grammar import nodes as n
from dart.analysis.feasibility import run_feasibility
from dart.compiler import compile_criteria
from dart.recruitment.invitations import with_invitations
from dart.sources.native import NATIVE
from dart.store.app_db import open_app_db
from dart.store.codelists import Codelist, CodelistLibrary
from tests.support.engines import filled_stores
from tests.support.reference import evaluate
from tests.support.spark import spark_copy, spark_skip_reason
from tests.support.tables import load_app_tables

LIBRARY = CodelistLibrary({
    "diag": Codelist("diag", "snomed", ("11", "12")),
    "lab": Codelist("lab", "snomed", ("21", "22"), "mmol/mol"),
    "status": Codelist("status", "snomed", ("31", "32", "33")),
    "current": Codelist("current", "snomed", ("31",)),
    "drug": Codelist("drug", "dmd", ("41", "42")),
})
CODES = ("11", "12", "21", "22", "31", "32", "33", "99")


def _day(rng: random.Random, start: str, end: str) -> dt.date:
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return a + dt.timedelta(days=rng.randint(0, (b - a).days))


def random_store(seed: int = 7) -> dict[str, list[dict]]:
    """60 patients with edge-heavy dates around the index dates used below."""
    rng = random.Random(seed)
    regions = [("London", "England"), ("Wales", "Wales"), ("North East", "England")]
    tables: dict[str, list[dict]] = {
        "practice": [{"practice_id": i + 1, "ods_code": f"R{i}", "name": f"P{i}",
                      "region": r, "nation": nat} for i, (r, nat) in enumerate(regions)],
        "patient": [], "observation": [], "prescription": [], "invitation": [],
        "recruitment_status": [],
        "store_info": [{"key": "extract_date", "value": "2026-06-30"}],
    }
    for pid in range(1, 61):
        tables["patient"].append({
            "patient_id": pid, "practice_id": rng.randint(1, 3), "nhs_number": f"999{pid:07d}",
            "date_of_birth": rng.choice([_day(rng, "1920-01-01", "2026-06-30"),
                                         dt.date(2008, 6, 30), dt.date(2000, 2, 29)]),
            "sex": rng.choice("FM"), "ethnicity": rng.choice(["asian", "white", "unknown"]),
            "imd_quintile": rng.choice([None, 1, 2, 3, 4, 5]),
            "registration_start": _day(rng, "2015-01-01", "2026-07-05"),
            "registration_end": rng.choice([None] * 4 + [_day(rng, "2026-06-01", "2026-08-01")]),
            "date_of_death": rng.choice([None] * 6 + [_day(rng, "2026-06-01", "2026-08-01")]),
            "research_opt_out": rng.random() < 0.1,
        })
        for _ in range(rng.randint(0, 8)):
            tables["observation"].append({
                "patient_id": pid, "obs_date": _day(rng, "2024-01-01", "2026-08-01"),
                "code": rng.choice(CODES),
                "value": rng.choice([None, rng.randint(30, 90), float(rng.randint(30, 90))]),
            })
        for _ in range(rng.randint(0, 3)):
            tables["prescription"].append({
                "patient_id": pid, "issue_date": _day(rng, "2025-01-01", "2026-08-01"),
                "code": rng.choice(("41", "42", "43")),
                "quantity": rng.choice([None, 14, 28, 28.5, 56])})
        for study in (1, 2):
            if rng.random() < 0.3:
                tables["invitation"].append({
                    "study_id": study, "patient_id": pid, "practice_id": 1,
                    "invited_on": _day(rng, "2025-06-01", "2026-08-01")})
            if rng.random() < 0.25:  # an outcome recorded at any hour of its day
                at = dt.datetime.combine(_day(rng, "2025-06-01", "2026-08-01"),
                                         dt.time(rng.randint(0, 23), 59))
                tables["recruitment_status"].append({
                    "study_id": study, "patient_id": pid, "practice_id": 1,
                    "status": rng.choice(["enrolled", "enrolled", "declined"]),
                    "outcome_at": at, "updated_at": at})
    return tables


STORE = random_store()


@pytest.fixture(scope="module")
def engines(tmp_path_factory, request) -> list[sa.Engine]:
    made = filled_stores(tmp_path_factory.mktemp("cross_engine"), request, STORE)
    yield made
    for engine in made:
        engine.dispose()


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The native source sent the random lifecycle's enrolments from an application
    database of its own."""
    app = open_app_db(f"sqlite:///{tmp_path_factory.mktemp('cross_engine_app') / 'app.db'}")
    load_app_tables(app, STORE)
    yield with_invitations(NATIVE, app)
    app.dispose()


units = st.sampled_from(["day", "week", "month", "year"])
windows = st.one_of(
    st.just(n.Ever()),
    st.builds(n.Within, st.integers(0, 24), units),
    st.builds(n.MoreThanAgo, st.integers(0, 24), units),
    st.builds(lambda a, b: n.Between(min(a, b), max(a, b)),
              st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
              st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31))),
)
anchors = st.builds(n.Anchor, st.sampled_from(["first", "latest"]),
                    st.sampled_from(["diag", "lab", "drug"]))
relative = st.builds(n.Relative, st.integers(0, 14), units, st.sampled_from(["before", "after"]),
                     anchors)
anchorable = st.one_of(windows, relative)
"""Windows of the atoms that take an anchored window (not ``first``, ``invited``,
``enrolled``)."""
ops = st.sampled_from(["<", "<=", ">", ">=", "=", "!="])


def value_tests(lo: int, hi: int):
    return st.one_of(
        st.builds(n.Compare, ops, st.integers(lo, hi).map(float)),
        st.builds(lambda a, b: n.Range(min(a, b), max(a, b)),
                  st.integers(lo, hi), st.integers(lo, hi)),
    )


ATOMS = {
    n.AgeTest: st.builds(n.AgeTest, value_tests(0, 100)),
    n.SexIs: st.builds(n.SexIs, st.sampled_from("FM")),
    n.EthnicityIn: st.builds(n.EthnicityIn, st.just(("asian", "unknown"))),
    n.NationIn: st.builds(n.NationIn, st.sampled_from([("Wales",), ("England", "Wales")])),
    n.RegionIn: st.builds(n.RegionIn, st.just(("Wales", "North East"))),
    n.ImdTest: st.builds(n.ImdTest, value_tests(1, 5)),
    n.Registered: st.builds(n.Registered, st.integers(0, 36), units),
    n.Has: st.builds(n.Has, st.sampled_from(["diag", "lab", "drug"]), anchorable),
    n.CountOf: st.builds(n.CountOf, st.sampled_from(["diag", "drug"]), anchorable,
                         value_tests(0, 4)),
    n.ValueOf: st.builds(n.ValueOf, st.sampled_from(["latest", "earliest", "min", "max",
                                                     "mean"]),
                         st.just("lab"), anchorable, value_tests(30, 90)),
    n.FirstIn: st.builds(n.FirstIn, st.sampled_from(["diag", "lab"]), windows),
    n.LatestCodeIn: st.builds(n.LatestCodeIn, st.just("status"), anchorable, st.just("current")),
    n.TotalQuantity: st.builds(n.TotalQuantity, st.just("drug"), anchorable, value_tests(0, 60)),
    n.PracticeIn: st.builds(n.PracticeIn, st.sampled_from([("R0",), ("R1", "R2")])),
    n.Invited: st.builds(n.Invited, windows, st.sampled_from([None, 1, 2])),
    n.Enrolled: st.builds(n.Enrolled, windows, st.sampled_from([None, 1, 2])),
}
"""One strategy per atom class (``tests/unit/test_condition_checklist.py`` reads the keys)."""
DEFINED = "d0"
"""Every drawn file defines ``d0`` (a condition without references), which atoms may use."""
plain_atoms = st.one_of(*ATOMS.values())
atoms = st.one_of(plain_atoms, st.just(n.Ref(DEFINED)))


def combined(inner):
    return st.one_of(
        st.builds(n.Not, inner),
        st.builds(n.And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(n.Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(lambda k, items: n.AtLeast(min(k, len(items)), tuple(items)),
                  st.integers(0, 3), st.lists(inner, min_size=1, max_size=3)),
    )


CONNECTIVES = (n.Not, n.And, n.Or, n.AtLeast)
"""The connectives ``combined`` draws."""
DRAWN = frozenset([*ATOMS, *CONNECTIVES, n.Ref])
"""Every condition class the generator draws."""
conditions = st.recursive(atoms, combined, max_leaves=5)
defines = st.recursive(plain_atoms, combined, max_leaves=3).map(
    lambda cond: (n.Define(DEFINED, cond),))
rules = st.builds(lambda kind, cond: n.Rule(kind, "r", cond, "r"),
                  st.sampled_from(["include", "exclude"]), conditions)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(rules, min_size=1, max_size=3), defines,
       st.sampled_from([dt.date(2026, 6, 30), dt.date(2026, 3, 31), dt.date(2024, 2, 29)]))
def test_every_engine_returns_the_same_rows(engines, source, rule_list, defined, index):
    criteria = n.Criteria(rules=tuple(rule_list), defines=defined)
    compiled = compile_criteria(criteria, LIBRARY, index, source)
    results = []
    for engine in engines:
        with engine.connect() as conn:
            rows = conn.execute(compiled.patient_rules).mappings().all()
        results.append(sorted((dict(r) for r in rows), key=lambda r: r["patient_id"]))
    for engine, other in zip(engines[1:], results[1:], strict=True):
        assert other == results[0], engine.dialect.name
    # ... and the same flags as the reference evaluator, a reading of the language that
    # shares nothing with the compiler (so a bug common to every engine still fails).
    want = evaluate(criteria, STORE, LIBRARY, index)
    keys = list(want[0]) if want else ["patient_id"]
    assert [{k: r[k] for k in keys} for r in results[0]] == want, "reference evaluator"


def counts_from_rows(rows: list[dict], n_rules: int, ods: dict[int, str]) -> dict:
    """Feasibility's numbers worked out in Python from ``patient_rules`` (one row per base
    patient), independently of the split form the feasibility statement counts from."""
    def passes(r, skip=None):
        return all(r[f"rule_{i}"] == 1 for i in range(n_rules) if i != skip)

    eligible = [r for r in rows if passes(r)]
    groups: dict[str, dict[str, int]] = {}
    for r in eligible:
        for dim in ("age_band", "sex", "ethnicity", "imd_quintile", "region", "nation"):
            key = "unknown" if r[dim] is None else str(r[dim])
            groups.setdefault(dim, {}).setdefault(key, 0)
            groups[dim][key] += 1
        groups.setdefault("practice", {}).setdefault(ods[r["practice_id"]], 0)
        groups["practice"][ods[r["practice_id"]]] += 1
    return {
        "base": len(rows), "eligible": len(eligible),
        "population": sum(r["in_population"] for r in rows),
        "remaining": [sum(all(r[f"rule_{i}"] == 1 for i in range(k + 1)) for r in rows)
                      for k in range(n_rules)],
        "impact": [sum(r[f"rule_{k}"] == 0 and passes(r, k) for r in rows)
                   for k in range(n_rules)],
        "groups": groups,
    }


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(rules, min_size=1, max_size=4), st.one_of(st.none(), conditions), defines,
       st.sampled_from([dt.date(2026, 6, 30), dt.date(2026, 3, 31), dt.date(2024, 2, 29)]))
def test_feasibility_counts_what_patient_rules_says(engines, source, rule_list, population,
                                                    defined, index):
    """The split form (baseline flags plus the recorded patients' corrections) gives exactly
    the funnel, unique impacts and breakdowns of the one-row-per-patient form, everywhere."""
    pop = n.Population("p", population) if population is not None else None
    criteria = n.Criteria(rules=tuple(rule_list), population=pop, defines=defined)
    compiled = compile_criteria(criteria, LIBRARY, index, source)
    ods = {p["practice_id"]: p["ods_code"] for p in random_store()["practice"]}
    for engine in engines:
        with engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(compiled.patient_rules).mappings()]
        want = counts_from_rows(rows, len(rule_list), ods)
        got = run_feasibility(engine, criteria, LIBRARY, index_date=index, source=source)
        name = engine.dialect.name
        assert (got.base, got.eligible, got.population) == (
            want["base"], want["eligible"], want["population"]), name
        assert [s.remaining for s in got.funnel] == want["remaining"], name
        assert [i.count for i in got.unique_impact] == want["impact"], name
        listed = {dim: {c.group: c.count for c in cells if c.count}
                  for dim, cells in got.breakdowns.items()}
        assert listed == {d: want["groups"].get(d, {}) for d in listed}, name


SPARK_EXAMPLES = 8
"""Criteria drawn for Spark: each costs two Spark statements of several seconds each."""


@pytest.fixture(scope="module")
def spark_and_duckdb(engines, tmp_path_factory) -> tuple[sa.Engine, sa.Engine]:
    if spark_skip_reason():
        pytest.skip(spark_skip_reason())
    duck = next(e for e in engines if e.dialect.name == "duckdb")
    spark = spark_copy(duck, tmp_path_factory.mktemp("cross_engine_spark"))
    yield spark, duck
    spark.dispose()


@settings(max_examples=SPARK_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(rules, min_size=1, max_size=4), st.one_of(st.none(), conditions), defines,
       st.sampled_from([dt.date(2026, 6, 30), dt.date(2026, 3, 31), dt.date(2024, 2, 29)]))
def test_spark_returns_duckdbs_rows_and_counts(spark_and_duckdb, source, rule_list,
                                               population, defined, index):
    spark, duck = spark_and_duckdb
    pop = n.Population("p", population) if population is not None else None
    criteria = n.Criteria(rules=tuple(rule_list), population=pop, defines=defined)
    compiled = compile_criteria(criteria, LIBRARY, index, source)
    rows = []
    for engine in (duck, spark):
        with engine.connect() as conn:
            got = [dict(r) for r in conn.execute(compiled.patient_rules).mappings()]
        rows.append(sorted(got, key=lambda r: r["patient_id"]))
    assert rows[1] == rows[0]
    want = run_feasibility(duck, criteria, LIBRARY, index_date=index, source=source).to_json()
    assert run_feasibility(spark, criteria, LIBRARY, index_date=index,
                           source=source).to_json() == want
