"""The audit log: who asked what, when, from where, and what came of it.

Every request and every action is written twice: a ``start`` entry before the work begins
(so a request that hangs or takes the server down still leaves a row) and an ``end`` entry
with its outcome, pointing back at its start. A refused request (bad token, bad input, rate
limited, out of query budget) is logged like any other. Feasibility and representativeness
entries hold the full criteria text; invite-list and invitation entries hold the patient ids.

Append-only and tamper-evident: each entry stores the sha256 of the entry before it
(``prev_hash``) and of itself (``entry_hash``, over a canonical JSON form that includes its
id and ``prev_hash``), so editing, deleting or reordering any entry breaks the chain from
there on, and ``verify`` names the first entry that does not fit. Only cutting entries off
the end leaves a valid (shorter) chain: compare ``verify``'s head hash with one noted earlier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from dart.app.accounts import User
from dart.store.app_tables import audit_log, utcnow

ACTIONS = (
    "request", "criteria.check", "feasibility", "feasibility.profile", "representativeness",
    "study.create",
    "study.version", "study.approve", "study.close", "invites.view", "invites.download",
    "invitations.record", "dashboard.sign_in", "dashboard.sign_out", "profile",
    "recruitment.newly_eligible", "recruitment.funnel", "recruitment.forecast",
)
GENESIS = "0" * 64
# The fields a hash covers, in the table's order (entry_hash itself excluded).
HASHED = tuple(c.name for c in audit_log.columns if c.name != "entry_hash")
# An arbitrary constant naming DART's audit lock among PostgreSQL advisory locks.
PG_LOCK_KEY = 0x44415254


@dataclass
class AuditEntry:
    """What one action touched; filled in as the action runs."""

    action: str
    criteria_text: str | None = None
    study_id: int | None = None
    practice_id: int | None = None
    row_count: int | None = None
    patient_ids: Sequence[int] | None = None
    client: str | None = None
    detail: str | None = None


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def entry_hash(row: dict) -> str:
    """sha256 hex of an entry's canonical form: its hashed fields as sorted, compact JSON."""
    canonical = json.dumps({k: _plain(row.get(k)) for k in HASHED}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hash_text(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None


class AuditLog:
    """Appends chained entries to ``audit_log`` and reads them back."""

    def __init__(self, engine: sa.Engine, lock: threading.RLock | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.engine = engine
        self.lock = lock or threading.RLock()
        self.clock = clock

    def start(self, user: User | None, entry: AuditEntry) -> int:
        """Write the start entry of an action; its id (for ``end``)."""
        return self._append(user, entry, phase="start")

    def end(self, start_id: int | None, user: User | None, entry: AuditEntry,
            outcome: str, status: int) -> int:
        """Write the outcome of the action begun at ``start_id``."""
        return self._append(user, entry, phase="end", start_id=start_id, outcome=outcome,
                            status=status)

    def _append(self, user: User | None, entry: AuditEntry, **values: object) -> int:
        ids = None if entry.patient_ids is None else sorted(int(i) for i in entry.patient_ids)
        row: dict = {
            "at": self.clock(), "user_id": user.user_id if user else None,
            "user_name": user.name if user else None, "role": user.role if user else None,
            "client": entry.client, "action": entry.action, "detail": entry.detail,
            "criteria_text": entry.criteria_text,
            "criteria_hash": _hash_text(entry.criteria_text), "study_id": entry.study_id,
            "practice_id": entry.practice_id, "row_count": entry.row_count,
            "patient_ids": None if ids is None else json.dumps(ids),
            "start_id": None, "outcome": None, "status": None, **values,
        }
        with self.lock, self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Other processes on the same database wait here: one chain, no forks.
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_LOCK_KEY)))
            last = conn.execute(
                sa.select(audit_log.c.audit_id, audit_log.c.entry_hash)
                .order_by(audit_log.c.audit_id.desc()).limit(1)
            ).first()
            row["audit_id"] = (last.audit_id + 1) if last else 1
            row["prev_hash"] = last.entry_hash if last else GENESIS
            row["entry_hash"] = entry_hash(row)
            conn.execute(audit_log.insert().values(**row))
        return row["audit_id"]

    def read(self, *, limit: int = 100, before: int | None = None,
             action: str | None = None) -> list[dict]:
        """Entries newest first; ``before`` pages back from an id."""
        query = sa.select(audit_log).order_by(audit_log.c.audit_id.desc()).limit(limit)
        if before is not None:
            query = query.where(audit_log.c.audit_id < before)
        if action is not None:
            query = query.where(audit_log.c.action == action)
        with self.engine.connect() as conn:
            return [_public(r._mapping) for r in conn.execute(query)]

    def answered(self, actions: Iterable[str], since: dt.datetime,
                 user_id: int | None = None,
                 criteria_text: str | None = None) -> list[tuple[int, dt.datetime]]:
        """(user id, time) of each successful ``actions`` answer since ``since``, oldest
        first; one user's only when ``user_id`` is given; of that criteria text only when
        ``criteria_text`` is."""
        query = (
            sa.select(audit_log.c.user_id, audit_log.c.at)
            .where(audit_log.c.phase == "end", audit_log.c.outcome == "ok",
                   audit_log.c.action.in_(tuple(actions)), audit_log.c.at > since,
                   audit_log.c.user_id.is_not(None))
            .order_by(audit_log.c.at, audit_log.c.audit_id)
        )
        if user_id is not None:
            query = query.where(audit_log.c.user_id == user_id)
        if criteria_text is not None:
            query = query.where(audit_log.c.criteria_hash == sa.bindparam(
                "criteria_hash", _hash_text(criteria_text), sa.Text))
        with self.engine.connect() as conn:
            return [(r.user_id, r.at) for r in conn.execute(query)]


