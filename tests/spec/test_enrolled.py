"""`enrolled [in study N] [WINDOW]`: an `enrolled` outcome recorded by DART's recruitment
lifecycle (``recruitment_status``), dated by the day it was recorded (``outcome_at``), for
any study or for study N only; no window: on or before the index date (2026-06-30)."""

import sqlalchemy as sa

from dart.analysis.feasibility import run_feasibility
from tests.spec.helpers import EMPTY_LIBRARY, patients, spec_test

LIFECYCLE = """
patient
patient_id
1
2
3
4
5
6

recruitment_status
study_id | patient_id | practice_id | status    | outcome_at          | updated_at
1        | 1          | 1           | enrolled  | 2025-12-30 09:00:00 | 2025-12-30 09:00:00
2        | 2          | 1           | enrolled  | 2025-12-29 23:59:00 | 2025-12-29 23:59:00
1        | 3          | 1           | enrolled  | 2026-07-01 08:00:00 | 2026-07-01 08:00:00
1        | 4          | 1           | declined  | 2026-01-10 10:00:00 | 2026-01-10 10:00:00
7        | 5          | 1           | enrolled  | 2026-06-30 17:00:00 | 2026-06-30 17:00:00
"""
# 2026-06-30 - 6 months = 2025-12-30: 1 enrolled on that day (in), 2 the day before (out),
# 3 after the index date (never seen), 4 declined (not enrolled), 5 on the index date in
# another study, 6 has no recruitment record.


def test_enrolled_without_a_window_is_any_study_up_to_the_index_date(store):
    spec_test(store, LIFECYCLE, "exclude enrolled", {3, 4, 6})


def test_enrolled_within(store):
    spec_test(store, LIFECYCLE, "include enrolled within 6 months", {1, 5})


def test_enrolled_in_study(store):
    spec_test(store, LIFECYCLE, "include enrolled in study 1", {1})


def test_enrolled_in_study_within(store):
    spec_test(store, LIFECYCLE, "include enrolled in study 2 within 6 months or enrolled in "
              "study 7 within 6 months", {5})


def test_a_store_without_recruitment_records_has_no_enrolment(store):
    # DART creates its recruitment table when a file first needs it: nobody is enrolled.
    from tests.support.tables import load_tables

    load_tables(store, patients(1, 2))
    assert not sa.inspect(store).has_table("recruitment_status")
    result = run_feasibility(store, "exclude enrolled", EMPTY_LIBRARY)
    assert (result.base, result.eligible) == (2, 2)
