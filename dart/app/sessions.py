"""Dashboard sessions kept on the server, so that signing out really ends them.

The signed session cookie holds only a random session id; the database holds its sha256
and the user. Signing out deletes the row, so a copy of the cookie taken before (a shared
computer, a proxy log) no longer opens anything. A session also ends ``MAX_AGE`` after
sign-in, and it ends with the user (a revoked user's sessions stop at once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from dart.app.accounts import User, get_user_by_id
from dart.store.app_tables import dashboard_sessions

MAX_AGE = dt.timedelta(hours=12)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def open_session(engine: sa.Engine, user: User, now: dt.datetime) -> str:
    """Store a new session of ``user``; its id (to be kept only in the cookie)."""
    session_id = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(dashboard_sessions.insert().values(
            session_hash=_hash(session_id), user_id=user.user_id, created_at=now))
    return session_id


def session_user(engine: sa.Engine, session_id: str, now: dt.datetime) -> User | None:
    """The active user of an open session younger than ``MAX_AGE``, or None."""
    if not session_id or len(session_id) > 100:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(dashboard_sessions.c.user_id).where(
                dashboard_sessions.c.session_hash == _hash(session_id),
                dashboard_sessions.c.created_at > now - MAX_AGE)
        ).first()
    return get_user_by_id(engine, row.user_id) if row else None


def close_session(engine: sa.Engine, session_id: str) -> None:
    """Delete the session."""
    with engine.begin() as conn:
        conn.execute(dashboard_sessions.delete().where(
            dashboard_sessions.c.session_hash == _hash(session_id)))
