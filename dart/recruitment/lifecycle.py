"""The invitation lifecycle: invited, responded, then declined, screened out or enrolled.

Per study and patient one row of ``recruitment_status`` (keyed by both). The moves allowed::

    (none)    -> invited (with a channel) | screened_out (the GP's review before inviting)
    invited   -> responded | declined | screened_out | enrolled (a response is implied)
    responded -> declined | screened_out | enrolled

declined, screened_out and enrolled are final. A *correction* (``correction=True``, with a
reason saying why) may move a final status to another final status or back to responded,
because a practice mis-keys outcomes; nothing moves back to invited or to nothing, because an
invitation that was sent stays sent (its ``invitations`` row in the application database
feeds the fatigue window and the language's ``invited WINDOW``). Recording the status a
patient already has changes nothing (idempotent). Screening out needs a reason.

A new patient (no row yet) must be on the practice's current invite list; any other patient
must already be this practice's for the study. One bad id fails the whole call, writing
nothing. Concurrent calls with the same batch are safe without the caller's lock: rows are
inserted with ON CONFLICT DO NOTHING and moved with ``UPDATE ... WHERE status = <the status
read>``, both RETURNING what they changed, so a row another call changed first is re-read and
judged again (already there, or a conflict), inside one transaction that is rolled back on
any error.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dart.recruitment.studies import Study
from dart.store.app_tables import (
    CHANNELS,
    INVITATION_STATUSES,
    ensure_app_tables,
    invitations,
    recruitment_status,
    utcnow,
)

FINAL = ("declined", "screened_out", "enrolled")
STATUS_STAGES = ("invited", "responded", "enrolled")  # who ever reached each stage
MOVES: dict[str | None, tuple[str, ...]] = {
    None: ("invited", "screened_out"),
    "invited": ("responded", "declined", "screened_out", "enrolled"),
    "responded": ("declined", "screened_out", "enrolled"),
}
CORRECTIONS: dict[str, tuple[str, ...]] = {s: ("responded", *(f for f in FINAL if f != s))
                                           for s in FINAL}
MAX_REASON = 500
RETRIES = 6
_CHUNK = 400  # rows per INSERT: SQLite binds at most 32766 parameters per statement


class LifecycleError(Exception):
    """A recording refused as a whole (``code``: not_on_list, bad_transition, bad_value);
    ``patient_ids`` are the ids at fault. Nothing was written."""

    def __init__(self, message: str, code: str, patient_ids: list[int] | None = None):
        self.code, self.patient_ids = code, patient_ids or []
        super().__init__(message)


@dataclass(frozen=True)
class Change:
    """One patient's new status (``channel`` for invited, ``reason`` for screened out)."""

    patient_id: int
    status: str
    channel: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Recorded:
    study_id: int
    recorded: tuple[int, ...]
    already_recorded: tuple[int, ...]
    on: dt.date

    def to_json(self) -> dict:
        return {"study_id": self.study_id, "recorded": len(self.recorded),
                "already_recorded": len(self.already_recorded),
                "invited_on": self.on.isoformat()}


def validate(change: Change, correction: bool = False) -> None:
    """Refuse a change that is wrong whatever the patient's state (``bad_value``)."""
    if change.status not in INVITATION_STATUSES:
        raise LifecycleError(f"status must be one of {', '.join(INVITATION_STATUSES)}",
                             "bad_value", [change.patient_id])
    if change.channel is not None and (change.status != "invited"
                                       or change.channel not in CHANNELS):
        raise LifecycleError(f"a channel ({', '.join(CHANNELS)}) goes with invited only",
                             "bad_value", [change.patient_id])
    if change.reason is not None and len(change.reason) > MAX_REASON:
        raise LifecycleError(f"a reason is at most {MAX_REASON} characters", "bad_value",
                             [change.patient_id])
    if (change.status == "screened_out" or correction) and not (change.reason or "").strip():
        raise LifecycleError("screening out, and any correction, needs a reason",
                             "bad_value", [change.patient_id])


