"""What the dashboard needs from DART, as one small interface (a port).

The dashboard never talks to the store itself: every number comes from the same services
functions the API uses (``dart.app.services``), called with the signed-in user so the same
access rules apply. The signed-in user is the services' own ``User``. ``Backend`` lists
exactly the calls the views make; ``dashboards.services_backend`` implements it over
``dart.app.services`` (turning service errors into messages for the page), and the unit
tests pass an in-memory one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dart.app.accounts import User


@dataclass(frozen=True)
class CheckError:
    """A criteria error at ``line``:``col`` (1-based), ready to show next to the text."""

    line: int
    col: int
    message: str
    code: str = "syntax"
    source_line: str = ""
    suggestion: str | None = None

    def caret(self) -> str:
        """The source line with a caret under the fault, as the CLI prints it."""
        return f"{self.source_line}\n{' ' * max(self.col - 1, 0)}^"


class BackendError(Exception):
    """A refusal or failure the user should read (not found, not allowed, bad state)."""


class CriteriaInvalid(BackendError):
    """Criteria text that does not check; carries the ``CheckError``."""

    def __init__(self, error: CheckError) -> None:
        super().__init__(error.message)
        self.error = error


class Backend(Protocol):
    """The calls the dashboard makes; each takes the user and applies the API's rules."""

    def sign_in(self, name: str, secret: str, client: str | None = None) -> User | None:
        """The user whose name and secret (API token) match, else None; audited with the
        client's address."""

    def open_session(self, user: User) -> str:
        """A new server-side session for ``user``: its id, to keep in the cookie."""

    def session_user(self, session_id: str) -> User | None:
        """The user of an open session as they are now, or None (closed or unknown)."""

    def close_session(self, session_id: str, user: User | None) -> None:
        """Sign out: the session stops working at once."""

    def examples(self) -> Mapping[str, str]:
        """Example criteria files: name → text."""

    def check(self, text: str) -> CheckError | None:
        """Parse and check criteria text; the first error, or None if it is valid."""

    def feasibility(self, user: User, text: str) -> Mapping[str, Any]:
        """The disclosure-controlled feasibility result's JSON (raises CriteriaInvalid)."""

    def trial_profile(self, user: User, text: str) -> Mapping[str, Any]:
        """The data behind criteria (``dart.analysis.profile.trial``'s JSON, disclosed):
        per-code records and patients, codes never seen, the eligible at practices not up
        to standard."""

    def save_study(self, user: User, text: str) -> Mapping[str, Any]:
        """Save criteria as a study of ``user`` (awaiting approval); the study's JSON."""

    def studies(self, user: User) -> Sequence[Mapping[str, Any]]:
        """The studies ``user`` may see: id, title, status, ..."""

    def representativeness(
        self, user: User, *, study_id: int | None = None, text: str | None = None
    ) -> Any:
        """The representativeness result for a study or for pasted criteria."""

    def my_studies(self, user: User) -> Sequence[Mapping[str, Any]]:
        """The sponsor's studies, each approved one with its ``funnel`` (disclosed)."""

    def forecast(self, user: User, study_id: int, target: int | None) -> Mapping[str, Any]:
        """A study's forecast JSON (disclosed)."""

    def invite_studies(self, user: User) -> Sequence[Mapping[str, Any]]:
        """Approved studies recruiting at the practice user's practice."""

    def invite_list(self, user: User, study_id: int) -> Mapping[str, Any]:
        """The practice user's invite list for a study, to show: the list's JSON (dates,
        ``criteria_english``, ``new_since``, ``patients``: one dict per patient)."""

    def invite_csv(self, user: User, study_id: int) -> str:
        """The same list as CSV text to download (the API's CSV)."""

    def record_status(self, user: User, study_id: int, patient_ids: Sequence[int],
                      status: str = "invited", channel: str | None = None,
                      reason: str | None = None) -> int:
        """Record a lifecycle status for the patients; how many changed."""

    def study_review(self, user: User, study_id: int) -> Mapping[str, Any]:
        """A study laid out for approval (admin only): sponsor, criteria, plain English,
        exact counts, the diff from the previous version."""

    def pending_studies(self, user: User) -> Sequence[Mapping[str, Any]]:
        """Studies awaiting approval (admin only)."""

    def set_study_status(self, user: User, study_id: int, action: str) -> Mapping[str, Any]:
        """``approve`` or ``close`` a study (admin only); the study's JSON."""

    def audit_log(self, user: User, limit: int = 200) -> Sequence[Mapping[str, Any]]:
        """The latest audit entries, newest first (admin only)."""

    def usage(self, user: User) -> Sequence[Mapping[str, Any]]:
        """Each budgeted user's query-budget use: name, role, used, remaining (admin only)."""
