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
import copy
import datetime as dt
import hmac
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

import sqlalchemy as sa

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.disclosure.memory import PublishedCells
from dart.analysis.feasibility import criteria_hash
from dart.app import analyses, sessions
from dart.app.accounts import User, get_user, list_users, user_for_token
from dart.app.audit import AuditEntry, AuditLog
from dart.app.budget import COUNTED_ACTIONS, QueryBudget
from dart.app.errors import (
    BadRequest,
    Conflict,
    NotFound,
    ServiceError,
    TooCostly,
)
from dart.app.recruiting import RecruitmentServices
from dart.app.result_cache import ResultCache, store_version
from dart.app.roles import (
    ANALYSTS,
    APPROVED_READERS,
    STUDY_READERS,
    require,
    sees_exact,
)
from dart.recruitment import invites as invite_lists
from dart.recruitment import lifecycle
from dart.recruitment import studies as study_store
from dart.recruitment.invitations import with_invitations
from dart.recruitment.rescreen import record_list_run
from dart.recruitment.studies import Study, StudyError
from dart.sources.native import NATIVE
from dart.store.app_tables import ensure_app_tables, utcnow
from dart.store.engine import StoreError, store_info
from dart.store.limits import QueryTooCostly

T = TypeVar("T")


class Services(RecruitmentServices):
    """DART's operations over one store, for one process (thread-safe)."""

    def __init__(self, engine: sa.Engine, library: Mapping, *,
                 app: sa.Engine | None = None,
                 today: Callable[[], dt.date] = dt.date.today,
                 policy: DisclosurePolicy | None = None,
                 budget: QueryBudget | None = None,
                 clock: Callable[[], dt.datetime] = utcnow):
        self.engine = engine  # the record store (read only)
        self.app = app or engine  # the application database: users, studies, audit, ...
        self.library = library
        self.today = today
        self.policy = policy or DisclosurePolicy()
        self.budget = budget or QueryBudget()
        self.clock = clock
        # One writer at a time: DuckDB allows one writing transaction per file without
        # conflicts, and the invitation check-then-insert must not interleave.
        self.write_lock = threading.RLock()
        self.log = AuditLog(self.app, self.write_lock, clock)
        # Results per criteria and store version (dart.app.result_cache).
        self.results = ResultCache()
        ensure_app_tables(self.app)
        # What was published before: a set within a few patients of one reads as it did.
        self.published = PublishedCells(self.app, self.write_lock)

    @property
    def source(self):
        """The store's source for one request: its invitations as the application database
        holds them now (read when a query first needs them)."""
        return with_invitations(NATIVE, self.app)

    # --- users, sessions and audit --------------------------------------------------------

    def user_for_token(self, token: str) -> User | None:
        """The active user holding this bearer token, or None."""
        return user_for_token(self.app, token)

    def sign_in(self, name: str, secret: str, client: str | None = None) -> User | None:
        """The dashboard's sign-in: the user holding token ``secret`` if also called ``name``.

        Audited either way (``dashboard.sign_in``, ``ok`` or ``unauthorized``); the secret
        never is. A failed attempt names the account only when ``name`` is an active user,
        so text typed into the wrong field (a token as the name) is not logged.
        """
        entry = AuditEntry("dashboard.sign_in", client=client)
        user = user_for_token(self.app, secret)
        if user is not None and hmac.compare_digest(user.name.encode(), name.encode()):
            self._audit(user, entry, "ok", 200)
            return user
        self._audit(get_user(self.app, name), entry, "unauthorized", 401)
        return None

    def get_user(self, name: str) -> User | None:
        """The active user called ``name``, or None."""
        return get_user(self.app, name)

    def open_session(self, user: User) -> str:
        """A new dashboard session for ``user``: its id, for the cookie only."""
        with self.write_lock:
            return sessions.open_session(self.app, user, self.clock())

    def session_user(self, session_id: str) -> User | None:
        """The active user of an open, unexpired dashboard session, or None."""
        return sessions.session_user(self.app, session_id, self.clock())

    def close_session(self, session_id: str, user: User | None = None) -> None:
        """End a dashboard session: its cookie stops working at once (audited)."""
        with self.write_lock:
            sessions.close_session(self.app, session_id)
        self._audit(user, AuditEntry("dashboard.sign_out"), "ok", 200)

    @contextlib.contextmanager
    def audited(self, user: User | None, entry: AuditEntry,
                ok_status: int = 200) -> Iterator[AuditEntry]:
        """Write the entry's start, run the block, then write its outcome, whatever it is."""
        start_id = self.log.start(user, entry)
        try:
            try:
                yield entry
            except QueryTooCostly as exc:
                raise TooCostly(f"{exc}: simplify the criteria or try again later",
                                details={"limit": exc.limit}) from None
        except ServiceError as exc:
            self.log.end(start_id, user, entry, exc.code, exc.status)
            raise
        except Exception:
            self.log.end(start_id, user, entry, "internal_error", 500)
            raise
        self.log.end(start_id, user, entry, "ok", ok_status)

    def _audit(self, user: User | None, entry: AuditEntry, outcome: str, status: int) -> None:
        """An action that is over as soon as it starts: both entries at once."""
        self.log.end(self.log.start(user, entry), user, entry, outcome, status)

    def audit_log(self, user: User, *, limit: int = 100, before: int | None = None,
                  action: str | None = None) -> list[dict]:
        """The latest audit entries, newest first (admin only)."""
        require(user, "admin")
        return self.log.read(limit=limit, before=before, action=action)

    # --- query budget --------------------------------------------------------------------

    def _spend(self, user: User) -> None:
        """Refuse (429) a budgeted user's query once their window's budget is spent."""
        if not self.budget.applies_to(user.role):
            return
        now = self.clock()
        used = self.log.answered(COUNTED_ACTIONS, self.budget.since(now), user.user_id)
        self.budget.check([at for _, at in used], now)

    def usage(self, user: User) -> dict:
        """Each budgeted user's answers in the current window (admin only)."""
        require(user, "admin")
        now = self.clock()
        answered = self.log.answered(COUNTED_ACTIONS, self.budget.since(now))
        return self.budget.usage(list_users(self.app), answered, now)

    # --- criteria -----------------------------------------------------------------------

    def check_criteria(self, user: User, text: str) -> dict:
        """Parse and check; ``valid`` with errors (line, column) or what the file says."""
        with self.audited(user, AuditEntry("criteria.check", text)):
            return analyses.check_summary(text, self.library, self._extract_date(),
                                          self.engine)

    def _extract_date(self) -> dt.date | None:
        """The store's extract date, for the index-after-extract warning (None if unknown)."""
        try:
            return dt.date.fromisoformat(store_info(self.engine)["extract_date"])
        except (KeyError, ValueError, sa.exc.SQLAlchemyError):
            return None

    def feasibility(self, user: User, text: str, *, up_to_standard: bool = False) -> dict:
        """Feasibility JSON (disclosure-controlled unless the user is an admin);
        ``up_to_standard``: only acceptable patients of up-to-standard practices."""
        entry = AuditEntry("feasibility", text,
                           detail="up_to_standard" if up_to_standard else None)
        with self.audited(user, entry):
            require(user, *ANALYSTS)
            self._spend(user)
            result = self.feasibility_result(text, up_to_standard=up_to_standard)
            with self._recall() as memory:
                return analyses.publish(result, user, self.policy, memory)

    def feasibility_result(self, text: str, *, up_to_standard: bool = False):
        """The exact ``FeasibilityResult`` of criteria text, kept per store version (the
        caller audits and publishes it)."""
        return self._kept("feasibility", text, lambda: analyses.feasibility_result(
            self.engine, text, self.library, self.policy, self.source,
            up_to_standard=up_to_standard), up_to_standard)

    def _recall(self):
        """The counts published before, for publishing one answer under ``policy``."""
        return self.published.recall(self.policy.threshold, self.policy.copies_accurate_from)

    def _kept(self, kind: str, text: str | None, compute: Callable[[], T], *more) -> T:
        """``compute()``, or the result kept for the same criteria text, store version
        and ``more`` (e.g. whether counts are exact)."""
        key = (kind, None if text is None else criteria_hash(text),
               store_version(self.engine, self.app), *more)
        return self.results.get(key, compute)

    def representativeness(self, user: User, text: str | None = None,
                           study_id: int | None = None) -> dict:
        """The representativeness report for criteria text or a visible study's criteria."""
        entry = AuditEntry("representativeness", study_id=study_id)
        with self.audited(user, entry):
            require(user, *ANALYSTS)
            self._spend(user)
            if (text is None) == (study_id is None):
                raise BadRequest("give either 'criteria' or 'study_id'")
            if study_id is not None:
                study = self._visible(user, study_id)
                version = study.approved or study.versions[-1]
                text = version.criteria_text
            entry.criteria_text = text
            def compute() -> dict:
                with self._recall() as memory:
                    return analyses.representativeness(
                        self.engine, user, text, self.library, self.policy, self.source,
                        memory)

            report = self._kept("representativeness", text, compute, sees_exact(user.role))
            return copy.deepcopy(report)

    def profile(self, user: User) -> dict:
        """The store's data-quality profile: aggregates only; exact for an admin, every
        count disclosure-controlled for the other analysts."""
        with self.audited(user, AuditEntry("profile")):
            require(user, *ANALYSTS)
            from dart.analysis.profile import run_profile

            # The exact profile is kept per store version: 75 s at a million patients.
            result = self._kept("profile", None, lambda: run_profile(self.engine, self.library))
            if not sees_exact(user.role):
                result = result.disclosed(self.policy)
            return result.to_json()

    def trial_profile(self, user: User, text: str) -> dict:
        """The data behind criteria: per code of the code sets they use, its records and
        patients; the codes never seen in the store; the eligible at practices not up to
        standard (docs/profile.md). Exact for an admin, disclosed for the other analysts.

        Audited (``feasibility.profile``). Its per-code counts do not depend on the rules;
        its eligible counts are the criteria's feasibility answer as published (the same
        count, and the sum of the published practice cells, shown only when all are), so
        it costs an answer of the budget unless this user had that answer in the window
        (the workbench asks for both)."""
        from dart.analysis.profile.run import practice_profiles
        from dart.analysis.profile.trial import trial_profile

        # Counted as the feasibility answer it gives, unless this user had that answer.
        covered = not self.budget.applies_to(user.role) or bool(self.log.answered(
            ("feasibility",), self.budget.since(self.clock()), user.user_id, text))
        entry = (AuditEntry("feasibility.profile", text) if covered
                 else AuditEntry("feasibility", text, detail="profile"))
        with self.audited(user, entry):
            require(user, *ANALYSTS)
            result = self.feasibility_result(text)  # checks the text, or was kept
            practices = self._kept("practices", None, lambda: practice_profiles(self.engine))
            trial = self._kept("trial_profile", text, lambda: trial_profile(
                self.engine, analyses.parse_checked(text, self.library).criteria,
                self.library, result, practices))
            if sees_exact(user.role):
                return trial.to_json()
            if entry.action == "feasibility":
                self._spend(user)
            with self._recall() as memory:
                published = analyses.publish(result, user, self.policy, memory)
            cells = {c["group"]: c["count"] for c in published["breakdowns"].get("practice", [])}
            return trial.disclosed(self.policy, cells, published["eligible"]).to_json()

    # --- studies ------------------------------------------------------------------------

    def _can_see(self, user: User, study: Study) -> bool:
        if user.role == "admin":  # an admin reviews and approves every study
            return True
        if user.role == "sponsor":
            return study.owner_id == user.user_id
        if user.role in APPROVED_READERS:
            return study.status == "approved"
        return False

    def _visible(self, user: User, study_id: int) -> Study:
        study = study_store.get_study(self.app, study_id)
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
        require(user, *STUDY_READERS)
        owner = user.user_id if user.role == "sponsor" else None
        if user.role in APPROVED_READERS:
            if status not in (None, "approved"):
                return []
            status = "approved"
        return study_store.list_studies(self.app, owner_id=owner, status=status)

    def get_study(self, user: User, study_id: int) -> Study:
        """One visible study (404 if missing or hidden from ``user``)."""
        require(user, *STUDY_READERS)
        return self._visible(user, study_id)

    def create_study(self, user: User, text: str, title: str | None = None,
                     fatigue_months: int = study_store.DEFAULT_FATIGUE_MONTHS,
                     design: str = "interventional") -> Study:
        """A sponsor's new draft study (criteria must check); ``design``: interventional
        or observational (docs/recruitment.md, concurrent trials)."""
        with self.audited(user, AuditEntry("study.create", text), 201) as e:
            require(user, "sponsor")
            checked = analyses.parse_checked(text, self.library)
            title = (title or checked.criteria.study or "").strip()
            if not title:
                raise BadRequest("give a 'title' (the criteria have no 'study' line)")
            with self.write_lock:
                study = study_store.create_study(self.app, user.user_id, title, text,
                                                 fatigue_months, design)
            e.study_id = study.study_id
            return study

    def add_version(self, user: User, study_id: int, text: str) -> Study:
        """A new criteria version of the sponsor's own draft study."""
        entry = AuditEntry("study.version", text, study_id)
        with self.audited(user, entry, 201):
            require(user, "sponsor")
            self._visible(user, study_id)
            analyses.parse_checked(text, self.library)
            return self._change(study_store.add_version, self.app, study_id, text,
                                user.user_id)

    def approve_study(self, user: User, study_id: int, version: int | None = None) -> Study:
        """Freeze a version of a draft study (admin); its criteria must still check."""
        with self.audited(user, AuditEntry("study.approve", study_id=study_id)) as entry:
            require(user, "admin")
            study = self._visible(user, study_id)
            chosen = next((v for v in study.versions if v.version == version),
                          study.versions[-1] if version is None else None)
            if chosen is None:
                raise BadRequest(f"study {study_id} has no version {version}",
                                 code="bad_version")
            entry.criteria_text = chosen.criteria_text
            analyses.parse_checked(chosen.criteria_text, self.library)
            self._check_runs(study, chosen.criteria_text)
            return self._change(study_store.approve_study, self.app, study_id,
                                user.user_id, chosen.version)

    def _check_runs(self, study: Study, text: str) -> None:
        """Approval runs the invite list's query against the store, under the query
        limits: a version that cannot produce its lists is refused (409 not_approvable)."""
        try:
            invite_lists.check_runs(self.engine, study, text, self.today(), self.library,
                                    app=self.app)
        except QueryTooCostly as exc:
            raise Conflict(f"cannot approve: {exc}; simplify the criteria",
                           code="not_approvable", details={"limit": exc.limit}) from None
        except StoreError as exc:
            raise Conflict(f"cannot approve: {exc}", code="not_approvable") from None

    def close_study(self, user: User, study_id: int) -> Study:
        """Close a study (its sponsor or an admin)."""
        with self.audited(user, AuditEntry("study.close", study_id=study_id)):
            require(user, "sponsor", "admin")
            self._visible(user, study_id)
            return self._change(study_store.close_study, self.app, study_id)

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
                           study_id=study_id, practice_id=user.practice_id,
                           detail=f"new_since={new_since.isoformat()}" if new_since else None)
        with self.audited(user, entry):
            require(user, "practice")
            study = self._visible(user, study_id)
            entry.criteria_text = study.approved.criteria_text
            try:
                found = invite_lists.invite_list(self.engine, study, user.practice_id,
                                                 self.today(), self.library,
                                                 new_since=new_since, app=self.app)
            except ValueError as exc:
                raise BadRequest(str(exc), code="bad_parameter") from None
            with self.write_lock:
                record_list_run(self.app, study_id, user.practice_id, found.list_date,
                                found.index_date, len(found.rows))
            if only_new:
                found = found.only_new()
            entry.row_count = len(found.rows)
            entry.patient_ids = [row.patient_id for row in found.rows]
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
                           practice_id=user.practice_id,
                           patient_ids=[c.patient_id for c in changes])
        with self.audited(user, entry, 201):
            require(user, "practice")
            study = self._visible(user, study_id)
            entry.criteria_text = study.approved.criteria_text
            with self.write_lock:
                try:
                    done = invite_lists.record_status(
                        self.engine, study, user.practice_id, changes, self.today(),
                        self.library, correction=correction, user_id=user.user_id,
                        app=self.app)
                except lifecycle.LifecycleError as exc:
                    status = Conflict if exc.code == "bad_transition" else BadRequest
                    raise status(str(exc), code=exc.code,
                                 details={"patient_ids": exc.patient_ids}) from None
            entry.row_count = len(done.recorded)
            entry.patient_ids = done.recorded  # the start entry holds the ids asked for
            return done