def _insert(engine: sa.Engine, table: sa.Table):
    # ON CONFLICT DO NOTHING: SQLite's and PostgreSQL's own constructs; DuckDB's dialect is
    # PostgreSQL's and takes the same syntax.
    return (sqlite.insert if engine.dialect.name == "sqlite" else postgresql.insert)(table)


def _states(conn: sa.Connection, study_id: int, ids: list[int]) -> dict[int, tuple]:
    """Patient id -> (status, practice_id): the lifecycle row, else an invitation recorded
    before the lifecycle existed (status invited)."""
    rs, inv = recruitment_status.c, invitations.c
    found = {pid: (status, practice) for pid, status, practice in conn.execute(
        sa.select(rs.patient_id, rs.status, rs.practice_id)
        .where(rs.study_id == study_id, rs.patient_id.in_(ids)))}
    for pid, practice in conn.execute(sa.select(inv.patient_id, inv.practice_id).where(
            inv.study_id == study_id, inv.patient_id.in_(ids))):
        found.setdefault(pid, ("invited", practice))
    return found


def _allowed(current: str | None, target: str, correction: bool) -> bool:
    return target in (CORRECTIONS.get(current, ()) if correction and current in FINAL
                      else MOVES.get(current, ()))


def _values(study: Study, practice_id: int, change: Change, now: dt.datetime,
            user_id: int | None) -> dict:
    invited = change.status != "screened_out"  # a screened-out-first patient was never sent one
    return {"study_id": study.study_id, "patient_id": change.patient_id,
            "practice_id": practice_id, "status": change.status, "channel": change.channel,
            "reason": change.reason, "invited_at": now if invited else None,
            "responded_at": now if change.status in ("responded", "enrolled") else None,
            "outcome_at": now if change.status in FINAL else None,
            "updated_at": now, "updated_by": user_id}


