"""The dashboard's ``Backend`` over ``dart.app.services.Services`` (the API's own rules).

Every call goes through the same ``Services`` object the API uses (``app.extensions["dart"]``),
so access rules, disclosure control and the audit log are the API's. The one exception is the
check-as-you-type: it calls the same pure ``check_summary`` the API's ``/criteria/check``
uses, without an audit entry per keystroke (it reads no data). Sign-ins are audited by
``Services.sign_in``; showing an invite list is ``invites.view``, its CSV ``invites.download``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import flask

from dart.app import analyses
from dart.app.accounts import User
from dart.app.errors import ServiceError
from dart.reports.invite_list_csv import invite_list_csv
from dashboards.backend import BackendError, CheckError, CriteriaInvalid

EXAMPLES = Path(__file__).resolve().parents[1] / "sample_data" / "criteria"


def _check_error(details: Mapping[str, Any]) -> CheckError:
    first = (details.get("errors") or [{}])[0]
    return CheckError(int(first.get("line", 1)), int(first.get("column", 1)),
                      str(first.get("message", "invalid criteria")),
                      str(first.get("code", "syntax")), str(first.get("source_line", "")),
                      first.get("suggestion"))


def _translate(exc: ServiceError) -> BackendError:
    if exc.code == "criteria_error":
        return CriteriaInvalid(_check_error(exc.details))
    return BackendError(exc.message)


class ServicesBackend:
    """``Backend`` for a Flask app made by ``dart.web.create_app``."""

    def __init__(self, server: flask.Flask, examples_dir: Path | None = None) -> None:
        self.server = server
        self.examples_dir = Path(server.config.get("DART_EXAMPLES_DIR") or examples_dir
                                 or EXAMPLES)

    @property
    def services(self):
        """The app's ``Services`` (created by ``create_app``)."""
        return self.server.extensions["dart"]

    def _call(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ServiceError as exc:
            raise _translate(exc) from None

    # --- users ---------------------------------------------------------------------------

    def sign_in(self, name: str, secret: str, client: str | None = None) -> User | None:
        """The user holding token ``secret``, if it is also called ``name`` (audited)."""
        return self.services.sign_in(name, secret, client)

    def open_session(self, user: User) -> str:
        return self.services.open_session(user)

    def session_user(self, session_id: str) -> User | None:
        return self.services.session_user(session_id)

    def close_session(self, session_id: str, user: User | None) -> None:
        self.services.close_session(session_id, user)

    # --- criteria ------------------------------------------------------------------------

    def examples(self) -> dict[str, str]:
        return {p.stem: p.read_text(encoding="utf-8")
                for p in sorted(self.examples_dir.glob("*.criteria"))}

    def check(self, text: str) -> CheckError | None:
        try:
            summary = analyses.check_summary(text, self.services.library)
        except ServiceError as exc:  # e.g. too large
            return CheckError(1, 1, exc.message, exc.code)
        return None if summary["valid"] else _check_error(summary)

    def feasibility(self, user: User, text: str) -> dict:
        return self._call(self.services.feasibility, user, text)

    def trial_profile(self, user: User, text: str) -> dict:
        return self._call(self.services.trial_profile, user, text)

    def save_study(self, user: User, text: str) -> dict:
        study = self._call(self.services.create_study, user, text)
        return self.services.study_json(user, study)

    def studies(self, user: User) -> list[dict]:
        found = self._call(self.services.list_studies, user)
        return [self.services.study_json(user, s) for s in found]

    def representativeness(self, user: User, *, study_id: int | None = None,
                           text: str | None = None) -> dict:
        return self._call(self.services.representativeness, user, text=text,
                          study_id=study_id)

    # --- recruitment (sponsor) ----------------------------------------------------------

    def my_studies(self, user: User) -> list[dict]:
        found = self._call(self.services.list_studies, user)
        out = []
        for study in found:
            body = self.services.study_json(user, study)
            if study.status == "approved":
                body["funnel"] = self._call(self.services.funnel, user, study.study_id)
            out.append(body)
        return out

    def forecast(self, user: User, study_id: int, target: int | None) -> dict:
        return self._call(self.services.forecast, user, study_id, target)

    # --- invite lists --------------------------------------------------------------------

    def invite_studies(self, user: User) -> list[dict]:
        if user.role != "practice":
            return []
        return self.studies(user)

    def invite_list(self, user: User, study_id: int) -> dict:
        found = self._call(self.services.invite_list, user, study_id, download=False)
        checklist = "; ".join(found.checklist)
        body = found.to_json()
        body["patients"] = [{**row, **({"checklist": checklist} if checklist else {})}
                            for row in body["patients"]]
        return body

    def invite_csv(self, user: User, study_id: int) -> str:
        return invite_list_csv(
            self._call(self.services.invite_list, user, study_id, download=True))

    def record_status(self, user: User, study_id: int, patient_ids: Sequence[int],
                      status: str = "invited", channel: str | None = None,
                      reason: str | None = None) -> int:
        done = self._call(self.services.record_invitations, user, study_id,
                          list(patient_ids), status, channel, reason)
        return len(done.recorded)

    # --- administration ------------------------------------------------------------------

    def study_review(self, user: User, study_id: int) -> dict:
        return self._call(self.services.study_review, user, study_id)

    def pending_studies(self, user: User) -> list[dict]:
        found = self._call(self.services.list_studies, user, status="draft")
        return [self.services.study_json(user, s) for s in found]

    def set_study_status(self, user: User, study_id: int, action: str) -> dict:
        if action == "approve":
            study = self._call(self.services.approve_study, user, study_id)
        elif action == "close":
            study = self._call(self.services.close_study, user, study_id)
        else:
            raise BackendError(f"unknown action {action!r}")
        return self.services.study_json(user, study)

    def audit_log(self, user: User, limit: int = 200) -> list[dict]:
        return self._call(self.services.audit_log, user, limit=limit)

    def usage(self, user: User) -> list[dict]:
        return self._call(self.services.usage, user)["users"]
