"""The audit log: who signed in, ran which criteria, saw or downloaded which list, recorded
which invitations.

Append-only by construction: this module only inserts and reads; nothing in DART updates
or deletes an ``audit_log`` row. An entry is written whatever the outcome (a refused or
failed request is recorded with its error code), so the log shows attempts too.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from dart.store.app_tables import audit_log
from dart.web.accounts import User, utcnow

ACTIONS = (
    "criteria.check", "feasibility", "representativeness", "study.create", "study.version",
    "study.approve", "study.close", "invites.view", "invites.download", "invitations.record",
    "dashboard.sign_in", "recruitment.newly_eligible", "recruitment.funnel",
    "recruitment.forecast",
)


@dataclass
class AuditEntry:
    """What one action touched; filled in as the action runs, written when it ends."""

    action: str
    criteria_hash: str | None = None
    study_id: int | None = None
    practice_id: int | None = None
    row_count: int | None = None


def record(engine: sa.Engine, user: User | None, entry: AuditEntry, outcome: str,
           status: int) -> None:
    """Append one entry."""
    with engine.begin() as conn:
        conn.execute(audit_log.insert().values(
            at=utcnow(),
            user_id=user.user_id if user else None,
            user_name=user.name if user else None,
            role=user.role if user else None,
            action=entry.action, outcome=outcome, status=status,
            criteria_hash=entry.criteria_hash, study_id=entry.study_id,
            practice_id=entry.practice_id, row_count=entry.row_count,
        ))


def read(engine: sa.Engine, *, limit: int = 100, before: int | None = None,
         action: str | None = None) -> list[dict]:
    """Entries newest first; ``before`` pages back from an id."""
    query = sa.select(audit_log).order_by(audit_log.c.audit_id.desc()).limit(limit)
    if before is not None:
        query = query.where(audit_log.c.audit_id < before)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    with engine.connect() as conn:
        return [
            {"id": r.audit_id, "at": r.at.isoformat(), "user": r.user_name, "role": r.role,
             "action": r.action, "outcome": r.outcome, "status": r.status,
             "criteria_hash": r.criteria_hash, "study_id": r.study_id,
             "practice_id": r.practice_id, "row_count": r.row_count}
            for r in conn.execute(query)
        ]
