"""Value atoms: latest, earliest, min, max, mean over observations with a value.

Only rows with a non-null value count; a patient without any: the atom is false (so its
`not` is true). Several values on the latest (earliest) date: the highest of them.
"""

from tests.spec.helpers import spec_test

HBA1C = """
patient
patient_id
1
2
3
4
5
6
7

observation
patient_id | obs_date   | code | value
1          | 2026-01-01 | 2001 | 50
1          | 2025-01-01 | 2001 | 70
2          | 2026-01-01 | 2001 | 50
2          | 2026-01-01 | 2002 | 70
3          | 2026-02-01 | 2001 |
3          | 2026-01-01 | 2001 | 70
4          | 2026-07-01 | 2001 | 70
4          | 2026-01-01 | 2001 | 50
5          | 2026-01-01 | 1001 | 70
6          | 2026-01-01 | 2001 | 58
"""
# 1: latest 50 (the older 70 does not matter). 2: two on the latest date, highest 70.
# 3: the latest row has no value, so the latest value is 70. 4: the 70 is after the index
# date, latest seen is 50. 5: a value on another code set. 6: exactly 58. 7: no records.


def test_latest_value(store):
    spec_test(store, HBA1C, "include latest hba1c > 58", {2, 3})


def test_latest_value_boundary_is_inclusive_for_at_least(store):
    spec_test(store, HBA1C, "include latest hba1c >= 58", {2, 3, 6})


def test_not_latest_is_true_without_a_value(store):
    # 5 and 7 have no hba1c value: `latest hba1c > 58` is false, so its `not` is true.
    spec_test(store, HBA1C, "include not latest hba1c > 58", {1, 4, 5, 6, 7})


def test_latest_in_a_window(store):
    # Within 6 months (from 2025-12-30): 1's latest in window is 50; 3's 70 (2026-01-01).
    spec_test(store, HBA1C, "include latest hba1c within 6 months between 58 and 110",
              {2, 3, 6})


def test_latest_between_is_inclusive_at_both_ends(store):
    spec_test(store, HBA1C, "include latest hba1c between 50 and 58", {1, 4, 6})


def test_latest_equal_and_not_equal(store):
    spec_test(store, HBA1C, "include latest hba1c = 58 or latest hba1c != 50", {2, 3, 6})


def test_earliest_value(store):
    # Earliest with a value: 1 → 70 (2025), 2 → 70 (tie, highest), 3 → 70, 4 → 50, 6 → 58.
    spec_test(store, HBA1C, "include earliest hba1c >= 60", {1, 2, 3})


SERIES = """
patient
patient_id
1
2
3

observation
patient_id | obs_date   | code | value
1          | 2026-01-01 | 2001 | 40
1          | 2026-02-01 | 2001 | 60
1          | 2026-03-01 | 2001 | 80
1          | 2026-03-02 | 2001 |
1          | 2020-01-01 | 2001 | 10
2          | 2026-01-01 | 2001 | 61
2          | 2026-07-01 | 2001 | 5
"""
# Within 12 months: 1 has 40, 60, 80 (the 10 is older, the null is ignored); 2 has 61 (the
# 5 is after the index date); 3 has nothing.


def test_min(store):
    spec_test(store, SERIES, "include min hba1c within 12 months < 50", {1})


def test_min_ever_includes_older_values(store):
    spec_test(store, SERIES, "include min hba1c <= 10", {1})


def test_max(store):
    spec_test(store, SERIES, "include max hba1c within 12 months > 70", {1})


def test_mean(store):
    # 1: (40 + 60 + 80) / 3 = 60 exactly; 2: 61.
    spec_test(store, SERIES, "include mean hba1c within 12 months = 60", {1})


def test_mean_between(store):
    spec_test(store, SERIES, "include mean hba1c within 12 months between 60.5 and 61.5", {2})


def test_aggregates_are_false_without_values(store):
    spec_test(store, SERIES, "include not max hba1c within 12 months > 0", {3})


def test_decimal_thresholds(store):
    tables = """
patient
patient_id
1
2

observation
patient_id | obs_date   | code | value
1          | 2026-01-01 | 2101 | 29.9
2          | 2026-01-01 | 2101 | 30.0
"""
    spec_test(store, tables, "include latest egfr within 12 months < 30", {1})
