"""Invite lists: an approved study's eligible patients at one practice, and who was invited.

The list is the compiler's ``patient_rules`` (eligible, at the practice, both bound as
parameters) joined to the patient's identifiers, minus everyone a practice must not invite:

- the compiler's base population already drops anyone dead, departed or opted out on the
  index date; the list ALSO drops anyone with a recorded date of death or registration end
  or an opt-out *now*. We drop any recorded death or departure whatever its date (not only
  up to the list date): a letter must never reach a dead or departed patient, and a date
  later than the list date can only be an error in the record;
- anyone already invited to this study (at any practice);
- anyone invited to any study within the study's fatigue window before the list date.

The list date (``today``) is bound as a parameter, so tests can fix it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from dart.compiler import Prepared, prepare
from dart.recruitment.studies import Study
from dart.reports.spreadsheet import csv_text
from dart.sources import Source
from dart.sources.native import NATIVE

IDENTIFIERS = ("patient_id", "nhs_number", "given_name", "family_name", "date_of_birth", "sex")


@dataclass(frozen=True)
class InviteRow:
    patient_id: int
    nhs_number: str
    given_name: str | None
    family_name: str | None
    date_of_birth: dt.date
    sex: str

    def to_json(self) -> dict:
        return {"patient_id": self.patient_id, "nhs_number": self.nhs_number,
                "given_name": self.given_name, "family_name": self.family_name,
                "date_of_birth": self.date_of_birth.isoformat(), "sex": self.sex}


@dataclass(frozen=True)
class InviteList:
    """The patients one practice may invite to one approved study, as of ``list_date``."""

    study_id: int
    title: str
    version: int
    criteria_hash: str
    practice_id: int
    list_date: dt.date
    index_date: dt.date
    fatigue_months: int
    checklist: tuple[str, ...]
    rows: tuple[InviteRow, ...]

    def to_json(self) -> dict:
        return {
            "study_id": self.study_id, "title": self.title, "version": self.version,
            "criteria_hash": self.criteria_hash, "list_date": self.list_date.isoformat(),
            "index_date": self.index_date.isoformat(), "fatigue_months": self.fatigue_months,
            "checklist": list(self.checklist), "count": len(self.rows),
            "patients": [r.to_json() for r in self.rows],
        }

    def to_csv(self) -> str:
        """One row per patient; each ``screen`` item is an empty checklist column."""
        return csv_text(
            [*IDENTIFIERS, *(f"screen: {text}" for text in self.checklist)],
            ([r.patient_id, r.nhs_number, r.given_name or "", r.family_name or "",
              r.date_of_birth.isoformat(), r.sex, *[""] * len(self.checklist)]
             for r in self.rows))


def fatigue_start(today: dt.date, months: int) -> dt.date:
    """The first day of the fatigue window (calendar months back, month-end clamped)."""
    return today - relativedelta(months=months)


def _not_excluded(study_id: int, today: dt.date, months: int,
                  source: Source) -> sa.ColumnElement[bool]:
    patient, invitation = source.identities, source.invitations
    same_study = sa.exists().where(invitation.c.patient_id == patient.c.patient_id,
                                   invitation.c.study_id == sa.bindparam("study_id", study_id))
    recent = sa.exists().where(
        invitation.c.patient_id == patient.c.patient_id,
        invitation.c.invited_on >= sa.bindparam("fatigue_from", fatigue_start(today, months),
                                                type_=sa.Date),
    )
    return sa.and_(
        patient.c.date_of_death.is_(None),
        patient.c.registration_end.is_(None),
        patient.c.research_opt_out == sa.false(),
        ~same_study,
        ~recent,
    )


def _invitable(ready: Prepared, study_id: int, fatigue_months: int, today: dt.date,
               practice_id: int | None, source: Source = NATIVE) -> sa.Select:
    """The invitable patients' identifiers (at ``practice_id``; None: every practice)."""
    patient = source.identities
    if patient is None:
        raise ValueError(f"a {source.name} store holds no patient identifiers to invite")
    rules = ready.compiled.patient_rules.subquery()
    where = [rules.c.eligible == 1, _not_excluded(study_id, today, fatigue_months, source)]
    if practice_id is not None:
        at_practice = sa.bindparam("practice_id", practice_id, type_=sa.Integer)
        where += [rules.c.practice_id == at_practice, patient.c.practice_id == at_practice]
    return (sa.select(*(patient.c[name] for name in IDENTIFIERS))
            .select_from(rules.join(patient, patient.c.patient_id == rules.c.patient_id))
            .where(*where))


