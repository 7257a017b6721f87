"""Completeness and plausibility on hand-built stores, on every engine."""

from __future__ import annotations

from dart.analysis.profile import run_profile
from dart.store.codelists import Codelist, CodelistLibrary
from tests.support.tables import load_tables

# Extract date 2026-06-30: "the last year" is after 2025-06-30.
PEOPLE = """
patient
patient_id | ethnicity | imd_quintile | registration_end
1          | white     | 1            |
2          | unknown   | 2            |
3          | asian     |              |
4          | black     |              | 2024-01-01

observation
patient_id | obs_date   | code     | value | unit
1          | 2026-01-01 | 44054006 |       |
2          | 2025-06-30 | 44054006 |       |
4          | 2023-01-01 | 44054006 |       |
"""


def test_completeness_shares(store):
    load_tables(store, PEOPLE)
    c = run_profile(store, CodelistLibrary({})).completeness
    assert (c.ethnicity.n, c.ethnicity.of) == (3, 4)
    assert (c.imd.n, c.imd.of) == (2, 4)
    assert (c.any_record.n, c.any_record.of) == (3, 4)
    # Of the three registered on the extract date only patient 1 has a record after
    # 2025-06-30 (patient 2's is on the boundary day, a year and a day before).
    assert (c.recent_record.n, c.recent_record.of) == (1, 3)


HBA1C = Codelist("hba1c", "snomed", ("999791000000106",), "mmol/mol")
LIBRARY = CodelistLibrary({"hba1c": HBA1C})
VALUES = """
patient
patient_id
1

observation
patient_id | obs_date   | code            | value | unit
1          | 2026-01-01 | 999791000000106 | 40    | mmol/mol
1          | 2026-01-02 | 999791000000106 | 50    | mmol/mol
1          | 2026-01-03 | 999791000000106 | 50    | mmol/mol
1          | 2026-01-04 | 999791000000106 | 60    | mmol/mol
1          | 2026-01-05 | 999791000000106 | 500   | mmol/mol
1          | 2026-01-06 | 999791000000106 | 7.5   | %
1          | 2026-01-07 | 72313002        | 120   | mmHg
"""


def test_plausibility_per_code(store):
    load_tables(store, VALUES)
    profile = run_profile(store, LIBRARY)
    by_code = {m.code: m for m in profile.measurements}
    hba1c = by_code["999791000000106"]
    assert hba1c.records == 6 and hba1c.units == {"mmol/mol": 5, "%": 1}
    assert (hba1c.wrong_unit.n, hba1c.wrong_unit.of) == (1, 6)
    # The range (20-195 mmol/mol, shipped) applies to the five rows in mmol/mol.
    assert (hba1c.plausible.low, hba1c.plausible.high) == (20, 195)
    assert (hba1c.outside.n, hba1c.outside.of) == (1, 5)
    # Nearest rank over 40, 50, 50, 60, 500: the median is the 3rd value.
    assert hba1c.quantiles["p50"] == 50 and hba1c.quantiles["min"] == 40
    assert hba1c.quantiles["max"] == 500 and hba1c.quantiles["p25"] == 50
    assert sum(n for _, n in hba1c.histogram) == 4  # the in-range rows
    # A code in no code set: no unit to compare with, no range.
    bp = by_code["72313002"]
    assert bp.codelist is None and bp.outside is None and bp.wrong_unit.n == 0
    checks = {c.key: c for c in profile.checks}
    assert checks["plausibility.range"].items == ("999791000000106",)
    assert checks["plausibility.range"].verdict == "fail"  # 20% of its values
    assert checks["plausibility.units"].items == ("999791000000106",)


def test_clean_values_pass(store):
    load_tables(store, "\n".join(VALUES.strip().splitlines()[:-3]))
    profile = run_profile(store, LIBRARY)
    checks = {c.key: c for c in profile.checks}
    assert checks["plausibility.range"].verdict == "pass"
    assert checks["plausibility.units"].verdict == "pass"
    assert checks["plausibility.range"].items == ()
