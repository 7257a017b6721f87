"""Conformance checks on hand-built stores, on every engine: each fault is planted once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dart.analysis.profile import run_profile
from dart.analysis.profile.conformance import nhs_number_valid, valid_code
from dart.store.codelists import CodelistLibrary
from tests.support.tables import load_tables, nhs_number

EMPTY = CodelistLibrary({})
# 44054006 (type 2 diabetes) and 325278007 (a dm+d VMP) are valid; 44054007 changes the
# check digit; 0044054006 has a leading zero; 4405400x is not digits.
CLEAN = """
patient
patient_id | date_of_birth | date_of_death
1          | 1960-01-01    |
2          | 1970-01-01    | 2025-01-01

observation
patient_id | obs_date   | code     | value | unit
1          | 2020-01-01 | 44054006 |       |
2          | 2024-01-01 | 44054006 |       |

prescription
patient_id | issue_date | code
1          | 2026-01-01 | 325278007
"""


def test_a_clean_store_passes_every_conformance_check(store):
    load_tables(store, CLEAN)
    profile = run_profile(store, EMPTY)
    verdicts = {c.key: c.verdict for c in profile.checks if c.domain == "conformance"}
    assert set(verdicts.values()) == {"pass"}, verdicts
    assert len(verdicts) == 8


FAULTY = """
practice
practice_id | ods_code | name | region | nation
1           | T00001   | One  | London | England

patient
patient_id | practice_id | date_of_birth | date_of_death | nhs_number
1          | 1           | 1960-01-01    |               | 9990000018
2          | 1           | 1970-01-01    | 2025-01-01    | 9990000026
3          | 7           | 1980-01-01    |               | 999000003X
4          | 1           | 2027-01-01    |               | 9990000043

observation
patient_id | obs_date   | code       | value | unit
1          | 2020-01-01 | 44054006   |       |
1          | 2026-07-01 | 44054006   |       |
1          | 1959-12-31 | 44054007   |       |
2          | 2025-01-02 | 0044054006 |       |
99         | 2020-01-01 | 4405400x   |       |

prescription
patient_id | issue_date | code
1          | 2026-01-01 | 325278007
2          | 2025-06-01 | 325278007
"""


def test_each_planted_fault_is_counted_once(store):
    load_tables(store, FAULTY)
    profile = run_profile(store, EMPTY)
    c = profile.conformance
    assert {(x.table, x.code, x.records) for x in c.invalid_codes} == {
        ("observation", "44054007", 1), ("observation", "0044054006", 1),
        ("observation", "4405400x", 1)}
    assert (c.codes_checked.n, c.codes_checked.of) == (3, 5)
    # 9990000018 and 9990000026 are valid; 999000003X is not digits; 9990000043 has
    # a wrong check digit (the right one is 2: 9*10+9*9+9*8+4*2 = 251, 11 - 251 % 11 = 2).
    assert (c.nhs_number.n, c.nhs_number.of) == (2, 4)
    assert (c.dates["observation.future"].n, c.dates["observation.future"].of) == (1, 5)
    assert c.dates["observation.before_birth"].n == 1
    assert c.dates["observation.after_death"].n == 1
    assert c.dates["prescription.after_death"].n == 1
    assert c.dates["prescription.future"].n == 0
    assert c.dates["patient.birth_future"].n == 1
    assert c.orphans["observation.unknown_patient"].n == 1
    assert c.orphans["prescription.unknown_patient"].n == 0
    assert c.orphans["patient.unknown_practice"].n == 1
    verdicts = {x.key: x.verdict for x in profile.checks}
    assert verdicts["conformance.codes"] == "fail"  # 3 of 7 records
    assert profile.check("conformance.codes").items == ("0044054006", "44054007", "4405400x")
    assert verdicts["conformance.orphan_patients"] == "fail"
    assert verdicts["conformance.schema"] == "pass"


def test_nhs_check_in_sql_matches_the_generators_python_check(store):
    from dart.store.generate.nhs import is_valid

    numbers = [nhs_number(i) for i in range(1, 40)] + [
        "9990000043", "999000004", "99900000431", "abcdefghij", "4010232137", "4010232138"]
    table = sa.table("probe", sa.column("n", sa.Text))
    with store.begin() as conn:
        conn.execute(sa.text("CREATE TABLE probe (n TEXT)"))
        conn.execute(table.insert(), [{"n": n} for n in numbers])
        got = dict(conn.execute(sa.select(table.c.n, sa.case(
            (nhs_number_valid(table.c.n), True), else_=False))).all())
    assert {n: bool(v) for n, v in got.items()} == {n: is_valid(n) for n in numbers}
    assert not got["9990000043"] and got[nhs_number(5)]


@pytest.mark.parametrize("code,valid", [
    ("44054006", True), ("999791000000106", True), ("1011481000000105", True),
    ("44054007", False), ("0044054006", False), ("12345", False), ("", False),
    ("4405400x", False), ("44054016", False),  # partition 01 is a description id
])
def test_code_validity(code, valid):
    assert valid_code(code) is valid


def test_a_store_missing_a_column_cannot_be_profiled(store):
    from dart.analysis.profile import ProfileError

    with store.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_observation_code"))  # DuckDB: index first
        conn.execute(sa.text("ALTER TABLE observation DROP COLUMN unit"))
    with pytest.raises(ProfileError, match="observation.unit: column missing"):
        run_profile(store, EMPTY)


def test_a_column_of_the_wrong_type_fails_the_schema_check(store):
    with store.begin() as conn:
        conn.execute(sa.text("DROP TABLE observation"))
        conn.execute(sa.text("CREATE TABLE observation (patient_id INTEGER NOT NULL, "
                             "obs_date DATE NOT NULL, code TEXT NOT NULL, value TEXT, "
                             "unit TEXT)"))
    from dart.analysis.profile import ProfileError

    load_tables(store, "patient\npatient_id\n1")
    with pytest.raises(ProfileError, match=r"observation.value: type text, want number$"):
        run_profile(store, EMPTY)
