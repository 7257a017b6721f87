"""Spark SQL (``spark:///PATH``) gives DuckDB's results for every example file.

Optional: needs pyspark (the ``spark`` extra) and ``DART_TEST_SPARK=1`` (a local Spark
session takes a minute to start and several seconds a statement on a small machine).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dart.analysis.feasibility import run_feasibility
from dart.store.engine import create_store, normalise_url, open_engine
from dart.store.generate import generate

pytest.importorskip("pyspark")
if os.environ.get("DART_TEST_SPARK") != "1":
    pytest.skip("Spark tests run with DART_TEST_SPARK=1", allow_module_level=True)

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_data" / "criteria")
                  .glob("*.criteria"))
SEED, PATIENTS = 5, 400


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    from dart.store.spark import generate_parquet

    folder = tmp_path_factory.mktemp("spark")
    duck = open_engine(f"duckdb:///{folder / 'store.duckdb'}")
    create_store(duck)
    generate(duck, PATIENTS, seed=SEED, progress=False)
    url = f"spark:///{folder / 'parquet'}"
    generate_parquet(normalise_url(url), PATIENTS, seed=SEED, progress=False)
    spark = open_engine(url)
    yield duck, spark
    duck.dispose()
    spark.dispose()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_give_duckdbs_results_on_spark(stores, path):
    duck, spark = stores
    expected = run_feasibility(duck, path.read_text()).to_json()
    assert expected["base"] > 0
    assert run_feasibility(spark, path.read_text()).to_json() == expected
