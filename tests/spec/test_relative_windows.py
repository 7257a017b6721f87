"""Windows relative to another record of the same patient: `within N UNIT after|before
first|latest CODESET`.

From the anchor's date a (the patient's first or latest record of it on or before the index
date): `after` admits a <= d <= a + N UNIT and d <= index, `before` a - N UNIT <= d <= a;
calendar arithmetic from a; no anchor record: no window. The index date is 2026-06-30.
"""

from tests.spec.helpers import spec_test

SETS = """
codelist copd = snomed("4001")
codelist exacerbation = snomed("4101")
codelist systolic_bp = snomed("7001")
codelist diastolic_bp = snomed("7101")
codelist sglt2i = dmd("6001")
"""


def observations(rows: str, ids: range) -> str:
    """Patients ``ids`` and observation rows 'patient | date | code' (one a line)."""
    patients = "\n".join(str(i) for i in ids)
    return (f"patient\npatient_id\n{patients}\n\nobservation\npatient_id | obs_date | code\n"
            f"{rows.strip()}\n")


AFTER_FIRST = observations("""
1 | 2024-01-31 | 4001
1 | 2024-01-31 | 4101
2 | 2024-01-31 | 4001
2 | 2025-01-31 | 4101
3 | 2024-01-31 | 4001
3 | 2025-02-01 | 4101
4 | 2024-01-31 | 4001
4 | 2024-01-30 | 4101
5 | 2025-01-01 | 4101
6 | 2026-06-01 | 4001
6 | 2026-07-01 | 4101
7 | 2023-01-01 | 4001
7 | 2024-01-31 | 4001
7 | 2024-02-15 | 4101
8 | 2026-07-01 | 4001
8 | 2026-06-30 | 4101
""", range(1, 9))
# First COPD 2024-01-31, so the window is 2024-01-31 .. 2025-01-31: 1 on the anchor day (in),
# 2 exactly 12 months after (in), 3 a day more (out), 4 the day before the anchor (out);
# 5 has no COPD record (no window); 6's exacerbation is after the index date (never seen);
# 7's first COPD is 2023-01-01 (its window ends 2024-01-01); 8's only COPD is after the
# index date, so 8 has no anchor.


def test_has_within_months_after_first(store):
    spec_test(store, AFTER_FIRST,
              SETS + "include has exacerbation within 12 months after first copd", {1, 2})


def test_after_latest_takes_the_most_recent_anchor(store):
    # Latest COPD: 7's is 2024-01-31, so its 2024-02-15 exacerbation is inside; 6's latest
    # (2026-06-01) window stops at the index date.
    spec_test(store, AFTER_FIRST,
              SETS + "include has exacerbation within 12 months after latest copd",
              {1, 2, 7})


def test_exclude_with_an_anchored_window_keeps_those_without_an_anchor(store):
    spec_test(store, AFTER_FIRST,
              SETS + "exclude has exacerbation within 12 months after first copd",
              {3, 4, 5, 6, 7, 8})


def test_count_without_an_anchor_is_zero(store):
    # `count of ... = 0` holds for a patient with no anchor record (5, 8) or no records.
    spec_test(store, AFTER_FIRST + "\n",
              SETS + "include count of exacerbation within 12 months after first copd = 0",
              {3, 4, 5, 6, 7, 8})


def test_count_counts_rows_on_the_same_date(store):
    tables = observations("""
1 | 2025-01-01 | 4001
1 | 2025-02-01 | 4101
1 | 2025-02-01 | 4101
2 | 2025-01-01 | 4001
2 | 2025-02-01 | 4101
""", range(1, 3))
    spec_test(store, tables,
              SETS + "include count of exacerbation within 1 month after first copd >= 2",
              {1})


MONTH_ENDS = observations("""
1 | 2026-01-31 | 4001
1 | 2026-02-28 | 4101
2 | 2026-01-31 | 4001
2 | 2026-03-01 | 4101
3 | 2024-02-29 | 4001
3 | 2025-02-28 | 4101
4 | 2024-02-29 | 4001
4 | 2025-03-01 | 4101
""", range(1, 5))
# 2026-01-31 + 1 month = 2026-02-28 (1 on it, 2 a day later); 2024-02-29 + 1 year =
# 2025-02-28 (3 on it, 4 a day later).


def test_month_end_from_the_anchor_clamps(store):
    spec_test(store, MONTH_ENDS,
              SETS + "include has exacerbation within 1 month after first copd", {1})


def test_year_from_a_leap_day_anchor_clamps(store):
    # A year from 2026-01-31 also covers 1 and 2.
    spec_test(store, MONTH_ENDS,
              SETS + "include has exacerbation within 1 year after first copd", {1, 2, 3})


DAYS = observations("""
1 | 2026-01-01 | 4001
1 | 2026-01-15 | 4101
2 | 2026-01-01 | 4001
2 | 2026-01-16 | 4101
""", range(1, 3))
# 2026-01-01 + 14 days = 2026-01-15 = + 2 weeks: 1 on it, 2 a day later.


def test_days_after(store):
    spec_test(store, DAYS, SETS + "include has exacerbation within 14 days after first copd",
              {1})


def test_weeks_after(store):
    spec_test(store, DAYS, SETS + "include has exacerbation within 2 weeks after first copd",
              {1})


