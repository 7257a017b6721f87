"""The profile of generated stores: it names exactly the flaws the generator made, and gives
the same figures on SQLite, DuckDB and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.profile import run_profile
from dart.analysis.profile.model import shown as published
from dart.store.engine import create_store, open_engine, store_info
from dart.store.generate import generate


def _generated(path, flaws: bool):
    engine = open_engine(f"duckdb:///{path}")
    create_store(engine)
    generate(engine, 6000, seed=5, progress=False, flaws=flaws)
    return engine


@pytest.fixture(scope="module")
def flawed(tmp_path_factory):
    engine = _generated(tmp_path_factory.mktemp("flawed") / "s.duckdb", True)
    yield engine, json.loads(store_info(engine)["flaws"]), run_profile(engine)
    engine.dispose()


def test_the_profile_names_the_flawed_practices_and_nothing_else(flawed):
    _, flaws, profile = flawed
    stopped = {p["ods_code"] for p in flaws["stopped_practices"]}
    gap = {p["ods_code"] for p in flaws["gap_practices"]}
    assert len(stopped) == 2 and len(gap) == 1
    assert set(profile.check("practices.up_to_standard").items) == stopped | gap
    flagged = {p.ods_code: p.flags for p in profile.practices
               if {"stopped", "gap"} & set(p.flags)}
    assert flagged == {**{s: ("stopped",) for s in stopped}, **{g: ("gap",) for g in gap}}
    no_eth = tuple(p["ods_code"] for p in flaws["no_ethnicity_practices"])
    assert profile.check("practices.ethnicity").items == no_eth


def test_the_profile_names_the_flawed_codes_and_nothing_else(flawed):
    _, flaws, profile = flawed
    assert profile.check("plausibility.range").items == tuple(
        sorted(f["code"] for f in flaws["implausible"]))
    assert profile.check("plausibility.units").items == tuple(
        f["code"] for f in flaws["wrong_unit"])
    by_code = {m.code: m for m in profile.measurements}
    for flaw in flaws["implausible"]:
        assert by_code[flaw["code"]].outside.n == flaw["rows"]
    for flaw in flaws["wrong_unit"]:
        assert by_code[flaw["code"]].units["%"] == flaw["rows"]
    # The generator codes records from the shipped code sets, whose every code is a valid
    # SNOMED CT identifier (tests/unit/store/test_codelists.py): no conformance flaw.
    assert {c.verdict for c in profile.checks if c.domain == "conformance"} == {"pass"}
    assert profile.check("conformance.codes").items == ()


def test_a_clean_store_has_none_of_them(tmp_path):
    engine = _generated(tmp_path / "clean.duckdb", False)
    try:
        profile = run_profile(engine)
        assert "flaws" not in store_info(engine)
    finally:
        engine.dispose()
    for key in ("practices.up_to_standard", "practices.ethnicity", "plausibility.range",
                "plausibility.units", "conformance.codes"):
        assert profile.check(key).items == () and profile.check(key).verdict == "pass"


def test_disclosed_profile_rounds_and_suppresses_every_count(flawed):
    _, _, profile = flawed
    policy = DisclosurePolicy()
    shown = profile.disclosed(policy)
    assert shown.patients == published(policy, profile.patients)
    exact_m = {m.code: m for m in profile.measurements}
    for m in shown.measurements:
        assert m.records == published(policy, exact_m[m.code].records)
        assert "min" not in m.quantiles and "max" not in m.quantiles
        assert all(n is None or n >= 8 for _, n in m.histogram)
    for p in shown.practices:
        assert all(c.records is None or c.records >= 8 for c in p.months)
    assert [c.verdict for c in shown.checks] == [c.verdict for c in profile.checks]
    assert shown.to_json()["disclosure"] == policy.to_json()
    with pytest.raises(TypeError):
        shown.disclosed(policy)


@pytest.fixture(scope="module")
def reference_json(tmp_path_factory):
    engine = open_engine(f"sqlite:///{tmp_path_factory.mktemp('ref') / 'r.db'}")
    create_store(engine)
    generate(engine, 1500, seed=9, progress=False)
    try:
        return run_profile(engine).to_json()
    finally:
        engine.dispose()


def test_same_figures_on_every_engine(store, reference_json):
    generate(store, 1500, seed=9, progress=False)
    assert run_profile(store).to_json() == reference_json
