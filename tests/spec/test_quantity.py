"""`total quantity of CODESET [WINDOW] CMP N`: the sum of the prescriptions' quantities in
the window; a row without a quantity adds nothing; no rows: 0. dm+d code sets only."""

from tests.spec.helpers import spec_test

ISSUES = """
patient
patient_id
1
2
3
4
5
6
7

prescription
patient_id | issue_date | code | quantity
1          | 2026-01-01 | 5001 | 5
1          | 2025-06-30 | 5002 | 6
2          | 2026-01-01 | 5001 | 6
2          | 2026-06-30 | 5001 | 6
3          | 2026-01-01 | 5001 | 6
3          | 2025-06-29 | 5001 | 10
4          | 2026-01-01 | 5001 |
4          | 2026-01-02 | 5001 | 5
6          | 2026-07-01 | 5001 | 20
6          | 2026-01-01 | 5001 | 1
7          | 2026-01-01 | 5101 | 100
"""
# Within 12 months of 2026-06-30 (from 2025-06-30): 1 has 5 + 6 = 11 (one on the window's
# first day), 2 has 12 (one on the index date), 3 has 6 (its 10 is a day too early), 4 has 5
# (one row without a quantity), 5 has no rows (0), 6 has 1 (its 20 is after the index
# date), 7 has 0 (insulin is another code set).


def test_total_quantity_at_most(store):
    spec_test(store, ISSUES, "include total quantity of metformin within 12 months <= 11",
              {1, 3, 4, 5, 6, 7})


def test_total_quantity_at_least(store):
    spec_test(store, ISSUES, "include total quantity of metformin within 12 months >= 11",
              {1, 2})


def test_total_quantity_between(store):
    spec_test(store, ISSUES, "include total quantity of metformin within 12 months "
              "between 5 and 6", {3, 4})


def test_no_rows_is_zero(store):
    spec_test(store, ISSUES, "include total quantity of metformin within 12 months = 0",
              {5, 7})


def test_no_window_is_every_issue_up_to_the_index_date(store):
    # 3: 6 + 10 = 16; 6: 1 (the 20 is after the index date).
    spec_test(store, ISSUES, "include total quantity of metformin > 12", {3})
