"""An OMOP CDM store generated from a seed gives the native store's results, read only."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from dart.analysis.feasibility import run_feasibility
from dart.cli import main
from dart.sources import get_source
from dart.sources.omop_generate import generate_omop
from dart.store.engine import StoreError, create_store, open_engine
from dart.store.generate import generate

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_data" / "criteria")
                  .glob("*.criteria"))
SEED, PATIENTS = 11, 600


@pytest.fixture(scope="module", params=["sqlite", "duckdb"])
def both(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"omop_{request.param}")
    ext = "db" if request.param == "sqlite" else "duckdb"
    native = open_engine(f"{request.param}:///{folder / f'native.{ext}'}")
    create_store(native)
    generate(native, PATIENTS, seed=SEED, progress=False)
    omop = open_engine(f"{request.param}:///{folder / f'omop.{ext}'}")
    generate_omop(omop, PATIENTS, seed=SEED, progress=False)
    omop.dispose()
    yield native, f"{request.param}:///{folder / f'omop.{ext}'}"
    native.dispose()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_give_the_native_results_on_the_omop_store(both, path):
    native, omop_url = both
    omop = open_engine(omop_url, read_only=True)
    try:
        expected = run_feasibility(native, path.read_text()).to_json()
        got = run_feasibility(omop, path.read_text(), source=get_source("omop")).to_json()
    finally:
        omop.dispose()
    assert expected["base"] > 0
    assert got == expected


def test_the_omop_store_is_never_written(both):
    _native, omop_url = both
    file = Path(omop_url.removeprefix(omop_url.split(":///")[0] + ":///"))
    before = hashlib.sha256(file.read_bytes()).hexdigest()
    result = CliRunner().invoke(main, ["count", str(EXAMPLES[0]), "--db", omop_url,
                                       "--source", "omop", "--json"])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(file.read_bytes()).hexdigest() == before
    engine = open_engine(omop_url, read_only=True)
    try:
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM person"))
    finally:
        engine.dispose()


def test_a_native_store_is_not_an_omop_store(both):
    native, _omop_url = both
    with pytest.raises(StoreError, match="not an OMOP CDM store"):
        get_source("omop").require(native)


def test_an_unknown_source_is_refused(monkeypatch):
    monkeypatch.setenv("DART_SOURCE", "fhir; DROP TABLE person")
    with pytest.raises(StoreError, match="unknown source"):
        get_source()


def test_generate_omop_refuses_a_database_with_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'o.db'}"
    runner = CliRunner()
    first = runner.invoke(main, ["generate", "--patients", "20", "--source", "omop",
                                 "--db", url, "--quiet"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["generate", "--patients", "20", "--source", "omop",
                                 "--db", url, "--quiet"])
    assert again.exit_code == 1 and "empty database" in again.output
