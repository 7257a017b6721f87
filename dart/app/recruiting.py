"""The recruitment operations of ``Services`` beyond the list itself: outcomes uploaded as
CSV, the sponsor's newly eligible counts, funnel and forecast, and fair invitations.

A mixin of ``dart.app.services.Services`` (which supplies ``engine``, ``app``, ``library``,
``policy``, ``today``, ``audited`` and ``_visible``), so the access rules stay in one class.
Every count that leaves for a sponsor goes through the disclosure policy; an admin sees
exact counts, as with feasibility.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from criteria_grammar import parse
from criteria_grammar.errors import CriteriaError
from dart.analysis.disclosure import DisclosurePolicy
from dart.app import analyses
from dart.app.accounts import User
from dart.app.audit import AuditEntry
from dart.app.errors import BadRequest, ServiceError
from dart.app.roles import SPONSOR_VIEWS, require
from dart.compiler import explain
from dart.recruitment import concurrent, equity, fair, forecast, funnel, outcomes, rescreen
from dart.recruitment.invites import invite_list
from dart.sources.native import NATIVE
from dart.store.app_tables import users


class RecruitmentServices:
    """Recruitment over time, for ``Services``."""

    @contextmanager
    def _publishing(self, user: User) -> Iterator[DisclosurePolicy]:
        """The policy ``user``'s counts are published under (``analyses.reader``, as
        feasibility's): exact for an admin; else with the deployment's memory of published
        counts, so that a set reads the same here as in every other answer and a set 1..7
        patients from one published before reads as it (docs/disclosure.md, "Across
        answers"). The memory is locked only once a count is published through it."""
        with self._recall() as memory:
            yield analyses.reader(self.policy, user, memory)

    def _approved_for_sponsor(self, user: User, study_id: int):
        require(user, *SPONSOR_VIEWS)
        study = self._visible(user, study_id)
        if study.approved is None:
            raise BadRequest(f"study {study_id} is not approved", code="not_approved")
        return study

    def record_outcomes_csv(self, user: User, study_id: int, text: str):
        """Outcomes uploaded as CSV (``dart.recruitment.outcomes``), recorded all or nothing."""
        require(user, "practice")
        patient = NATIVE.identities
        with self.engine.connect() as conn:
            nhs = {n: i for i, n in conn.execute(
                sa.select(patient.c.patient_id, patient.c.nhs_number).where(
                    patient.c.practice_id == sa.bindparam("practice", user.practice_id)))}
        try:
            changes = outcomes.parse_outcomes(text, nhs)
        except outcomes.OutcomeFileError as exc:
            raise BadRequest(str(exc), code="bad_csv", details={"line": exc.line}) from None
        return self.record_changes(user, study_id, changes)

    def newly_eligible(self, user: User, study_id: int,
                       since: dt.date | None = None) -> dict:
        """Per practice, how many became eligible since ``since`` (default: each practice's
        last list); counts only, disclosed for a sponsor.

        The sponsor chooses ``since``, so each date is a new set of patients: its counts
        are published with the deployment's memory, as feasibility's are, so that two
        dates whose sets are 1..7 patients apart read the same (no look at the patients
        who became eligible between them; docs/disclosure.md, "Across answers")."""
        entry = AuditEntry("recruitment.newly_eligible", study_id=study_id,
                           detail=f"since={since.isoformat()}" if since else None)
        with self.audited(user, entry):
            study = self._approved_for_sponsor(user, study_id)
            self._spend(user)
            try:
                found = rescreen.rescreen(self.engine, study, since=since,
                                          library=self.library, app=self.app)
            except ValueError as exc:
                raise BadRequest(str(exc), code="bad_parameter") from None
            with self._publishing(user) as policy:
                return found.to_json(policy)

    def funnel(self, user: User, study_id: int) -> dict:
        """Eligible, invited, responded, enrolled by practice (disclosed for a sponsor)."""
        with self.audited(user, AuditEntry("recruitment.funnel", study_id=study_id)):
            study = self._approved_for_sponsor(user, study_id)
            found = funnel.funnel(self.engine, study, self.library, app=self.app)
            with self._publishing(user) as policy:
                return found.to_json(policy)

    def forecast(self, user: User, study_id: int, target: int | None = None,
                 months: int = forecast.HISTORY_MONTHS) -> dict:
        """Newly eligible per month and the projected time to ``target`` enrolled."""
        entry = AuditEntry("recruitment.forecast", study_id=study_id,
                           detail=f"months={months}" + (f" target={target}" if target else ""))
        with self.audited(user, entry):
            study = self._approved_for_sponsor(user, study_id)
            # kept per store version (its invitations and enrolments included) and the
            # studies whose enrolments exclude: "My studies" opened again costs no query
            # (its 26 months compiled: 0.2-0.4 s)
            found = self._kept("forecast", study.approved.criteria_text,
                               lambda: forecast.forecast(
                                   self.engine, study, self.library, months=months,
                                   target=target, keys=self.policy.keys, app=self.app),
                               study.study_id, study.design, months, target,
                               tuple(concurrent.other_interventional(self.app, study_id)))
            with self._publishing(user) as policy:
                return found.to_json(policy)

    def stage_representativeness(self, user: User, study_id: int,
                                 stage: str = "eligible") -> dict:
        """The representativeness of the study's eligible, invited or enrolled patients
        (``dart.recruitment.equity``), disclosure-controlled except for an admin."""
        entry = AuditEntry("representativeness", study_id=study_id, detail=f"stage={stage}")
        with self.audited(user, entry):
            study = self._approved_for_sponsor(user, study_id)
            self._spend(user)
            if stage not in equity.STAGES:
                raise BadRequest(f"'stage' must be one of {', '.join(equity.STAGES)}",
                                 code="bad_parameter")
            entry.criteria_text = study.approved.criteria_text
            with self._publishing(user) as policy:
                return equity.stage_representativeness(self.engine, study, stage,
                                                       self.library, policy,
                                                       app=self.app).to_json()

    def fair_invitations(self, user: User, study_id: int, n: int) -> dict:
        """A proposal of ``n`` patients of the practice's list to invite, stratified to match
        the target population, with its representativeness beside a random choice's."""
        with self.audited(user, AuditEntry("invites.view", study_id=study_id,
                                           practice_id=user.practice_id)) as entry:
            require(user, "practice")
            study = self._visible(user, study_id)
            listed = invite_list(self.engine, study, user.practice_id, self.today(),
                                 self.library, with_reasons=False, app=self.app)
            try:
                proposal = fair.propose(self.engine, study, listed, n, self.library,
                                        app=self.app)
            except ValueError as exc:
                raise BadRequest(str(exc), code="bad_parameter") from None
            entry.row_count = len(proposal.chosen)
            return proposal.to_json()

    def study_review(self, user: User, study_id: int) -> dict:
        """What an admin needs to approve a study: its sponsor, the latest version's text
        and plain-English reading, exact feasibility counts now, and the difference from
        the version before."""
        require(user, "admin")
        study = self._visible(user, study_id)
        latest = study.versions[-1]
        with self.app.connect() as conn:
            owner = conn.execute(sa.select(users.c.name).where(
                users.c.user_id == sa.bindparam("owner", study.owner_id))).scalar()
        out = {"id": study.study_id, "title": study.title, "status": study.status,
               "sponsor": owner, "version": latest.version, "versions": len(study.versions),
               "criteria": latest.criteria_text, "english": [], "counts": None,
               "diff": version_diff(study.versions)}
        try:
            out["english"] = explain(parse(latest.criteria_text))
            found = self.feasibility(user, latest.criteria_text)
            out["counts"] = {k: found.get(k) for k in ("base", "population", "eligible")}
        except (CriteriaError, ServiceError) as exc:
            out["error"] = str(exc)
        return out


def version_diff(versions) -> list[str]:
    """A unified diff of the last two criteria versions (empty with one version)."""
    if len(versions) < 2:
        return []
    before, after = versions[-2], versions[-1]
    return list(difflib.unified_diff(
        before.criteria_text.splitlines(), after.criteria_text.splitlines(),
        f"version {before.version}", f"version {after.version}", lineterm=""))
