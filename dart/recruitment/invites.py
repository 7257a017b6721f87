"""Invite lists: an approved study's eligible patients at one practice, and who was invited.

The list is the compiler's ``patient_rules`` (eligible, at the practice, both bound as
parameters) joined to the patient's identifiers, minus everyone a practice must not invite:

- the compiler's base population already drops anyone dead, departed or opted out on the
  index date; the list ALSO drops anyone with a recorded date of death or registration end
  or an opt-out *now*. We drop any recorded death or departure whatever its date (not only
  up to the list date): a letter must never reach a dead or departed patient, and a date
  later than the list date can only be an error in the record;
- anyone already invited to this study (at any practice), or screened out of it;
- anyone invited to any study within the study's fatigue window before the list date.

Each row carries its reasons (``dart.recruitment.reasons``) and whether the patient is new
since ``new_since`` (by default the index date of the practice's last list before this one;
``dart.recruitment.rescreen``). The list date (``today``) is bound as a parameter, so tests
can fix it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from dart.compiler import Prepared, explain, months_back, prepare
from dart.recruitment import lifecycle
from dart.recruitment.concurrent import study_criteria
from dart.recruitment.invitations import sent_ids
from dart.recruitment.reasons import Reason, patient_reasons
from dart.recruitment.rescreen import check_since, eligible_by_practice, last_list_dates
from dart.recruitment.studies import Study
from dart.sources import Source
from dart.sources.native import NATIVE
from dart.store.app_tables import ensure_app_tables, invitations, recruitment_status

IDENTIFIERS = ("patient_id", "nhs_number", "given_name", "family_name", "date_of_birth", "sex")


@dataclass(frozen=True)
class InviteRow:
    patient_id: int
    nhs_number: str
    given_name: str | None
    family_name: str | None
    date_of_birth: dt.date
    sex: str
    reasons: tuple[Reason, ...] = ()
    new: bool = False

    def to_json(self) -> dict:
        return {"patient_id": self.patient_id, "nhs_number": self.nhs_number,
                "given_name": self.given_name, "family_name": self.family_name,
                "date_of_birth": self.date_of_birth.isoformat(), "sex": self.sex,
                "new": self.new, "reasons": [r.to_json() for r in self.reasons]}


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
    rules: tuple[str, ...] = ()  # the include rules' labels, the reasons' columns
    english: tuple[str, ...] = ()  # the criteria in plain English at the index date
    new_since: dt.date | None = None  # None: no earlier list to compare with

    def only_new(self) -> InviteList:
        """The list reduced to the patients new since ``new_since``."""
        return dataclasses.replace(self, rows=tuple(r for r in self.rows if r.new))

    def to_json(self) -> dict:
        return {
            "study_id": self.study_id, "title": self.title, "version": self.version,
            "criteria_hash": self.criteria_hash, "list_date": self.list_date.isoformat(),
            "index_date": self.index_date.isoformat(), "fatigue_months": self.fatigue_months,
            "new_since": self.new_since.isoformat() if self.new_since else None,
            "criteria_english": list(self.english), "checklist": list(self.checklist),
            "count": len(self.rows), "new": sum(r.new for r in self.rows),
            "patients": [r.to_json() for r in self.rows],
        }


def fatigue_start(today: dt.date, months: int) -> dt.date:
    """The first day of the fatigue window (calendar months back, month-end clamped)."""
    return months_back(today, months)


def followed_or_recent(app: sa.Engine, study_id: int, today: dt.date,
                       months: int) -> list[int]:
    """The patients the application database says a list must leave out: invited to this
    study or followed by its lifecycle (at any practice), or invited to any study within
    the fatigue window before ``today``."""
    ensure_app_tables(app)
    inv, rs = invitations.c, recruitment_status.c
    this_study = sa.bindparam("study_id", study_id)
    since = sa.bindparam("fatigue_from", fatigue_start(today, months), type_=sa.Date)
    query = sa.union(
        sa.select(inv.patient_id).where(sa.or_(inv.study_id == this_study,
                                               inv.invited_on >= since)),
        sa.select(rs.patient_id).where(rs.study_id == this_study))
    with app.connect() as conn:
        return sorted(conn.execute(query).scalars())


def _not_excluded(study_id: int, today: dt.date, months: int, source: Source,
                  excluded: list[int]) -> sa.ColumnElement[bool]:
    patient, invitation = source.identities, source.invitations
    this_study = sa.bindparam("study_id", study_id)
    # The store's own invitations (as loaded with it), then the application database's.
    same_study = sa.exists().where(invitation.c.patient_id == patient.c.patient_id,
                                   invitation.c.study_id == this_study)
    recent = sa.exists().where(
        invitation.c.patient_id == patient.c.patient_id,
        invitation.c.invited_on >= sa.bindparam("fatigue_from", fatigue_start(today, months),
                                                type_=sa.Date),
    )
    left_out = sent_ids(excluded, "left_out")
    return sa.and_(
        patient.c.date_of_death.is_(None),
        patient.c.registration_end.is_(None),
        patient.c.research_opt_out == sa.false(),
        ~same_study,
        ~recent,
        patient.c.patient_id.not_in(sa.select(left_out.c.patient_id)),
    )


def _invitable(ready: Prepared, study_id: int, fatigue_months: int, today: dt.date,
               practice_id: int | None, source: Source, excluded: list[int]) -> sa.Select:
    """The invitable patients' identifiers (at ``practice_id``; None: every practice)."""
    patient = source.identities
    if patient is None:
        raise ValueError(f"a {source.name} store holds no patient identifiers to invite")
    rules = ready.compiled.patient_rules.subquery()
    where = [rules.c.eligible == 1,
             _not_excluded(study_id, today, fatigue_months, source, excluded)]
    if practice_id is not None:
        at_practice = sa.bindparam("practice_id", practice_id, type_=sa.Integer)
        where += [rules.c.practice_id == at_practice, patient.c.practice_id == at_practice]
    return (sa.select(*(patient.c[name] for name in IDENTIFIERS))
            .select_from(rules.join(patient, patient.c.patient_id == rules.c.patient_id))
            .where(*where)
            .order_by(patient.c.family_name, patient.c.given_name, patient.c.patient_id))


