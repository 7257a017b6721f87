"""An OMOP CDM store generated from a seed gives the native store's results, read only."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from dart.analysis.feasibility import run_feasibility
from dart.cli import main
from dart.sources import get_source
from dart.sources.omop_generate import generate_omop
from dart.store.engine import StoreError, create_store, normalise_url, open_engine
from dart.store.generate import generate
from tests.support.engines import PG_ENV

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_data" / "criteria")
                  .glob("*.criteria"))
SEED, PATIENTS = 11, 600


@contextmanager
def databases(kind: str, folder: Path) -> Iterator[tuple[str, str]]:
    """URLs of two empty databases (native, OMOP) on ``kind``: both stores have an
    ``observation`` table, so they cannot share one. PostgreSQL: two made for the test."""
    if kind != "postgresql":
        ext = "db" if kind == "sqlite" else "duckdb"
        yield f"{kind}:///{folder / f'native.{ext}'}", f"{kind}:///{folder / f'omop.{ext}'}"
        return
    if not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    server = normalise_url(os.environ[PG_ENV])
    names = [f"dart_{role}_{uuid.uuid4().hex[:8]}" for role in ("native", "omop")]
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield tuple(server.set(database=n).render_as_string(hide_password=False)
                    for n in names)
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "duckdb", "postgresql"])
def both(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"omop_{request.param}")
    with databases(request.param, folder) as (native_url, omop_url):
        native = open_engine(native_url)
        create_store(native)
        generate(native, PATIENTS, seed=SEED, progress=False)
        omop = open_engine(omop_url)
        generate_omop(omop, PATIENTS, seed=SEED, progress=False)
        omop.dispose()
        yield native, omop_url
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
    # Opted-out patients are removed before data reach a CDM: only the native store can
    # say how many there were; everything else is the same.
    assert got.pop("opt_outs") == 0 and expected.pop("opt_outs") > 0
    assert got == expected


def test_the_omop_store_is_never_written(both):
    _native, omop_url = both
    on_file = not omop_url.startswith("postgresql")
    file = Path(omop_url.split(":///", 1)[1]) if on_file else None
    before = hashlib.sha256(file.read_bytes()).hexdigest() if on_file else None
    result = CliRunner().invoke(main, ["count", str(EXAMPLES[0]), "--db", omop_url,
                                       "--source", "omop", "--json"])
    assert result.exit_code == 0, result.output
    if on_file:
        assert hashlib.sha256(file.read_bytes()).hexdigest() == before
    engine = open_engine(omop_url, read_only=True)
    try:
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM person"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM person")).scalar() > 0
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


def test_check_warns_about_codes_without_a_concept(both, tmp_path):
    _native, omop_url = both
    engine = open_engine(omop_url, read_only=True)
    with engine.connect() as conn:
        known = conn.execute(sa.text(
            "SELECT concept_code FROM concept WHERE vocabulary_id = 'SNOMED' "
            "ORDER BY concept_code LIMIT 1")).scalar()
    engine.dispose()
    file = tmp_path / "gaps.criteria"
    file.write_text(f'codelist partly = snomed("{known}", "990000001", "990000002")\n'
                    f'codelist whole = snomed("{known}")\n'
                    "include has partly\ninclude has whole\n")
    result = CliRunner().invoke(main, ["check", str(file), "--db", omop_url,
                                       "--source", "omop"])
    assert result.exit_code == 0, result.output
    assert "code set partly: 2 of 3 codes have no concept" in result.output
    assert "code set whole" not in result.output
