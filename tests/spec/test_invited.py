"""`invited WINDOW`: a recorded trial invitation, for any study, in the window."""

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
