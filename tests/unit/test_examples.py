"""Every shipped example criteria file parses and checks against the shipped library."""

from __future__ import annotations

from pathlib import Path

import pytest

from criteria_grammar import check, parse
from dart.store.codelists import load_library

CRITERIA_DIR = Path(__file__).resolve().parents[2] / "sample_data" / "criteria"
FILES = sorted(CRITERIA_DIR.glob("*.criteria"))


def test_there_are_enough_examples():
    assert len(FILES) >= 11


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_parses_and_checks(path, library):
    criteria = parse(path.read_text(encoding="utf-8"), filename=path.name)
    check(criteria, library)
    assert criteria.study, "every example names its study"
    assert criteria.rules and any(r.kind == "include" for r in criteria.rules)
    for rule in criteria.rules:
        assert rule.label != rule.source, f"{path.name}: label every rule"
