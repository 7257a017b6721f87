"""Spark SQL (``spark:///PATH``) gives DuckDB's results for every example file.

One generated store is loaded into both engines (DuckDB's tables copied to Parquet), and
each example file's full feasibility answer (base, funnel, unique impacts, every breakdown)
must be the same JSON on both. Optional: needs ``DART_TEST_SPARK=1`` and pyspark (see
``tests.support.spark``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dart.analysis.feasibility import run_feasibility
from dart.store.engine import create_store, open_engine
from dart.store.generate import generate
from tests.support.spark import spark_copy, spark_skip_reason

if spark_skip_reason():
    pytest.skip(spark_skip_reason(), allow_module_level=True)

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_data" / "criteria")
                  .glob("*.criteria"))
SEED, PATIENTS = 5, 400


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark")
    duck = open_engine(f"duckdb:///{folder / 'store.duckdb'}")
    create_store(duck)
    generate(duck, PATIENTS, seed=SEED, progress=False)
    spark = spark_copy(duck, folder / "parquet")
    yield duck, spark
    duck.dispose()
    spark.dispose()


def test_the_examples_are_all_here():
    # the 13 trials of the first library and those added since (relative windows: COPD)
    names = {p.stem for p in EXAMPLES}
    assert len(names) >= 13 and {"copd_early_exacerbation", "t2dm_sglt2i"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_give_duckdbs_results_on_spark(stores, path):
    duck, spark = stores
    expected = run_feasibility(duck, path.read_text()).to_json()
    assert expected["base"] > 0
    assert run_feasibility(spark, path.read_text()).to_json() == expected


ENROLLED = [  # tests/spec/test_enrolled.py's criteria and the patients it derives by hand
    ("include enrolled within 6 months", {1, 2, 4}),
    ("exclude enrolled ever", {5, 6, 7, 8}),
    ("include enrolled in study 1", {1, 2, 3}),
    ("include enrolled in study 2 within 6 months or enrolled in study 3 ever", {4, 9}),
]


def test_enrolled_reads_the_application_databases_enrolments_on_spark(tmp_path):
    # The lifecycle lives in an application database apart; Spark is sent its rows as
    # bound values, as every engine is.
    from dart.compiler import compile_criteria, resolve_index_date
    from dart.recruitment.invitations import with_invitations
    from dart.sources.native import NATIVE
    from dart.store.app_db import open_app_db
    from tests.spec.helpers import EMPTY_LIBRARY, parse_criteria
    from tests.spec.test_enrolled import LIFECYCLE
    from tests.support.tables import load_app_tables, load_tables

    duck = open_engine(f"duckdb:///{tmp_path / 'store.duckdb'}")
    create_store(duck)
    written = load_tables(duck, LIFECYCLE)
    app = open_app_db(f"sqlite:///{tmp_path / 'app.db'}")
    load_app_tables(app, written)
    spark = spark_copy(duck, tmp_path / "parquet")
    try:
        for text, expected in ENROLLED:
            criteria = parse_criteria(text)
            compiled = compile_criteria(criteria, EMPTY_LIBRARY,
                                        resolve_index_date(criteria, duck),
                                        with_invitations(NATIVE, app))
            with spark.connect() as conn:
                rows = conn.execute(compiled.patient_rules).mappings().all()
            assert {r["patient_id"] for r in rows if r["eligible"] == 1} == expected, text
    finally:
        for engine in (duck, app, spark):
            engine.dispose()


def test_spark_leaves_no_warehouse_folder_behind(stores, tmp_path, monkeypatch):
    # Spark's default warehouse is ./spark-warehouse, made even by a read: a count run in
    # any folder must leave that folder as it was.
    from dart.store.spark import _scratch
    duck, spark = stores
    monkeypatch.chdir(tmp_path)
    run_feasibility(spark, EXAMPLES[0].read_text())
    assert list(tmp_path.iterdir()) == []
    with spark.connect() as conn:
        warehouse = conn.exec_driver_sql("SET spark.sql.warehouse.dir").fetchall()
    assert _scratch() in str(warehouse)


def test_the_forecasts_months_are_duckdbs_on_spark(stores):
    """The forecast's one statement (LEAD over monthly branches, grouped by bucket for the
    packed keys) gives DuckDB's counts and packed keys on Spark, the acute trial's
    presentations included, and the eligible by practice (the funnel's, a rescreen's) are
    DuckDB's patients."""
    from criteria_grammar import parse
    from dart.analysis.disclosure import DisclosurePolicy
    from dart.compiler import prepare
    from dart.recruitment.forecast import history
    from dart.recruitment.rescreen import eligible_by_practice
    from dart.store.codelists import load_library

    duck, spark = stores
    library, keys = load_library(), DisclosurePolicy().keys
    eligible = 0
    for name in ("t2dm_sglt2i", "hypertension_uncontrolled", "copd_early_exacerbation"):
        criteria = parse((EXAMPLES[0].parent / f"{name}.criteria").read_text())
        found = []
        for engine in (duck, spark):
            with engine.connect() as conn:
                ready = prepare(conn, criteria, library)
                months = history(conn, ready.criteria, ready.library, ready.index_date, 3,
                                 keys)
            found.append([(m.index_date, dict(m.cells), m.presenting and dict(m.presenting))
                          for m in months])
        assert found[0] == found[1]
        eligible += sum(cell.eligible for _, cells, _ in found[0] for cell in cells.values())
        # the patients a funnel, a rescreen and an invite list start from, by practice
        by_practice = []
        for engine in (duck, spark):
            with engine.connect() as conn:
                by_practice.append(eligible_by_practice(conn, criteria, library,
                                                        found[0][0][0]))
        assert by_practice[0] == by_practice[1]
    assert eligible > 0  # the statement counted someone


def test_two_spark_stores_in_one_process_read_their_own_tables(stores, tmp_path):
    """Each store folder has a session of its own: opening a second store (its tables
    registered as views of the same names) leaves the first one reading its own."""
    import sqlalchemy as sa

    duck, spark = stores
    other_duck = open_engine(f"duckdb:///{tmp_path / 'other.duckdb'}")
    create_store(other_duck)
    generate(other_duck, 30, seed=1, progress=False)
    other = spark_copy(other_duck, tmp_path / "parquet")
    count = sa.text("SELECT count(*) FROM patient")
    try:
        for _ in range(2):  # in turns, each through its own pooled connection
            with spark.connect() as conn:
                assert conn.execute(count).scalar() == PATIENTS
            with other.connect() as conn:
                assert conn.execute(count).scalar() == 30
    finally:
        other.dispose()
        other_duck.dispose()
