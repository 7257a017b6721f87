"""Spec tests on an OMOP CDM store: the same criteria text, the OMOP mapping's data."""

from __future__ import annotations

import sqlalchemy as sa

from dart.compiler import compile_criteria, resolve_index_date
from dart.sources.omop import OMOP, OmopSource
from tests.spec.helpers import CODELISTS, EMPTY_LIBRARY, parse_criteria
from tests.support.omop_tables import load_omop

CONCEPTS = """
concept
concept_id | concept_code | vocabulary_id
11         | 1001         | SNOMED
12         | 1002         | SNOMED
21         | 2001         | SNOMED
31         | 3001         | SNOMED
32         | 3002         | SNOMED
51         | 5001         | dm+d
61         | 1001         | Read
"""
"""The concepts of the spec code sets' codes (61: code 1001 of another vocabulary)."""


def omop_rows(engine: sa.Engine, tables: str, criteria: str,
              source: OmopSource = OMOP, concepts: str = CONCEPTS) -> list[dict]:
    """Load ``tables`` (with ``concepts``) as an OMOP store, run ``criteria`` on it."""
    load_omop(engine, concepts + "\n" + tables)
    parsed = parse_criteria(CODELISTS + "\n" + criteria, EMPTY_LIBRARY)
    index = resolve_index_date(parsed, engine, source)
    compiled = compile_criteria(parsed, EMPTY_LIBRARY, index, source)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(compiled.patient_rules).mappings()]


def omop_test(engine: sa.Engine, tables: str, criteria: str, expected: set[int], *,
              base: set[int] | None = None, **kw) -> list[dict]:
    """Assert the eligible ids (and optionally the base ids) on the OMOP store."""
    rows = omop_rows(engine, tables, criteria, **kw)
    ids = [r["patient_id"] for r in rows]
    assert len(ids) == len(set(ids)), "one row per base patient"
    assert {r["patient_id"] for r in rows if r["eligible"] == 1} == expected
    if base is not None:
        assert set(ids) == base
    return rows
