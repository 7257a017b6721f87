"""The invitation lifecycle on every engine: allowed moves, refusals that write nothing,
idempotence, and the same batch recorded by several threads at once.

Practice 1 lists patients 1-5 (conftest.py); patient 7 is practice 2's.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from dart.recruitment.invites import invite_list, record_status
from dart.recruitment.lifecycle import Change, LifecycleError, status_counts
from dart.store.app_tables import invitations, recruitment_status
from dart.store.schema import invitation
from tests.functional.recruitment.conftest import TODAY


def record(store, study, library, ids, status, practice=1, **kw):
    channel, reason = kw.pop("channel", None), kw.pop("reason", None)
    return record_status(store, study, practice, [Change(i, status, channel, reason)
                                                  for i in ids], TODAY, library, **kw)


def statuses(store) -> dict[int, tuple]:
    with store.connect() as conn:
        return {r.patient_id: (r.status, r.channel, r.reason) for r in conn.execute(
            sa.select(recruitment_status))}


def sent(store) -> list[tuple]:
    with store.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(invitations)))


def test_invited_then_responded_then_enrolled(store, study, library):
    done = record(store, study, library, [1, 2], "invited", channel="letter")
    assert done.recorded == (1, 2) and done.already_recorded == ()
    assert sent(store) == [(1, 1, 1, TODAY), (1, 2, 1, TODAY)]
    record(store, study, library, [1], "responded")
    record(store, study, library, [1], "enrolled")
    record(store, study, library, [2], "enrolled")  # a response is implied
    assert statuses(store) == {1: ("enrolled", "letter", None), 2: ("enrolled", "letter", None)}
    assert status_counts(store, 1) == {1: {"invited": 2, "responded": 2, "enrolled": 2}}
    # Followed patients leave the list.
    assert sorted(r.patient_id for r in invite_list(store, study, 1, TODAY, library).rows) == [
        3, 4, 5]


@pytest.mark.parametrize(("ids", "status", "code"), [
    ([3], "enrolled", "bad_transition"),       # never invited
    ([3], "responded", "bad_transition"),
    ([3], "declined", "bad_transition"),
    ([1, 3], "enrolled", "bad_transition"),    # one bad id fails the batch
    ([7], "invited", "not_on_list"),           # another practice's patient
    ([6], "invited", "not_on_list"),           # departed
    ([1, 99], "responded", "not_on_list"),
])
def test_refusals_write_nothing(store, study, library, ids, status, code):
    record(store, study, library, [1], "invited")
    before = (statuses(store), sent(store))
    with pytest.raises(LifecycleError) as err:
        record(store, study, library, ids, status)
    assert err.value.code == code
    assert (statuses(store), sent(store)) == before


def test_final_statuses_change_only_by_a_correction_with_a_reason(store, study, library):
    record(store, study, library, [1], "invited")
    record(store, study, library, [1], "declined")
    for status in ("responded", "enrolled", "invited"):
        with pytest.raises(LifecycleError, match="cannot move"):
            record(store, study, library, [1], status)
    with pytest.raises(LifecycleError, match="needs a reason"):
        record(store, study, library, [1], "enrolled", correction=True)
    record(store, study, library, [1], "enrolled", correction=True, reason="mis-keyed")
    assert statuses(store)[1] == ("enrolled", None, "mis-keyed")
    with pytest.raises(LifecycleError, match="cannot move"):  # never back to invited
        record(store, study, library, [1], "invited", correction=True, reason="x")


def test_screening_out_needs_a_reason_and_may_come_before_an_invitation(store, study, library):
    with pytest.raises(LifecycleError, match="needs a reason"):
        record(store, study, library, [3], "screened_out")
    record(store, study, library, [3], "screened_out", reason="frail")
    assert statuses(store)[3] == ("screened_out", None, "frail")
    assert sent(store) == []  # no invitation went out
    assert status_counts(store, 1)[1]["invited"] == 0


@pytest.mark.parametrize("change", [Change(1, "responded", channel="letter"),
                                    Change(1, "invited", channel="pigeon"),
                                    Change(1, "accepted"),
                                    Change(1, "screened_out", reason="x" * 501)])
def test_bad_values_are_refused(store, study, library, change):
    with pytest.raises(LifecycleError) as err:
        record_status(store, study, 1, [change], TODAY, library)
    assert err.value.code == "bad_value"
    assert statuses(store) == {}


def test_recording_the_same_status_again_changes_nothing(store, study, library):
    record(store, study, library, [1, 2], "invited", channel="text_message")
    again = record(store, study, library, [1, 2, 3], "invited")
    assert again.recorded == (3,) and again.already_recorded == (1, 2)
    assert statuses(store)[1] == ("invited", "text_message", None)
    assert len(sent(store)) == 3


def test_an_invitation_recorded_before_the_lifecycle_moves_on(store, study, library):
    # (as an older store's invitations arrive in the application database: app_db.adopt)
    with store.begin() as conn:
        conn.execute(invitations.insert().values(study_id=1, patient_id=2, practice_id=1,
                                                invited_on=TODAY))
    record(store, study, library, [2], "responded")
    assert statuses(store)[2][0] == "responded"


def test_threads_recording_the_same_batch_record_it_once(store, study, library):
    results, errors = [], []
    start = threading.Barrier(4)

    def post():
        start.wait()
        try:
            results.append(record(store, study, library, [1, 2, 3, 4, 5], "invited"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [], [str(e)[:300] for e in errors]
    assert sorted(i for r in results for i in r.recorded) == [1, 2, 3, 4, 5]
    assert all(sorted(r.recorded + r.already_recorded) == [1, 2, 3, 4, 5] for r in results)
    assert sorted(statuses(store)) == [1, 2, 3, 4, 5]
    assert [r[1] for r in sent(store)] == [1, 2, 3, 4, 5]


def test_each_study_sets_its_own_fatigue_window(store, study, library):
    from dart.recruitment.studies import approve_study, create_study
    from tests.functional.recruitment.conftest import CRITERIA

    # invited to another study two months before the list date, as loaded with the store
    with store.begin() as conn:
        conn.execute(invitation.insert().values(study_id=99, patient_id=1, practice_id=1,
                                                invited_on=TODAY.replace(month=5)))
    short = create_study(store, owner_id=1, title="Short", criteria_text=CRITERIA,
                         fatigue_months=1)
    short = approve_study(store, short.study_id, admin_id=2)

    def listed(s) -> list[int]:
        return sorted(r.patient_id for r in invite_list(store, s, 1, TODAY, library,
                                                        with_reasons=False).rows)

    assert listed(study) == [2, 3, 4, 5]  # six months: still resting
    assert listed(short) == [1, 2, 3, 4, 5]  # one month: listed again
