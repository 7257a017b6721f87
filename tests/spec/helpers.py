"""The spec-test harness: a tiny store as text tables, criteria as text, expected ids by hand.

    spec_test(store, '''
        patient
        patient_id | date_of_birth
        1          | 1960-05-01
    ''', 'include age >= 60', {1})

runs on every engine the ``store`` fixture gives (SQLite, DuckDB, PostgreSQL). Blocks of
DART's own tables (``recruitment_status``) go to the test's application database, apart from
the store, and the query is sent their rows as bound values, as DART runs it
(``dart.recruitment.invitations.with_invitations``). Criteria are
written as the language's text (parsed with ``criteria_grammar.parse``), so each test reads as
the language reference; ``CODELISTS`` gives every test the same inline code sets.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

import sqlalchemy as sa

from criteria_grammar import check, nodes, parse
from dart.compiler import compile_criteria, resolve_index_date
from dart.recruitment.invitations import with_invitations
from dart.sources import Source
from dart.sources.native import NATIVE
from dart.store.app_db import open_app_db
from dart.store.codelists import Codelist, CodelistLibrary
from tests.support.reference import evaluate
from tests.support.tables import EXTRACT_DATE, load_app_tables, load_tables, parse_tables

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
    """Parse and check criteria text."""
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
    written = load_tables(store, tables)
    if isinstance(criteria, str):
        text = (CODELISTS + "\n" if with_codelists else "") + criteria
        criteria = parse_criteria(text, library)
    index = resolve_index_date(criteria, store)
    compiled = compile_criteria(criteria, library, index, with_app_tables(NATIVE, written))
    with store.connect() as conn:
        rows = [dict(r) for r in conn.execute(compiled.patient_rules).mappings()]
    assert_reference_agrees(rows, written, criteria, library, index)
    return rows


def with_app_tables(source: Source, tables: Mapping[str, list[dict]]) -> Source:
    """``source`` sent the application database's rows, once the tables' own are written to
    the test's application database (``DART_APP_DATABASE_URL``, a fresh one per test); as is
    when the tables have none."""
    if "recruitment_status" not in tables:
        return source
    app = open_app_db(os.environ["DART_APP_DATABASE_URL"])
    load_app_tables(app, dict(tables))
    return with_invitations(source, app)


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
    parsed = parse_tables(tables)
    if representable_in_omop(parsed):
        same_on_omop(store, criteria, library, rows,
                     "recruitment_status" in parsed)
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


def representable_in_omop(tables: dict[str, list[dict]]) -> bool:
    """Whether an OMOP CDM can hold these records with the same meaning: it holds no
    invitations, and an observation period ending on the extract date means "still
    registered", so a departure on or after the extract date cannot be written."""
    extract = dt.date.fromisoformat(EXTRACT_DATE)
    departed = [r.get("registration_end") for r in tables.get("patient", [])]
    return "invitation" not in tables and not any(d and d >= extract for d in departed)


def same_on_omop(store: sa.Engine, criteria: str | nodes.Criteria,
                 library: Mapping[str, Codelist], native_rows: list[dict],
                 with_app: bool = False) -> None:
    """The store's records copied into an OMOP CDM store give the same patients, flags
    (``with_app``: sent the application database's rows, already written, as the native
    store was)."""
    from dart.sources.omop import OMOP
    from tests.support.omop_copy import copy_to_omop

    if isinstance(criteria, str):
        criteria = parse_criteria(CODELISTS + "\n" + criteria, library)
    omop = copy_to_omop(store)
    try:
        index = resolve_index_date(criteria, store)  # the native store's, as the test's
        source = with_invitations(OMOP, open_app_db(os.environ["DART_APP_DATABASE_URL"])) \
            if with_app else OMOP
        compiled = compile_criteria(criteria, library, index, source)
        with omop.connect() as conn:
            rows = [dict(r) for r in conn.execute(compiled.patient_rules).mappings()]
    finally:
        if omop is not store and omop.dialect.name != "postgresql":
            omop.dispose()
    flags = [k for k in native_rows[0] if k.startswith(("rule_", "cond_"))] if native_rows \
        else []
    def key(r: dict) -> tuple:
        return (r["patient_id"], r["eligible"], r["in_population"], *(r[f] for f in flags))
    assert sorted(map(key, rows)) == sorted(map(key, native_rows)), "same on OMOP"


def patients(*ids: int) -> str:
    """A patient table of default patients (born 1970-01-01, registered, alive)."""
    return "patient\npatient_id\n" + "\n".join(str(i) for i in ids) + "\n"


INDEX = dt.date(2026, 6, 30)  # the text tables' extract date, the default index date