def invite_list(engine: sa.Engine, study: Study, practice_id: int, today: dt.date,
                library: Mapping | None = None, *, new_since: dt.date | None = None,
                with_reasons: bool = True, source: Source = NATIVE,
                app: sa.Engine | None = None) -> InviteList:
    """The approved ``study``'s invitable patients at ``practice_id`` on ``today``.

    ``new_since``: mark the patients not eligible at that date (default: the index date of
    the practice's last list before this one's). ``with_reasons=False`` skips the reasons
    and the marks (when only the ids are wanted, e.g. to check a recording). ``app``: the
    application database (default: the store's own database).
    """
    app = app or engine
    criteria, sent = study_criteria(study, app, source=source)
    excluded = followed_or_recent(app, study.study_id, today, study.fatigue_months)
    with engine.connect() as conn:  # one open of the store for everything
        ready = prepare(conn, criteria, library, source=sent)
        query = _invitable(ready, study.study_id, study.fatigue_months, today, practice_id,
                           source, excluded)
        rows = [InviteRow(*r) for r in conn.execute(query)]
        criteria, index_date = ready.criteria, ready.index_date
        if with_reasons:
            if new_since is None:
                new_since = last_list_dates(app, study.study_id, index_date).get(practice_id)
            check_since(new_since, index_date, "new_since")
            before = (eligible_by_practice(conn, criteria, ready.library, new_since,
                                           practice_id, ready.compiled.source
                                           ).get(practice_id, set())
                      if new_since is not None else None)
            reasons = patient_reasons(conn, criteria, ready.library, index_date,
                                      {r.patient_id: r.date_of_birth for r in rows})
            rows = [dataclasses.replace(r, reasons=reasons[r.patient_id],
                                        new=before is not None and r.patient_id not in before)
                    for r in rows]
    return InviteList(
        study.study_id, study.title, study.approved.version, study.approved.criteria_hash,
        practice_id, today, index_date, study.fatigue_months,
        tuple(s.text for s in criteria.screens), tuple(rows),
        tuple(r.label for r in criteria.rules if r.kind == "include"),
        tuple(explain(criteria, index_date)), new_since if with_reasons else None,
    )


def check_runs(engine: sa.Engine, study: Study, criteria_text: str, today: dt.date,
               library: Mapping | None = None, source: Source = NATIVE,
               app: sa.Engine | None = None) -> int:
    """Run ``criteria_text`` as ``study``'s invite list would, for every practice at once
    (a count), under the engine's limits: what approval checks, so that an approved version
    can always produce its lists. Returns the invitable patients; raises ``CriteriaError``,
    ``StoreError`` (``QueryTooCostly`` past a limit) like ``invite_list``."""
    app = app or engine
    criteria, sent = study_criteria(study, app, criteria_text, source)
    excluded = followed_or_recent(app, study.study_id, today, study.fatigue_months)
    with engine.connect() as conn:
        ready = prepare(conn, criteria, library, source=sent)
        listed = _invitable(ready, study.study_id, study.fatigue_months, today, None,
                            source, excluded).order_by(None)
        return conn.execute(sa.select(sa.func.count()).select_from(listed.subquery())
                            ).scalar_one()


def record_status(engine: sa.Engine, study: Study, practice_id: int,
                  changes: list[lifecycle.Change], today: dt.date,
                  library: Mapping | None = None, *, correction: bool = False,
                  user_id: int | None = None, app: sa.Engine | None = None
                  ) -> lifecycle.Recorded:
    """Record lifecycle ``changes`` for the practice's patients (``lifecycle.record``) in
    the application database ``app`` (default: the store's); a patient new to the study
    must be on the practice's list as of ``today``."""
    app = app or engine

    def listed() -> set[int]:
        found = invite_list(engine, study, practice_id, today, library, with_reasons=False,
                            app=app)
        return {r.patient_id for r in found.rows}

    return lifecycle.record(app, study, practice_id, changes, today, listed,
                            correction=correction, user_id=user_id)


def record_invitations(engine: sa.Engine, study: Study, practice_id: int,
                       patient_ids: list[int], today: dt.date,
                       library: Mapping | None = None, *,
                       app: sa.Engine | None = None) -> lifecycle.Recorded:
    """Record that ``patient_ids`` (from this practice's list) were invited on ``today``."""
    return record_status(engine, study, practice_id,
                         [lifecycle.Change(i, "invited") for i in patient_ids], today, library,
                         app=app)
