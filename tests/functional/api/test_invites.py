"""Invite lists on hand-built stores, on every engine: each exclusion, and recording.

List date (today) 2026-07-15; index date 2026-06-30 (the extract date); the study's
fatigue window is 6 months, so an invitation on or after 2026-01-15 to any study excludes.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dart.recruitment.invites import invite_list, record_invitations
from dart.recruitment.studies import approve_study, create_study
from dart.store.app_tables import ensure_app_tables
from dart.store.app_tables import invitations as app_invitations
from dart.store.schema import invitation
from tests.functional.api.conftest import CRITERIA, TODAY
from tests.support.tables import load_tables

STORE = """
patient
patient_id | practice_id | sex | research_opt_out | date_of_death | registration_end
1          | 1           | F   | false            |               |
2          | 1           | F   | false            | 2026-07-01    |
3          | 1           | F   | false            |               | 2026-07-10
4          | 1           | F   | true             |               |
5          | 1           | F   | false            |               |
6          | 1           | F   | false            |               |
7          | 1           | F   | false            |               |
8          | 1           | M   | false            |               |
9          | 2           | F   | false            |               |
10         | 1           | F   | false            | 2026-01-01    |

invitation
study_id | patient_id | practice_id | invited_on
1        | 5          | 1           | 2025-01-01
77       | 6          | 1           | 2026-01-15
77       | 7          | 1           | 2026-01-14
"""
# 1: listed. 2: died after the index date, before today. 3: left after the index date.
# 4: opted out. 5: already invited to this study (long ago). 6: invited to another study
# on the first day of the fatigue window. 7: the day before it (listed). 8: a man (not
# eligible). 9: another practice. 10: died before the index date (not in the base).
LISTED = [1, 7]


@pytest.fixture
def study(store, library):
    load_tables(store, STORE)
    ensure_app_tables(store)
    made = create_study(store, owner_id=1, title="Test", criteria_text=CRITERIA)
    assert made.study_id == 1
    return approve_study(store, 1, admin_id=2)


def listed(store, study, library, practice_id=1, today=TODAY) -> list[int]:
    return sorted(r.patient_id for r in invite_list(store, study, practice_id, today,
                                                    library).rows)


def test_each_exclusion(store, study, library):
    assert listed(store, study, library) == LISTED
    assert listed(store, study, library, practice_id=2) == [9]
    assert listed(store, study, library, practice_id=3) == []


def test_the_fatigue_window_moves_with_the_list_date(store, study, library):
    # On 2026-07-14 the window starts 2026-01-14, so patient 7 is excluded too.
    assert listed(store, study, library, today=dt.date(2026, 7, 14)) == [1]


def test_the_list_carries_identifiers_and_screen_items(store, study, library):
    found = invite_list(store, study, 1, TODAY, library)
    assert found.checklist == ("Willing to attend clinic",)
    row = found.rows[0]
    assert row.nhs_number.startswith("999") and row.date_of_birth == dt.date(1970, 1, 1)
    header = next(ln for ln in found.to_csv().splitlines() if not ln.lstrip('"').startswith("#"))
    assert header.endswith(",screen: Willing to attend clinic")


def invitations(store) -> list[tuple]:
    """Every invitation: the store's own (as loaded) and those DART recorded (in the
    application database, here the same database)."""
    with store.connect() as conn:
        return sorted(tuple(r) for table in (invitation, app_invitations)
                      for r in conn.execute(sa.select(table)))


def test_recording_is_idempotent_and_feeds_the_exclusions(store, study, library):
    before = invitations(store)
    done = record_invitations(store, study, 1, [1], TODAY, library)
    assert (done.recorded, done.already_recorded) == ((1,), ())
    again = record_invitations(store, study, 1, [1], TODAY, library)
    assert (again.recorded, again.already_recorded) == ((), (1,))
    assert invitations(store) == sorted([*before, (1, 1, 1, TODAY)])
    assert listed(store, study, library) == [7]


@pytest.mark.parametrize("ids", [[9], [1, 9], [2], [4], [6], [8], [10], [12345]])
def test_ids_off_the_list_write_nothing(store, study, library, ids):
    from dart.recruitment.lifecycle import LifecycleError

    before = invitations(store)
    with pytest.raises(LifecycleError):
        record_invitations(store, study, 1, ids, TODAY, library)
    assert invitations(store) == before