def record(engine: sa.Engine, study: Study, practice_id: int, changes: list[Change],
           today: dt.date, listed: Callable[[], set[int]], *, correction: bool = False,
           user_id: int | None = None) -> Recorded:
    """Apply ``changes`` (each patient once) for the practice, all or nothing.

    ``listed()`` gives the ids on the practice's current invite list (called only when a
    change concerns a patient with no lifecycle row yet).
    """
    ensure_app_tables(engine)
    by_id: dict[int, Change] = {}
    for change in changes:
        validate(change, correction)
        if by_id.setdefault(change.patient_id, change) != change:
            raise LifecycleError("a patient appears twice with different changes",
                                 "bad_value", [change.patient_id])
    for attempt in range(RETRIES):
        try:
            return _record(engine, study, practice_id, by_id, today, listed, correction,
                           user_id)
        except sa.exc.DBAPIError as exc:
            # DuckDB (snapshot isolation, no waiting) fails the later of two transactions
            # writing the same key, ON CONFLICT or not ("Duplicate key", "Conflict on
            # tuple"): wait for the other to commit, then judge the batch again against it.
            message = str(exc.orig)
            if not any(w in message for w in ("onflict", "uplicate key", "onstraint")) \
                    or attempt == RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _record(engine: sa.Engine, study: Study, practice_id: int, by_id: dict[int, Change],
            today: dt.date, listed: Callable[[], set[int]], correction: bool,
            user_id: int | None) -> Recorded:
    now = utcnow()
    rs = recruitment_status.c
    with engine.connect() as conn:
        known = _states(conn, study.study_id, sorted(by_id))
    # The list before the states: a patient another call records in between has a state
    # when read below, so is judged as followed, not as missing from the list.
    on_list = listed() if set(by_id) - set(known) else set()
    with engine.begin() as conn:
        states = _states(conn, study.study_id, sorted(by_id))
        fresh = [i for i in by_id if i not in states]
        foreign = [i for i, (_, p) in states.items() if p != practice_id]
        missing = sorted([i for i in fresh if i not in on_list] + foreign)
        if missing:
            raise LifecycleError(f"{len(missing)} patient id(s) are not on this practice's "
                                 "invite list for this study", "not_on_list", missing)
        already = sorted(i for i, c in by_id.items() if states.get(i, (None,))[0] == c.status)
        todo = [c for i, c in sorted(by_id.items()) if i not in already]
        bad = [c.patient_id for c in todo
               if not _allowed(states.get(c.patient_id, (None,))[0], c.status, correction)]
        if bad:
            raise LifecycleError(f"{len(bad)} patient(s) cannot move to that status from "
                                 "the one recorded", "bad_transition", bad)
        done: list[int] = []
        new = [c for c in todo if c.patient_id in fresh]
        for start in range(0, len(new), _CHUNK):
            part = new[start:start + _CHUNK]
            rows = [_values(study, practice_id, c, now, user_id) for c in part]
            done += conn.execute(_insert(engine, recruitment_status).values(rows)
                                 .on_conflict_do_nothing().returning(rs.patient_id)).scalars()
        for c in todo:
            if c.patient_id in fresh:
                continue
            current = states[c.patient_id][0]
            if current == "invited" and not conn.execute(sa.select(rs.patient_id).where(
                    rs.study_id == study.study_id, rs.patient_id == c.patient_id)).first():
                # An invitation recorded before the lifecycle existed: give it its row.
                conn.execute(_insert(engine, recruitment_status).values(
                    _values(study, practice_id, Change(c.patient_id, "invited"), now, user_id)
                ).on_conflict_do_nothing())
            values = {"status": c.status, "updated_at": now, "updated_by": user_id}
            if c.reason is not None:
                values["reason"] = c.reason
            if c.status in ("responded", "enrolled"):
                values["responded_at"] = sa.func.coalesce(rs.responded_at, now)
            if c.status in FINAL:
                values["outcome_at"] = now
            done += conn.execute(recruitment_status.update().where(
                rs.study_id == study.study_id, rs.patient_id == c.patient_id,
                rs.status == current).values(**values).returning(rs.patient_id)).scalars()
        lost = sorted({c.patient_id for c in todo} - set(done))
        if lost:  # another call moved them first: already there, or now a conflict
            again = _states(conn, study.study_id, lost)
            clash = [i for i in lost if again.get(i, (None,))[0] != by_id[i].status]
            if clash:
                raise LifecycleError("another recording changed these patients first; "
                                     "nothing was recorded", "bad_transition", clash)
            already = sorted([*already, *lost])
        sent = [c.patient_id for c in todo if c.patient_id in done and c.status == "invited"]
        for start in range(0, len(sent), _CHUNK):
            conn.execute(_insert(engine, invitations).values([
                {"study_id": study.study_id, "patient_id": i, "practice_id": practice_id,
                 "invited_on": today} for i in sent[start:start + _CHUNK]
            ]).on_conflict_do_nothing())
    return Recorded(study.study_id, tuple(sorted(done)), tuple(already), today)


def status_members(engine: sa.Engine, study_id: int) -> dict[int, dict[str, set[int]]]:
    """Practice id -> stage -> the patients ever invited, ever responded, enrolled (ids: a
    stage is a set of patients, published by its patients' record keys)."""
    ensure_app_tables(engine)
    rs = recruitment_status.c
    query = (sa.select(rs.practice_id, rs.patient_id, rs.invited_at.is_not(None),
                       sa.or_(rs.responded_at.is_not(None), rs.status == "enrolled"),
                       rs.status == "enrolled")
             .where(rs.study_id == study_id))
    found: dict[int, dict[str, set[int]]] = {}
    with engine.connect() as conn:
        for practice, patient, *reached in conn.execute(query):
            stages = found.setdefault(practice, {s: set() for s in STATUS_STAGES})
            for stage, yes in zip(STATUS_STAGES, reached, strict=True):
                if yes:
                    stages[stage].add(patient)
    return found


def status_counts(engine: sa.Engine, study_id: int) -> dict[int, dict[str, int]]:
    """Practice id -> patients ever invited, ever responded, enrolled (exact counts)."""
    return {p: {s: len(ids) for s, ids in stages.items()}
            for p, stages in status_members(engine, study_id).items()}