def invite_list(engine: sa.Engine, study: Study, practice_id: int, today: dt.date,
                library: Mapping | None = None, source: Source = NATIVE) -> InviteList:
    """The approved ``study``'s invitable patients at ``practice_id`` on ``today``."""
    version = study.approved
    if version is None:
        raise ValueError(f"study {study.study_id} has no approved version")
    patient = source.identities
    if patient is None:
        raise ValueError(f"a {source.name} store holds no patient identifiers to invite")
    with engine.connect() as conn:  # one open of the store for everything
        ready = prepare(conn, version.criteria_text, library, source=source)
        query = (_invitable(ready, study.study_id, study.fatigue_months, today, practice_id,
                            source)
                 .order_by(patient.c.family_name, patient.c.given_name,
                           patient.c.patient_id))
        rows = tuple(InviteRow(*r) for r in conn.execute(query))
    criteria, index_date = ready.criteria, ready.index_date
    return InviteList(
        study.study_id, study.title, version.version, version.criteria_hash, practice_id,
        today, index_date, study.fatigue_months,
        tuple(s.text for s in criteria.screens), rows,
    )


def check_runs(engine: sa.Engine, study: Study, criteria_text: str, today: dt.date,
               library: Mapping | None = None, source: Source = NATIVE) -> int:
    """Run ``criteria_text`` as ``study``'s invite list would, for every practice at once
    (a count), under the engine's limits: what approval checks, so that an approved version
    can always produce its lists. Returns the invitable patients; raises ``CriteriaError``,
    ``StoreError`` (``QueryTooCostly`` past a limit) like ``invite_list``."""
    with engine.connect() as conn:
        ready = prepare(conn, criteria_text, library, source=source)
        listed = _invitable(ready, study.study_id, study.fatigue_months, today, None, source)
        return conn.execute(sa.select(sa.func.count()).select_from(listed.subquery())
                            ).scalar_one()


class InvitationError(Exception):
    """Ids that are not on the practice's list for the study; nothing was recorded."""

    def __init__(self, patient_ids: list[int]):
        self.patient_ids = patient_ids
        super().__init__(f"{len(patient_ids)} patient id(s) are not on this practice's "
                         "invite list for this study")


@dataclass(frozen=True)
class RecordedInvitations:
    study_id: int
    recorded: tuple[int, ...]
    already_recorded: tuple[int, ...]
    invited_on: dt.date

    def to_json(self) -> dict:
        return {"study_id": self.study_id, "recorded": len(self.recorded),
                "already_recorded": len(self.already_recorded),
                "invited_on": self.invited_on.isoformat()}


def record_invitations(engine: sa.Engine, study: Study, practice_id: int,
                       patient_ids: list[int], today: dt.date,
                       library: Mapping | None = None) -> RecordedInvitations:
    """Record that ``patient_ids`` (from this practice's list) were invited on ``today``.

    Idempotent: ids this practice already recorded for the study are accepted and left as
    they are. Any other id not on the current list fails the whole call, writing nothing.
    The caller serialises calls (one writer at a time) so the check and the insert agree.
    """
    wanted = sorted(set(patient_ids))
    invitation = NATIVE.invitations  # recorded where the native store keeps them
    with engine.connect() as conn:
        already = set(conn.execute(
            sa.select(invitation.c.patient_id).where(
                invitation.c.study_id == study.study_id,
                invitation.c.practice_id == practice_id,
                invitation.c.patient_id.in_(wanted))
        ).scalars())
    listed = {r.patient_id for r in invite_list(engine, study, practice_id, today, library).rows}
    bad = [i for i in wanted if i not in listed and i not in already]
    if bad:
        raise InvitationError(bad)
    new = [i for i in wanted if i not in already]
    if new:
        with engine.begin() as conn:
            conn.execute(invitation.insert(), [
                {"study_id": study.study_id, "patient_id": i, "practice_id": practice_id,
                 "invited_on": today} for i in new
            ])
    return RecordedInvitations(study.study_id, tuple(new), tuple(sorted(already)), today)
