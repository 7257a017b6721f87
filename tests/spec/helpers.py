"""The spec-test harness: a tiny store as text tables, criteria as text, expected ids by hand.

    spec_test(store, '''
        patient
        patient_id | date_of_birth
        1          | 1960-05-01
    ''', 'include age >= 60', {1})

runs on every engine the ``store`` fixture gives (SQLite, DuckDB, PostgreSQL). Criteria are
written as the language's text (parsed with ``criteria_grammar.parse``), so each test reads as
the language reference; ``CODELISTS`` gives every test the same inline code sets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest
import sqlalchemy as sa

from criteria_grammar import nodes
from dart.compiler import compile_criteria, resolve_index_date
from dart.store.codelists import Codelist, CodelistLibrary
from tests.support.reference import evaluate
from tests.support.tables import filled_tables, load_tables

# Codes are short fake ids: readable in the tables, and no clash between code sets except
# where a test wants one (smoking_current is a subset of smoking_status).
CODELISTS = """
codelist t2dm = snomed("1001", "1002")
codelist t1dm = snomed("1101")
codelist hba1c = snomed("2001", "2002") unit "mmol/mol"
codelist egfr = snomed("2101") unit "mL/min/1.73m2"
codelist smoking_status = snomed("3001", "3002", "3003")
codelist smoking_current = snomed("3001")
codelist metformin = dmd("5001", "5002")
codelist insulin = dmd("5101")
"""

EMPTY_LIBRARY = CodelistLibrary({})


def parse_criteria(text: str, library: Mapping[str, Codelist] = EMPTY_LIBRARY) -> nodes.Criteria:
    """Parse (and check) criteria text; skip the test until the parser exists."""
    try:
        from criteria_grammar import check, parse
    except ImportError:
        pytest.skip("criteria_grammar.parse is not available yet")
    criteria = parse(text, "<spec>")
    check(criteria, library)
    return criteria


def run(store: sa.Engine, tables: str, criteria: str | nodes.Criteria,
        library: Mapping[str, Codelist] = EMPTY_LIBRARY,
        with_codelists: bool = True) -> list[dict]:
    """Load ``tables``, compile ``criteria`` (text gets ``CODELISTS`` prepended), run it.

    The reference evaluator (``tests.support.reference``) reads the same tables and must
    return the same flags for every base patient: each engine is compared with an
    independent reading of the language, not only with the other engines.
    """
    load_tables(store, tables)
    if isinstance(criteria, str):
        text = (CODELISTS + "\n" if with_codelists else "") + criteria
        criteria = parse_criteria(text, library)
    index = resolve_index_date(criteria, store)
    compiled = compile_criteria(criteria, library, index)
    with store.connect() as conn:
        rows = [dict(r) for r in conn.execute(compiled.patient_rules).mappings()]
    assert_reference_agrees(rows, filled_tables(tables), criteria, library, index)
    return rows


def assert_reference_agrees(rows: list[dict], tables: Mapping[str, list[dict]],
                            criteria: nodes.Criteria, library: Mapping[str, Codelist],
                            index: dt.date) -> None:
    """The engine's ``patient_rules`` rows hold the reference evaluator's flags."""
    want = evaluate(criteria, tables, library, index)
    keys = list(want[0]) if want else ["patient_id"]
    got = sorted(({k: r[k] for k in keys} for r in rows), key=lambda r: r["patient_id"])
    assert got == want, "the engine and the reference evaluator disagree"


def spec_test(store: sa.Engine, tables: str, criteria: str | nodes.Criteria,
              expected: set[int], *, base: set[int] | None = None,
              rules: Mapping[int, set[int]] | None = None,
              population: set[int] | None = None,
              library: Mapping[str, Codelist] = EMPTY_LIBRARY) -> list[dict]:
    """Assert the eligible ids (and optionally base ids, per-rule passes, population)."""
    rows = run(store, tables, criteria, library)
    ids = [r["patient_id"] for r in rows]
    assert len(ids) == len(set(ids)), "one row per base patient"
    for r in rows:  # every flag is an integer 0/1 on every engine
        for key, value in r.items():
            if key.startswith(("rule_", "cond_")) or key in ("eligible", "in_population"):
                assert value in (0, 1) and not isinstance(value, bool), (key, value)
    assert {r["patient_id"] for r in rows if r["eligible"] == 1} == expected
    if base is not None:
        assert set(ids) == base
    for i, passing in (rules or {}).items():
        assert {r["patient_id"] for r in rows if r[f"rule_{i}"] == 1} == passing, f"rule_{i}"
    if population is not None:
        assert {r["patient_id"] for r in rows if r["in_population"] == 1} == population
    return rows


def patients(*ids: int) -> str:
    """A patient table of default patients (born 1970-01-01, registered, alive)."""
    return "patient\npatient_id\n" + "\n".join(str(i) for i in ids) + "\n"


INDEX = dt.date(2026, 6, 30)  # the text tables' extract date, the default index date
