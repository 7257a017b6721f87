"""API users and their bearer tokens (no Flask here: the CLI and the server share it).

Users live in the application database (``dart.store.app_db``); each function takes its
engine. A practice user keeps their practice's id and ODS code, checked against the record
store when the user is added.

A token is ``dart_`` + ``secrets.token_urlsafe(32)``; only its sha256 is stored, so a leaked
database leaks no usable token, and a token is shown once, when it is made. Revoking a user
stamps ``revoked_at``; the row stays so that the audit log's user ids keep their meaning.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from dart.sources.native import NATIVE
from dart.store.app_tables import ROLES, ensure_app_tables, users, utcnow

practice = NATIVE.practices  # a practice user's practice is one of the record store's
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
TOKEN_PREFIX = "dart_"


class AccountError(Exception):
    """A user that cannot be added or changed; the message is for people."""


@dataclass(frozen=True)
class User:
    """An authenticated caller."""

    user_id: int
    name: str
    role: str
    practice_id: int | None = None
    practice_ods: str | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "role": self.role, "practice": self.practice_ods}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def practice_id_for(engine: sa.Engine, ods_code: str) -> int | None:
    """The store's practice id for an ODS code (None if the store has no such practice)."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(practice.c.practice_id).where(practice.c.ods_code == ods_code)
        ).scalar()


def add_user(engine: sa.Engine, name: str, role: str, practice_ods: str | None = None, *,
             store: sa.Engine | None = None) -> str:
    """Add a user to the application database ``engine`` and return their token (shown
    once; only its hash is kept). A practice user's ODS code must name a practice of the
    record ``store`` (default: the same database)."""
    ensure_app_tables(engine)
    if not NAME_RE.match(name or ""):
        raise AccountError(f"bad user name {name!r}: letters, digits and . _ @ - (max 64)")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    practice_id = None
    if role == "practice":
        if not practice_ods:
            raise AccountError("a practice user needs --practice ODS")
        practice_id = practice_id_for(store or engine, practice_ods)
        if practice_id is None:
            raise AccountError(f"the store has no practice with ODS code {practice_ods!r}")
    elif practice_ods:
        raise AccountError("--practice is only for practice users")
    token = new_token()
    with engine.begin() as conn:
        if conn.execute(sa.select(users.c.user_id).where(users.c.name == name)).first():
            raise AccountError(f"user {name!r} exists (revoke it or choose another name)")
        conn.execute(users.insert().values(
            name=name, role=role, practice_id=practice_id,
            practice_ods=practice_ods if practice_id is not None else None,
            token_hash=hash_token(token), created_at=utcnow(),
        ))
    return token


def reissue_token(engine: sa.Engine, name: str) -> str:
    """Give an existing user a new token (the old one stops working); reactivates them."""
    ensure_app_tables(engine)
    token = new_token()
    with engine.begin() as conn:
        done = conn.execute(
            users.update().where(users.c.name == name)
            .values(token_hash=hash_token(token), revoked_at=None)
        ).rowcount
    if not done:
        raise AccountError(f"no user {name!r}")
    return token


def revoke_user(engine: sa.Engine, name: str) -> None:
    """Stop ``name``'s token working (the user row stays for the audit log)."""
    ensure_app_tables(engine)
    with engine.begin() as conn:
        done = conn.execute(
            users.update().where(users.c.name == name, users.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
    if not done:
        raise AccountError(f"no active user {name!r}")


def list_users(engine: sa.Engine) -> list[dict]:
    """Every user, active or revoked (never a token or its hash)."""
    ensure_app_tables(engine)
    query = (
        sa.select(users.c.user_id, users.c.name, users.c.role, users.c.practice_ods,
                  users.c.created_at, users.c.revoked_at)
        .order_by(users.c.name)
    )
    with engine.connect() as conn:
        return [
            {"user_id": r.user_id, "name": r.name, "role": r.role, "practice": r.practice_ods,
             "created_at": r.created_at.isoformat(),
             "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None}
            for r in conn.execute(query)
        ]


def _active_user(engine: sa.Engine, where: sa.ColumnElement[bool]) -> User | None:
    ensure_app_tables(engine)
    query = (
        sa.select(users.c.user_id, users.c.name, users.c.role, users.c.practice_id,
                  users.c.practice_ods)
        .where(where, users.c.revoked_at.is_(None))
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return User(row.user_id, row.name, row.role, row.practice_id, row.practice_ods)


def user_for_token(engine: sa.Engine, token: str) -> User | None:
    """The active user holding ``token``, or None."""
    if not token or len(token) > 200:
        return None
    return _active_user(engine, users.c.token_hash == hash_token(token))


def get_user(engine: sa.Engine, name: str) -> User | None:
    """The active user called ``name``, or None."""
    return _active_user(engine, users.c.name == name)


def get_user_by_id(engine: sa.Engine, user_id: int) -> User | None:
    """The active user with this id, or None."""
    return _active_user(engine, users.c.user_id == user_id)
