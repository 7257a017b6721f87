"""Several code sets read together: the compiler reads each table ONCE per file.

Every code set of a file shares one read of ``observation`` (or ``prescription``), each
atom a bit of a mask aggregated over it, latest/earliest values included
(dart/compiler/codesets.py). These cases pin down what that sharing must not change: a code
in two sets counts for both, windows and dates stay per atom, and a patient whose rows are
all outside every window is treated as one without records.
"""

from tests.spec.helpers import spec_test

OVERLAP = """
patient
patient_id
1
2
3
4

observation
patient_id | obs_date   | code
1          | 2026-01-01 | 3001
1          | 2026-02-01 | 3002
2          | 2026-01-01 | 3001
3          | 2026-01-01 | 3002
3          | 2026-02-01 | 3003
"""
# smoking_current (3001) is a subset of smoking_status (3001-3003).


def test_a_code_in_two_sets_counts_for_both(store):
    # 1: current, and two status rows (3001 counts for both sets). 2: one status row only.
    # 3: two status rows, none current. 4: nothing.
    spec_test(store, OVERLAP,
              "include has smoking_current\ninclude count of smoking_status >= 2", {1},
              rules={0: {1, 2}, 1: {1, 3}})


def test_latest_code_among_overlapping_sets(store):
    # Latest status row: 1 -> 3002 (not current), 2 -> 3001 (current), 3 -> 3003.
    spec_test(store, OVERLAP,
              "include latest code of smoking_status in smoking_current\n"
              "include has smoking_current", {2}, rules={0: {2}, 1: {1, 2}})


OUTSIDE = """
patient
patient_id
1
2
3

observation
patient_id | obs_date   | code | value
1          | 2020-01-01 | 1001 |
1          | 2020-01-01 | 2001 | 70
2          | 2026-06-01 | 1001 |
2          | 2026-06-01 | 2001 | 70
"""
# 1 has rows of both sets, all years before any window; 3 has no rows at all.


def test_rows_only_outside_every_window_are_like_no_rows(store):
    text = ("include not has t2dm within 6 months\n"
            "include count of t2dm within 6 months = 0\n"
            "include not latest hba1c within 6 months > 58\n"
            "include not min hba1c within 6 months > 0\n"
            "include not mean hba1c within 6 months > 0")
    spec_test(store, OUTSIDE, text, {1, 3},
              rules={i: {1, 3} for i in range(5)})


def test_same_rows_inside_one_window_and_outside_another(store):
    # 1's rows are ever-rows but outside `within 6 months`; 2's are inside both.
    spec_test(store, OUTSIDE,
              "include has t2dm\ninclude not latest hba1c within 6 months > 58", {1},
              rules={0: {1, 2}, 1: {1, 3}})


SAME_SET = """
patient
patient_id
1
2
3

observation
patient_id | obs_date   | code | value
1          | 2026-01-01 | 2001 | 70
1          | 2026-06-15 | 2001 |
2          | 2026-01-01 | 2001 | 70
3          | 2026-01-01 | 2001 | 70
3          | 2026-06-20 | 2002 | 50
"""


def test_value_atom_and_has_atom_on_one_set_with_different_windows(store):
    # has within 1 month (from 2026-05-30): 1 (a row without a value counts), 3.
    # latest value within 12 months > 58: 1 (its latest row has no value: 70), 2; 3's is 50.
    spec_test(store, SAME_SET,
              "include has hba1c within 1 month\n"
              "include latest hba1c within 12 months > 58", {1},
              rules={0: {1, 3}, 1: {1, 2}})


def test_latest_and_earliest_of_one_set_in_one_file(store):
    # earliest: 70 for everyone; latest with a value: 1 -> 70, 2 -> 70, 3 -> 50.
    spec_test(store, SAME_SET,
              "include earliest hba1c > 58\ninclude latest hba1c within 1 month < 58", {3},
              rules={0: {1, 2, 3}, 1: {3}})


TWO_VALUE_SETS = """
patient
patient_id
1
2

observation
patient_id | obs_date   | code | value
1          | 2026-01-01 | 2001 | 70
1          | 2025-12-01 | 2001 | 40
1          | 2025-12-01 | 2101 | 20
2          | 2026-01-01 | 2101 | 20
2          | 2025-12-01 | 2001 | 70
2          | 2026-01-01 | 3001 |
"""


def test_each_value_set_uses_its_own_latest_date(store):
    # 1: latest hba1c is 70 (2026-01-01), though egfr's latest date holds an hba1c of 40.
    # 2: latest hba1c is 70 (2025-12-01), though egfr's latest date is later.
    spec_test(store, TWO_VALUE_SETS,
              "include latest hba1c > 58\ninclude latest egfr < 30\n"
              "include not has smoking_status within 1 month", {1, 2})
