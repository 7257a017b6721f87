"""A small in-memory ``Backend`` and sample result JSON for the dashboard's unit tests."""

from __future__ import annotations

from dart.app.accounts import User
from dashboards.backend import BackendError, CheckError, CriteriaInvalid

USERS = {"sponsor1": "sponsor", "researcher1": "researcher", "practice1": "practice",
         "admin1": "admin"}

FEASIBILITY = {
    "study": "Test", "index_date": "2026-06-30", "base": 300, "eligible": 150,
    "funnel": [
        {"label": "Aged 40 to 80", "kind": "include", "remaining": 200, "suppressed": False},
        {"label": "Rare", "kind": "include", "remaining": None, "suppressed": True},
    ],
    "unique_impact": [
        {"label": "Aged 40 to 80", "kind": "include", "count": 75, "suppressed": False},
        {"label": "Rare", "kind": "include", "count": None, "suppressed": True},
    ],
    "breakdowns": {
        "region": [{"group": "London", "count": 40, "suppressed": False},
                   {"group": "North East", "count": 0, "suppressed": False},
                   {"group": "Wales", "count": 110, "suppressed": False},
                   {"group": "Scotland", "count": None, "suppressed": True}],
        "nation": [{"group": "England", "count": 40, "suppressed": False},
                   {"group": "Wales", "count": 110, "suppressed": False}],
        "practice": [{"group": "T00001", "name": "Practice one", "count": 40,
                      "suppressed": False, "percent": 26.7},
                     {"group": "T00002", "name": "Practice two", "count": None,
                      "suppressed": True, "percent": None},
                     {"group": "T00003", "name": "Practice three", "count": 0,
                      "suppressed": False, "percent": 0.0}],
        "age_band": [{"group": "35-39", "count": 0, "suppressed": False, "structural": True,
                      "percent": 0.0},
                     {"group": "40-44", "count": 60, "suppressed": False, "percent": 40.0},
                     {"group": "45-49", "count": 90, "suppressed": False, "percent": 60.0}],
        "sex": [{"group": "F", "count": 80, "suppressed": False, "percent": 53.3},
                {"group": "M", "count": 70, "suppressed": False, "percent": 46.7}],
        "ethnicity": [{"group": "white", "count": 150, "suppressed": False, "percent": 100.0},
                      {"group": "mixed", "count": 0, "suppressed": False, "percent": 0.0}],
        "imd_quintile": [{"group": "1", "count": 150, "suppressed": False, "percent": 100.0},
                         {"group": "2", "count": None, "suppressed": True, "percent": None}],
    },
    "screens": ["Willing to attend"],
    "disclosure": {"threshold": 9, "rounding": 5, "applied": True, "marker": "<10"},
}


def _row(group: str, label: str, cohort: float, ratio: float | None) -> dict:
    share = {"count": 10, "share": cohort, "suppressed": False}
    ratios = {} if ratio is None else {
        "target": {"ratio": ratio, "lower": ratio - 0.1, "upper": ratio + 0.2, "flag": None}}
    return {"group": group, "label": label, "known": ratio is not None, "cohort": share,
            "references": {"target": {"count": 20, "share": 0.5, "suppressed": False}},
            "ratios": ratios}


REPORT = {
    "study": "Test", "cohort": {"total": 150, "suppressed": False},
    "references": [{"key": "target", "label": "Target population", "available": True},
                   {"key": "uk", "label": "UK population", "available": False}],
    "thresholds": {"under": 0.8, "over": 1.25},
    "dimensions": [{"key": "sex", "label": "Sex", "note": None, "groups": [
        _row("F", "Female", 0.6, 1.2), _row("M", "Male", 0.4, 0.8),
        _row("unknown", "Unknown", 0.0, None)]}],
    "rule_impact": {"reference": "target", "rules": [
        {"label": "Aged 40 to 80", "changes": [
            {"dimension": "sex", "group": "F", "label": "Female", "change": -0.3},
            {"dimension": "sex", "group": "M", "label": "Male", "change": 0.1}]}]},
    "summary": ["The eligible cohort holds 150 patients (rounded)."],
    "notes": ["A note."],
}

# A trial profile as Services.trial_profile gives it (disclosed): one code never seen, one
# practice not up to standard holding 40 of the 150 eligible.
TRIAL_PROFILE = {
    "codes": [{"codeset": "t2dm", "code": "44054006", "records": 120, "patients": 90,
               "suppressed": []},
              {"codeset": "t2dm", "code": "313436004", "records": None, "patients": None,
               "suppressed": ["patients", "records"]}],
    "never_seen": [{"codeset": "t2dm", "code": "99999999"}],
    "practices_not_up_to_standard": ["T00002"],
    "eligible": 150, "eligible_not_up_to_standard": 40, "suppressed": [],
    "disclosure": {"applied": True, "marker": "<8", "threshold": 7},
}


