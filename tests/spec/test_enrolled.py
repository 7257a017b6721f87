"""`enrolled WINDOW`: a recorded trial enrolment, for any study, in the window;
`enrolled in study N [WINDOW]`: the same, for DART's study N only (no window: on or before
the index date). An enrolment is a lifecycle row (the application database's
``recruitment_status``) whose status is ``enrolled`` now, dated by the UTC day of its
``outcome_at``; the query is sent them as bound values, the store holds none."""

from tests.spec.helpers import spec_test

LIFECYCLE = """
patient
patient_id
1
2
3
4
5
6
7
8
9

recruitment_status
study_id | patient_id | practice_id | status       | outcome_at          | updated_at
1        | 1          | 1           | enrolled     | 2026-01-10 09:00:00 | 2026-01-10 09:00:00
1        | 2          | 1           | enrolled     | 2025-12-30 23:59:00 | 2025-12-30 23:59:00
1        | 3          | 1           | enrolled     | 2025-12-29 08:00:00 | 2025-12-29 08:00:00
2        | 4          | 1           | enrolled     | 2026-06-30 17:00:00 | 2026-06-30 17:00:00
1        | 5          | 1           | invited      |                     | 2026-01-05 10:00:00
1        | 6          | 1           | declined     | 2026-02-01 10:00:00 | 2026-02-01 10:00:00
1        | 7          | 1           | enrolled     | 2026-07-01 08:00:00 | 2026-07-01 08:00:00
2        | 9          | 1           | screened_out | 2026-03-01 10:00:00 | 2026-03-01 10:00:00
3        | 9          | 1           | enrolled     | 2024-01-01 10:00:00 | 2024-01-01 10:00:00
"""
# Index date 2026-06-30; 6 months back is 2025-12-30. 1 enrolled in study 1 on 2026-01-10;
# 2 on the window's first day (late in the day: the UTC day counts, in), 3 the day before
# (out); 4 on the index date in study 2; 5 invited but not enrolled; 6 declined; 7 after the
# index date (never seen); 8 has no lifecycle; 9 screened out of study 2, enrolled in 3 long
# ago.


def test_enrolled_within(store):
    spec_test(store, LIFECYCLE, "include enrolled within 6 months", {1, 2, 4})


def test_exclude_enrolled_in_any_study_ever(store):
    spec_test(store, LIFECYCLE, "exclude enrolled ever", {5, 6, 7, 8})


def test_enrolled_between_dates(store):
    spec_test(store, LIFECYCLE, "include enrolled between 2026-01-10 and 2026-01-10", {1})


def test_enrolled_in_study_without_a_window_is_up_to_the_index_date(store):
    # Study 1: 1, 2 and 3; 7's enrolment is after the index date, 5 and 6 never enrolled.
    spec_test(store, LIFECYCLE, "include enrolled in study 1", {1, 2, 3})


def test_enrolled_in_study_within(store):
    spec_test(store, LIFECYCLE, "include enrolled in study 1 within 6 months", {1, 2})


def test_enrolled_in_study_counts_only_that_study(store):
    # 4's study-2 enrolment is on the index date; 9 was screened out of study 2.
    spec_test(store, LIFECYCLE, "include enrolled in study 2 within 6 months or enrolled in "
              "study 3 ever", {4, 9})


def test_exclude_enrolled_in_study(store):
    spec_test(store, LIFECYCLE, "exclude enrolled in study 1", {4, 5, 6, 7, 8, 9})


def test_no_lifecycle_means_nobody_is_enrolled(store):
    spec_test(store, "patient\npatient_id\n1\n2\n", "exclude enrolled ever", {1, 2})