def _public(row) -> dict:
    ids = row["patient_ids"]
    return {
        "id": row["audit_id"], "at": row["at"].isoformat(), "phase": row["phase"],
        "start_id": row["start_id"], "user": row["user_name"], "role": row["role"],
        "client": row["client"], "action": row["action"], "detail": row["detail"],
        "outcome": row["outcome"], "status": row["status"],
        "criteria_text": row["criteria_text"], "criteria_hash": row["criteria_hash"],
        "study_id": row["study_id"], "practice_id": row["practice_id"],
        "row_count": row["row_count"], "patient_ids": json.loads(ids) if ids else ids,
    }


@dataclass(frozen=True)
class ChainReport:
    """What ``verify`` found: the number of entries, the last hash, the first bad entry."""

    entries: int
    head: str
    bad_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.bad_id is None


def verify(engine: sa.Engine) -> ChainReport:
    """Walk the chain in id order; the first entry whose hash or link does not fit."""
    previous, count = GENESIS, 0
    with engine.connect() as conn:
        rows = conn.execution_options(yield_per=1000).execute(
            sa.select(audit_log).order_by(audit_log.c.audit_id))
        for row in rows:
            values = dict(row._mapping)
            if values["prev_hash"] != previous:
                return ChainReport(count, previous, values["audit_id"],
                                   "its prev_hash is not the entry_hash of the entry before "
                                   "it (an entry was deleted, inserted or moved)")
            if entry_hash(values) != values["entry_hash"]:
                return ChainReport(count, previous, values["audit_id"],
                                   "its content does not match its entry_hash (edited)")
            previous, count = values["entry_hash"], count + 1
    return ChainReport(count, previous)


def holds(engine: sa.Engine, noted_hash: str) -> bool:
    """Whether an entry of the chain has ``noted_hash`` (a head noted earlier)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(audit_log.c.audit_id)
                            .where(audit_log.c.entry_hash == noted_hash).limit(1)).first() \
            is not None