class FakeBackend:
    """Users whose secret is ``<name>-token``; criteria valid unless they contain 'oops'."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.closed: set[str] = set()

    def sign_in(self, name: str, secret: str, client: str | None = None) -> User | None:
        return self.get_user(name) if secret == f"{name}-token" else None

    def open_session(self, user: User) -> str:
        self.closed.discard(user.name)
        return user.name  # a session id that is the user's name

    def session_user(self, session_id: str) -> User | None:
        return None if session_id in self.closed else self.get_user(session_id)

    def close_session(self, session_id: str, user: User | None) -> None:
        self.closed.add(session_id)

    def get_user(self, name: str) -> User | None:
        role = USERS.get(name)
        if role is None:
            return None
        return User(list(USERS).index(name) + 1, name, role,
                    1 if role == "practice" else None)

    def examples(self) -> dict[str, str]:
        return {"first": 'include "Adults": age >= 18\n', "second": "include age >= 65\n"}

    def check(self, text: str) -> CheckError | None:
        for number, line in enumerate(text.splitlines(), 1):
            if "oops" in line:
                return CheckError(number, line.index("oops") + 1, "unexpected 'oops'",
                                  source_line=line)
        return None

    def feasibility(self, user, text):
        self.calls.append(("feasibility", user.name))
        error = self.check(text)
        if error is not None:
            raise CriteriaInvalid(error)
        return FEASIBILITY

    def trial_profile(self, user, text):
        self.calls.append(("trial_profile", user.name, text))
        return TRIAL_PROFILE

    def save_study(self, user, text):
        return {"id": 7, "title": "Test", "status": "draft"}

    def studies(self, user):
        return [{"id": 3, "title": "Approved study", "status": "approved"}]

    def representativeness(self, user, *, study_id=None, text=None):
        self.calls.append(("representativeness", user.name, study_id, text))
        if study_id not in (None, 3):
            raise BackendError("no such study")
        return REPORT

    def my_studies(self, user):
        return [{"id": 3, "title": "Approved study", "status": "approved",
                 "approved_version": 1, "funnel": {
                     "disclosure": {"threshold": 7},
                     "total": [{"stage": "eligible", "count": 150},
                               {"stage": "invited", "count": None, "suppressed": True},
                               {"stage": "responded", "count": 0},
                               {"stage": "enrolled", "count": 0}]}},
                {"id": 4, "title": "Draft", "status": "draft"}]

    def forecast(self, user, study_id, target):
        if study_id != 3:
            raise BackendError("no such study")
        return {"months": [{"month": "2026-06", "newly_eligible": {"count": 10}}],
                "projection": None}

    def invite_studies(self, user):
        return [{"id": 1, "title": "Study one", "status": "approved"}]

    def invite_list(self, user, study_id):
        if study_id != 1:
            raise BackendError("no such study")
        return {"list_date": "2026-07-15", "index_date": "2026-06-30",
                "new_since": "2026-01-31", "criteria_english": ["include age >= 18"],
                "patients": [{"patient_id": 5, "nhs_number": "9990000050", "sex": "F",
                              "new": True, "reasons": [{"rule": "Adults", "text": "age 56"}]},
                             {"patient_id": 6, "nhs_number": "9990000069", "sex": "F",
                              "new": False, "reasons": []}]}

    def invite_csv(self, user, study_id):
        return "patient_id\n5\n"

    def record_status(self, user, study_id, patient_ids, status="invited", channel=None,
                      reason=None):
        self.calls.append(("record_status", study_id, list(patient_ids), status, channel,
                           reason))
        if status == "enrolled":
            raise BackendError("1 patient(s) cannot move to that status from the one recorded")
        return len(patient_ids)

    def study_review(self, user, study_id):
        if study_id != 2:
            raise BackendError("no such study")
        return {"id": 2, "title": "Pending", "status": "draft", "sponsor": "sponsor1",
                "version": 2, "versions": 2, "criteria": "include age >= 18\n",
                "english": ["include: aged at least 18"],
                "counts": {"base": 1000, "population": 1000, "eligible": 800},
                "diff": ["--- version 1", "+++ version 2", "-include age >= 16",
                         "+include age >= 18"]}

    def pending_studies(self, user):
        return [{"id": 2, "title": "Pending", "status": "draft", "versions": [{}]}]

    def set_study_status(self, user, study_id, action):
        return {"id": study_id, "status": "approved" if action == "approve" else "closed"}

    def usage(self, user):
        return [{"name": "sponsor1", "role": "sponsor", "used": 3, "remaining": 47,
                 "retry_after": None}]

    def audit_log(self, user, limit=200):
        return [{"id": 1, "at": "2026-06-30T10:00:00", "user": "admin1", "action": "x",
                 "extra": "hidden"}]
