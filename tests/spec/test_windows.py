"""Windows: every bound is calendar arithmetic on the index date; nothing after it is seen.

Each test puts one t2dm record per patient on a boundary date; `has t2dm WINDOW` then says
which dates the window admits.
"""

import pytest

from tests.spec.helpers import spec_test


def records(*dates: str) -> str:
    """Patient i (from 1) has one t2dm record on dates[i-1]."""
    rows = "\n".join(f"{i} | {d} | 1001" for i, d in enumerate(dates, start=1))
    ids = "\n".join(str(i) for i in range(1, len(dates) + 1))
    return f"patient\npatient_id\n{ids}\n\nobservation\npatient_id | obs_date | code\n{rows}\n"


def test_no_window_is_anything_up_to_the_index_date(store):
    spec_test(store, records("1990-01-01", "2026-06-30", "2026-07-01"), "include has t2dm",
              {1, 2})


def test_ever_is_the_same_as_no_window(store):
    spec_test(store, records("1990-01-01", "2026-06-30", "2026-07-01"),
              "include has t2dm ever", {1, 2})


def test_within_months_includes_exactly_n_months_ago_and_the_index_date(store):
    # 2026-06-30 - 12 months = 2025-06-30: included; the day before is not; after: never.
    spec_test(store, records("2025-06-30", "2025-06-29", "2026-06-30", "2026-07-01"),
              "include has t2dm within 12 months", {1, 3})


def test_more_than_ago_excludes_exactly_n_months_ago(store):
    spec_test(store, records("2025-06-30", "2025-06-29", "1990-01-01"),
              "include has t2dm more than 12 months ago", {2, 3})


def test_within_month_end_clamps(store):
    # 2026-03-31 - 1 month = 2026-02-28 (February has no 31st).
    spec_test(store, records("2026-02-28", "2026-02-27", "2026-03-31"),
              "index date 2026-03-31\ninclude has t2dm within 1 month", {1, 3})


def test_more_than_ago_month_end_clamps(store):
    spec_test(store, records("2026-02-28", "2026-02-27"),
              "index date 2026-03-31\ninclude has t2dm more than 1 month ago", {2})


def test_within_days(store):
    # 2026-06-30 - 7 days = 2026-06-23.
    spec_test(store, records("2026-06-23", "2026-06-22"),
              "include has t2dm within 7 days", {1})


def test_within_weeks(store):
    # 2026-06-30 - 2 weeks = 2026-06-16.
    spec_test(store, records("2026-06-16", "2026-06-15"),
              "include has t2dm within 2 weeks", {1})


def test_within_years_from_a_leap_day(store):
    # 2024-02-29 - 1 year = 2023-02-28 (clamped).
    spec_test(store, records("2023-02-28", "2023-02-27"),
              "index date 2024-02-29\ninclude has t2dm within 1 year", {1})


def test_between_dates_is_inclusive_and_stops_at_the_index_date(store):
    # The window runs past the index date, but records after 2026-06-30 are never seen.
    spec_test(store, records("2026-01-01", "2025-12-31", "2026-06-30", "2026-07-01",
                             "2026-12-31"),
              "include has t2dm between 2026-01-01 and 2026-12-31", {1, 3})


def test_between_dates_wholly_before_the_index_date(store):
    spec_test(store, records("2020-01-01", "2020-12-31", "2021-01-01", "2019-12-31"),
              "include has t2dm between 2020-01-01 and 2020-12-31", {1, 2})


OLD_RECORDS = "\n".join([
    "patient", "patient_id | date_of_birth | registration_start",
    *(f"{i} | 1850-01-01 | 1880-01-01" for i in (1, 2, 3)), "",
    "observation", "patient_id | obs_date | code",
    "1 | 1899-12-31 | 1001", "2 | 1900-01-02 | 1001", "3 | 1000-01-01 | 1001"])


@pytest.mark.parametrize(("criteria", "expected"), [
    ("index date 1900-01-01\ninclude has t2dm within 1000 years", {1, 3}),
    ("index date 1900-01-01\ninclude has t2dm within 365250 days", {1, 3}),
    ("index date 1900-01-01\ninclude has t2dm more than 850 years ago", {3}),
    ("index date 1900-01-01\ninclude age >= 1000", set()),
    ("index date 1900-01-01\ninclude registered for 1000 years", set()),
    ("include has t2dm within 12000 months after first t2dm", {1, 2, 3}),
])
def test_the_longest_window_and_oldest_age_run_on_every_engine(store, criteria, expected):
    """1,000 years (the most a window, a registration or an age may say) from the earliest
    index date, 1900-01-01, is a date every engine holds: the query runs and says what the
    dates say (patients born 1850, registered 1880; patient 2's record is after the index
    date)."""
    spec_test(store, OLD_RECORDS, criteria, expected)