BEFORE_LATEST = observations("""
1 | 2026-05-31 | 4001
1 | 2026-02-28 | 4101
2 | 2026-05-31 | 4001
2 | 2026-02-27 | 4101
3 | 2026-05-31 | 4001
3 | 2026-05-31 | 4101
4 | 2026-05-31 | 4001
4 | 2026-06-01 | 4101
5 | 2025-01-01 | 4001
5 | 2026-05-31 | 4001
5 | 2025-01-01 | 4101
""", range(1, 6))
# Latest COPD 2026-05-31; 3 months before is 2026-02-28 (clamped): 1 exactly then (in),
# 2 a day earlier (out), 3 on the anchor day (in), 4 after the anchor (out); 5's latest COPD
# is 2026-05-31, its exacerbation is on its FIRST COPD's day.


def test_before_latest(store):
    spec_test(store, BEFORE_LATEST,
              SETS + "include has exacerbation within 3 months before latest copd", {1, 3})


def test_before_first(store):
    spec_test(store, BEFORE_LATEST,
              SETS + "include has exacerbation within 3 months before first copd", {1, 3, 5})


SGLT2I = """
patient
patient_id
1
2
3
4
5
6

prescription
patient_id | issue_date | code
1          | 2026-03-01 | 6001
2          | 2026-03-01 | 6001
3          | 2026-03-01 | 6001
4          | 2026-03-01 | 6001
6          | 2026-03-01 | 6001
6          | 2026-05-01 | 6001

observation
patient_id | obs_date   | code | value
1          | 2025-12-01 | 2001 | 60
2          | 2025-11-30 | 2001 | 60
3          | 2026-02-01 | 2001 | 50
3          | 2025-12-15 | 2001 | 70
4          | 2026-03-01 | 2001 | 50
4          | 2026-03-01 | 2002 | 65
5          | 2026-01-01 | 2001 | 70
6          | 2026-04-01 | 2001 | 70
"""
# First SGLT2i 2026-03-01; 3 months before is 2025-12-01. 1: on that day (in); 2: a day
# earlier (out); 3: the latest in the window is 50; 4: two on the anchor day, the highest
# decides (65); 5: no SGLT2i; 6: its HbA1c is after the anchor.


def test_value_before_a_prescription_anchor(store):
    spec_test(store, SGLT2I, SETS + "include latest hba1c within 3 months before first sglt2i"
              " > 58 mmol/mol", {1, 4})


def test_max_before_a_prescription_anchor(store):
    spec_test(store, SGLT2I, SETS + "include max hba1c within 3 months before first sglt2i"
              " > 58", {1, 3, 4})


def test_paired_readings_within_0_days_after_latest(store):
    # The diastolic reading on the latest systolic reading's date: 1 (95, same day) passes;
    # 2 a day later and 3 a day earlier have none; 4's same-day reading is 80.
    tables = """
patient
patient_id
1
2
3
4

observation
patient_id | obs_date   | code | value
1          | 2026-05-01 | 7001 | 150
1          | 2026-05-01 | 7101 | 95
2          | 2026-05-01 | 7001 | 150
2          | 2026-05-02 | 7101 | 95
3          | 2026-05-01 | 7001 | 150
3          | 2026-04-30 | 7101 | 95
4          | 2026-04-01 | 7001 | 150
4          | 2026-04-01 | 7101 | 95
4          | 2026-05-01 | 7001 | 150
4          | 2026-05-01 | 7101 | 80
"""
    spec_test(store, tables, SETS + "include latest diastolic_bp within 0 days after latest "
              "systolic_bp >= 90", {1})


def test_latest_code_before_first(store):
    # First t2dm 2025-01-01, window 2024-01-01 .. 2025-01-01. 1: current smoker before it;
    # 2: a later non-current status; 3: the status is after the anchor; 4: two statuses on
    # one date, one current (any of them); 5: no t2dm.
    tables = """
patient
patient_id
1
2
3
4
5

observation
patient_id | obs_date   | code
1          | 2025-01-01 | 1001
1          | 2024-06-01 | 3001
2          | 2025-01-01 | 1001
2          | 2024-06-01 | 3001
2          | 2024-12-01 | 3002
3          | 2025-01-01 | 1001
3          | 2025-02-01 | 3001
4          | 2025-01-01 | 1001
4          | 2024-06-01 | 3001
4          | 2024-06-01 | 3002
5          | 2024-06-01 | 3001
"""
    spec_test(store, tables, "include latest code of smoking_status within 12 months before "
              "first t2dm in smoking_current", {1, 4})


def test_total_quantity_after_first(store):
    # Metformin issued in the 6 months from the first t2dm (2026-01-01 .. 2026-07-01, but
    # nothing after the index date 2026-06-30 is seen).
    tables = """
patient
patient_id
1
2
3

observation
patient_id | obs_date   | code
1          | 2026-01-01 | 1001
2          | 2026-01-01 | 1001

prescription
patient_id | issue_date | code | quantity
1          | 2026-01-01 | 5001 | 56
1          | 2026-06-30 | 5002 | 56
2          | 2025-12-31 | 5001 | 56
2          | 2026-07-01 | 5001 | 56
2          | 2026-03-01 | 5001 | 28
3          | 2026-03-01 | 5001 | 500
"""
    spec_test(store, tables, "include total quantity of metformin within 6 months after "
              "first t2dm >= 100", {1})
