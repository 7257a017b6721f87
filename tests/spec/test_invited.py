"""`invited WINDOW`: a recorded trial invitation, for any study, in the window;
`invited to study N [WINDOW]`: the same, for DART's study N only (no window: on or before
the index date)."""

from tests.spec.helpers import spec_test

INVITES = """
patient
patient_id
1
2
3
4
5

invitation
study_id | patient_id | practice_id | invited_on
1        | 1          | 1           | 2025-12-30
2        | 2          | 1           | 2025-12-29
1        | 3          | 1           | 2026-07-01
7        | 4          | 1           | 2026-06-30
1        | 2          | 1           | 2020-01-01
"""
# 2026-06-30 - 6 months = 2025-12-30: 1 on the edge (in), 2 the day before (out), 3 after
# the index date (never seen), 4 on the index date for another study (any study counts).


def test_invited_within(store):
    spec_test(store, INVITES, "include invited within 6 months", {1, 4})


def test_exclude_recently_invited(store):
    spec_test(store, INVITES, "exclude invited within 6 months", {2, 3, 5})


def test_invited_ever(store):
    spec_test(store, INVITES, "include invited ever", {1, 2, 4})


def test_invited_to_study_without_a_window_is_up_to_the_index_date(store):
    # Study 1: 1 (2025-12-30) and 2 (2020-01-01); 3's is after the index date.
    spec_test(store, INVITES, "include invited to study 1", {1, 2})


def test_invited_to_study_within(store):
    spec_test(store, INVITES, "include invited to study 1 within 6 months", {1})


def test_invited_to_study_counts_only_that_study(store):
    # 2's study-2 invitation is a day outside; 4's study-7 one is on the index date.
    spec_test(store, INVITES, "include invited to study 7 within 6 months or invited to "
              "study 2 within 6 months", {4})


def test_exclude_invited_to_study(store):
    spec_test(store, INVITES, "exclude invited to study 1", {3, 4, 5})
