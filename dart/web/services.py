"""What a user may do, in one place: the API's views and the dashboard both call these.

``Services`` takes the calling ``User`` on every method, applies the access rules, writes the
audit entry and returns plain JSON-ready results (or result objects), raising a
``ServiceError`` (403, 404, 409, ...) otherwise. No Flask request here.

Access rules (docs/api.md):

- a role that may never do something gets 403, decided before any lookup, so a 403 never
  depends on what exists;
- a study the caller may not see answers 404 exactly as a missing one does: an admin sees
  every study, a sponsor their own, a practice user and a researcher approved ones (and
  only the approved, frozen version of each: no drafts, nothing patient-level);
- a practice user only ever reaches their own practice's patients: the practice comes from
  the user record, never from the request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import threading
from collections.abc import Callable, Iterator, Mapping

import sqlalchemy as sa

from dart.analysis.disclosure import DisclosurePolicy
from dart.recruitment import invites as invite_lists
from dart.recruitment import lifecycle
from dart.recruitment import studies as study_store
from dart.recruitment.rescreen import record_list_run
from dart.recruitment.studies import Study, StudyError, criteria_hash
from dart.store.app_tables import ensure_app_tables
from dart.web import analyses, audit
from dart.web.accounts import User, authenticate, get_user
from dart.web.audit import AuditEntry
from dart.web.errors import BadRequest, Conflict, Forbidden, NotFound, ServiceError
from dart.web.recruiting import RecruitmentServices

ANALYSTS = ("sponsor", "researcher", "admin")
# Roles that read approved studies only, each as its frozen version alone.
APPROVED_READERS = ("practice", "researcher")
STUDY_READERS = ("sponsor", *APPROVED_READERS, "admin")


def _require(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise Forbidden(f"the {user.role} role may not do this")


class Services(RecruitmentServices):
    """DART's operations over one store, for one process (thread-safe)."""

    def __init__(self, engine: sa.Engine, library: Mapping, *,
                 today: Callable[[], dt.date] = dt.date.today,
                 policy: DisclosurePolicy | None = None):
        self.engine = engine
        self.library = library
        self.today = today
        self.policy = policy or DisclosurePolicy()
        # One writer at a time: DuckDB allows one writing transaction per file without
        # conflicts, and the invitation check-then-insert must not interleave.
        self.write_lock = threading.RLock()
        ensure_app_tables(engine)

    # --- users and audit ----------------------------------------------------------------

    def authenticate(self, token: str) -> User | None:
        """The active user holding this bearer token, or None."""
        return authenticate(self.engine, token)

    def sign_in(self, name: str, secret: str) -> User | None:
        """The dashboard's sign-in: the user holding token ``secret`` if also called ``name``.

        Audited either way (``dashboard.sign_in``, ``ok`` or ``unauthorized``); the secret
        never is. A failed attempt names the account only when ``name`` is an active user,
        so text typed into the wrong field (a token as the name) is not logged.
        """
        user = authenticate(self.engine, secret)
        if user is not None and hmac.compare_digest(user.name.encode(), name.encode()):
            self._audit(user, AuditEntry("dashboard.sign_in"), "ok", 200)
            return user
        self._audit(get_user(self.engine, name), AuditEntry("dashboard.sign_in"),
                    "unauthorized", 401)
        return None

    def get_user(self, name: str) -> User | None:
        """The active user called ``name`` (for the dashboard's session), or None."""
        return get_user(self.engine, name)

    @contextlib.contextmanager
    def audited(self, user: User | None, entry: AuditEntry,
                ok_status: int = 200) -> Iterator[AuditEntry]:
        """Run the block and append its audit entry, whatever the outcome."""
        try:
            yield entry
        except ServiceError as exc:
            self._audit(user, entry, exc.code, exc.status)
            raise
        except Exception:
            self._audit(user, entry, "internal_error", 500)
            raise
        self._audit(user, entry, "ok", ok_status)

    def _audit(self, user: User | None, entry: AuditEntry, outcome: str, status: int) -> None:
        with self.write_lock:
            audit.record(self.engine, user, entry, outcome, status)

    def audit_log(self, user: User, *, limit: int = 100, before: int | None = None,
                  action: str | None = None) -> list[dict]:
        """The latest audit entries, newest first (admin only)."""
        _require(user, "admin")
        return audit.read(self.engine, limit=limit, before=before, action=action)

    # --- criteria -----------------------------------------------------------------------

    def check_criteria(self, user: User, text: str) -> dict:
        """Parse and check; ``valid`` with errors (line, column) or what the file says."""
        with self.audited(user, AuditEntry("criteria.check", criteria_hash(text))):
            return analyses.check_summary(text, self.library)

    def feasibility(self, user: User, text: str) -> dict:
        """Feasibility JSON (disclosure-controlled unless the user is an admin)."""
        with self.audited(user, AuditEntry("feasibility", criteria_hash(text))):
            _require(user, *ANALYSTS)
            return analyses.feasibility(self.engine, user, text, self.library, self.policy)

    def representativeness(self, user: User, text: str | None = None,
                           study_id: int | None = None) -> dict:
        """The representativeness report for criteria text or a visible study's criteria."""
        entry = AuditEntry("representativeness", study_id=study_id)
        with self.audited(user, entry):
            _require(user, *ANALYSTS)
            if (text is None) == (study_id is None):
                raise BadRequest("give either 'criteria' or 'study_id'")
            if study_id is not None:
                study = self._visible(user, study_id)
                version = study.approved or study.versions[-1]
                text = version.criteria_text
            entry.criteria_hash = criteria_hash(text)
            return analyses.representativeness(self.engine, user, text, self.library,
                                               self.policy)

    # --- studies ------------------------------------------------------------------------

    def _can_see(self, user: User, study: Study) -> bool:
        if user.role == "admin":
            return True
        if user.role == "sponsor":
            return study.owner_id == user.user_id
        if user.role in APPROVED_READERS:
            return study.status == "approved"
        return False

    def _visible(self, user: User, study_id: int) -> Study:
        study = study_store.get_study(self.engine, study_id)
        if study is None or not self._can_see(user, study):
            raise NotFound("no such study", code="study_not_found")
        return study

    def study_json(self, user: User, study: Study) -> dict:
        """A study as ``user`` may see it: practice users and researchers see only the
        approved (frozen) version."""
        if user.role in APPROVED_READERS:
            return study.to_json(versions=(study.approved,) if study.approved else ())
        return study.to_json()

    def list_studies(self, user: User, status: str | None = None) -> list[Study]:
        """The studies ``user`` may see, oldest first."""
        _require(user, *STUDY_READERS)
        owner = user.user_id if user.role == "sponsor" else None
        if user.role in APPROVED_READERS:
            if status not in (None, "approved"):
                return []
            status = "approved"
        return study_store.list_studies(self.engine, owner_id=owner, status=status)

    def get_study(self, user: User, study_id: int) -> Study:
        """One visible study (404 if missing or hidden from ``user``)."""
        _require(user, *STUDY_READERS)
        return self._visible(user, study_id)

    def create_study(self, user: User, text: str, title: str | None = None,
                     fatigue_months: int = study_store.DEFAULT_FATIGUE_MONTHS) -> Study:
        """A sponsor's new draft study (criteria must check)."""
        with self.audited(user, AuditEntry("study.create", criteria_hash(text)), 201) as e:
            _require(user, "sponsor")
            criteria = analyses.parse_checked(text, self.library)
            title = (title or criteria.study or "").strip()
            if not title:
                raise BadRequest("give a 'title' (the criteria have no 'study' line)")
            with self.write_lock:
                study = study_store.create_study(self.engine, user.user_id, title, text,
                                                 fatigue_months)
            e.study_id = study.study_id
            return study

    def add_version(self, user: User, study_id: int, text: str) -> Study:
        """A new criteria version of the sponsor's own draft study."""
        entry = AuditEntry("study.version", criteria_hash(text), study_id)
        with self.audited(user, entry, 201):
            _require(user, "sponsor")
            self._visible(user, study_id)
            analyses.parse_checked(text, self.library)
            return self._change(study_store.add_version, self.engine, study_id, text,
                                user.user_id)

    def approve_study(self, user: User, study_id: int, version: int | None = None) -> Study:
        """Freeze a version of a draft study (admin); its criteria must still check."""
        with self.audited(user, AuditEntry("study.approve", study_id=study_id)) as entry:
            _require(user, "admin")
            study = self._visible(user, study_id)
            chosen = next((v for v in study.versions if v.version == version),
                          study.versions[-1] if version is None else None)
            if chosen is None:
                raise BadRequest(f"study {study_id} has no version {version}",
                                 code="bad_version")
            entry.criteria_hash = chosen.criteria_hash
            analyses.parse_checked(chosen.criteria_text, self.library)
            return self._change(study_store.approve_study, self.engine, study_id,
                                user.user_id, chosen.version)

    def close_study(self, user: User, study_id: int) -> Study:
        """Close a study (its sponsor or an admin)."""
        with self.audited(user, AuditEntry("study.close", study_id=study_id)):
            _require(user, "sponsor", "admin")
            self._visible(user, study_id)
            return self._change(study_store.close_study, self.engine, study_id)

    def _change(self, func: Callable[..., Study], *args) -> Study:
        with self.write_lock:
            try:
                return func(*args)
            except StudyError as exc:
                raise Conflict(str(exc), code=exc.code) from None

    # --- invite lists -------------------------------------------------------------------

    def invite_list(self, user: User, study_id: int, *, download: bool = False,
                    new_since: dt.date | None = None,
                    only_new: bool = False) -> invite_lists.InviteList:
        """The practice user's invite list for an approved study, each row with its reasons
        and whether it is new since ``new_since`` (default: the practice's last list);
        ``only_new`` keeps the new rows only.

        Audited as ``invites.download`` when it leaves as a CSV file (``download``), else as
        ``invites.view`` (the list shown as JSON or in the dashboard's table).
        """
        entry = AuditEntry("invites.download" if download else "invites.view",
                           study_id=study_id, practice_id=user.practice_id)
        with self.audited(user, entry):
            _require(user, "practice")
            study = self._visible(user, study_id)
            entry.criteria_hash = study.approved.criteria_hash
            try:
                found = invite_lists.invite_list(self.engine, study, user.practice_id,
                                                 self.today(), self.library,
                                                 new_since=new_since)
            except ValueError as exc:
                raise BadRequest(str(exc), code="bad_parameter") from None
            with self.write_lock:
                record_list_run(self.engine, study_id, user.practice_id, found.list_date,
                                found.index_date, len(found.rows))
            if only_new:
                found = found.only_new()
            entry.row_count = len(found.rows)
            return found

    def record_invitations(self, user: User, study_id: int, patient_ids: list[int],
                           status: str = "invited", channel: str | None = None,
                           reason: str | None = None,
                           correction: bool = False) -> lifecycle.Recorded:
        """Record a lifecycle status for the practice user's patients (a patient new to the
        study from their list only; docs/recruitment.md)."""
        changes = [lifecycle.Change(i, status, channel, reason) for i in patient_ids]
        return self.record_changes(user, study_id, changes, correction)

    def record_changes(self, user: User, study_id: int, changes: list[lifecycle.Change],
                       correction: bool = False) -> lifecycle.Recorded:
        """Apply lifecycle changes for the practice user, all or nothing."""
        entry = AuditEntry("invitations.record", study_id=study_id,
                           practice_id=user.practice_id)
        with self.audited(user, entry, 201):
            _require(user, "practice")
            study = self._visible(user, study_id)
            entry.criteria_hash = study.approved.criteria_hash
            with self.write_lock:
                try:
                    done = invite_lists.record_status(
                        self.engine, study, user.practice_id, changes, self.today(),
                        self.library, correction=correction, user_id=user.user_id)
                except lifecycle.LifecycleError as exc:
                    status = Conflict if exc.code == "bad_transition" else BadRequest
                    raise status(str(exc), code=exc.code,
                                 details={"patient_ids": exc.patient_ids}) from None
            entry.row_count = len(done.recorded)
            return done
