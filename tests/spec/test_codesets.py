"""Code-set atoms: has, count of, first, latest code of; which table a code set reads."""

from dart.store.codelists import Codelist, CodelistLibrary
from tests.spec.helpers import run, spec_test

T2DM = """
patient
patient_id
1
2
3
4

observation
patient_id | obs_date   | code
1          | 2020-01-01 | 1001
2          | 2020-01-01 | 1002
3          | 2020-01-01 | 1101
"""


def test_has_matches_any_code_of_the_set(store):
    # 1 and 2 have one code each; 3 has another set's code; 4 has no records.
    spec_test(store, T2DM, "include has t2dm", {1, 2})


def test_not_has_is_true_without_records(store):
    spec_test(store, T2DM, "include not has t2dm", {3, 4})


def test_exclude_has(store):
    spec_test(store, T2DM, "exclude has t2dm", {3, 4}, rules={0: {3, 4}})


def test_dmd_code_sets_read_prescriptions_only(store):
    tables = """
patient
patient_id
1
2

prescription
patient_id | issue_date | code
1          | 2026-06-01 | 5001

observation
patient_id | obs_date   | code
2          | 2026-06-01 | 5001
"""
    # 2's row has a metformin code but in `observation`: dm+d sets match prescriptions.
    spec_test(store, tables, "include has metformin", {1})


COUNTS = """
patient
patient_id
1
2
3
4

prescription
patient_id | issue_date | code
1          | 2026-06-01 | 5001
1          | 2026-06-01 | 5001
2          | 2026-06-01 | 5002
2          | 2025-06-01 | 5001
3          | 2026-05-01 | 5001
3          | 2026-04-01 | 5002
3          | 2026-03-01 | 5001
"""
# Within 6 months of 2026-06-30 (from 2025-12-30): 1 has 2 rows (same day: rows are
# counted, not days), 2 has 1 (the other is older), 3 has 3, 4 has none.


def test_count_of_counts_rows(store):
    spec_test(store, COUNTS, "include count of metformin within 6 months >= 2", {1, 3})


def test_count_of_zero_for_no_records(store):
    # 4 has no rows at all: its count is 0, so `< 2` holds.
    spec_test(store, COUNTS, "include count of metformin within 6 months < 2", {2, 4})


def test_count_of_equal_and_between(store):
    spec_test(store, COUNTS,
              "include count of metformin = 0 or count of metformin within 6 months "
              "between 3 and 3", {3, 4})


FIRSTS = """
patient
patient_id
1
2
3
4
5
6

observation
patient_id | obs_date   | code
1          | 2025-10-01 | 1001
2          | 2020-01-01 | 1001
2          | 2026-01-01 | 1002
3          | 2026-07-01 | 1001
4          | 2025-06-30 | 1001
5          | 2026-07-01 | 1001
5          | 2026-01-01 | 1001
"""


def test_first_is_the_first_record_ever(store):
    # Within 12 months (from 2025-06-30): 1 first 2025-10-01; 2 has a recent record but its
    # first was in 2020; 3's only record is after the index date (never seen); 4's first is
    # on the window's edge; 5's record after the index date is not its first seen; 6 none.
    spec_test(store, FIRSTS, "include first t2dm within 12 months", {1, 4, 5})


def test_first_more_than_ago(store):
    spec_test(store, FIRSTS, "include first t2dm more than 12 months ago", {2})


SMOKING = """
patient
patient_id
1
2
3
4
5

observation
patient_id | obs_date   | code
1          | 2026-01-01 | 3001
1          | 2020-01-01 | 3002
2          | 2026-01-01 | 3002
2          | 2020-01-01 | 3001
3          | 2026-01-01 | 3002
3          | 2026-01-01 | 3001
4          | 2020-01-01 | 3001
4          | 2026-07-01 | 3002
"""


def test_latest_code_of(store):
    # 1: latest is current. 2: was current, latest is not. 3: two codes on the latest date,
    # one current: any counts. 4: the later ex-smoker code is after the index date. 5: none.
    spec_test(store, SMOKING, "include latest code of smoking_status in smoking_current",
              {1, 3, 4})


def test_latest_code_of_in_a_window(store):
    # 4 has no smoking record in the window (2020 is too old, 2026-07-01 unseen): false.
    spec_test(store, SMOKING,
              "include latest code of smoking_status within 12 months in smoking_current",
              {1, 3})


def test_not_latest_code_of_is_true_without_records(store):
    spec_test(store, SMOKING,
              "include not latest code of smoking_status in smoking_current", {2, 5})


LIBRARY = CodelistLibrary({
    "asthma": Codelist("asthma", "snomed", ("7001",)),
    "t2dm": Codelist("t2dm", "snomed", ("9999",)),
})


def test_library_code_sets_and_inline_shadowing(store):
    tables = """
patient
patient_id
1
2
3

observation
patient_id | obs_date   | code
1          | 2020-01-01 | 7001
2          | 2020-01-01 | 9999
3          | 2020-01-01 | 1001
"""
    # asthma comes from the library; the file's inline t2dm (1001, 1002) shadows the
    # library's t2dm (9999), so 2 does not have t2dm and 3 does.
    rows = run(store, tables, "include has asthma or has t2dm", LIBRARY)
    assert {r["patient_id"] for r in rows if r["eligible"]} == {1, 3}
