"""``dart serve --demo``: a demo store (if there is none yet) and one user of each role.

The store is made by the synthetic generator (``dart.store.generate``) only when the
database has no store tables or no patients, so a demo never overwrites real data. The demo
users are a sponsor, a researcher, an admin and practice users at two different practices.

The store keeps only token hashes, so a token cannot be shown again from the store: the demo
keeps its users' tokens (and the dashboard's session key) in a state file of its own, readable
by its owner only (``demo_state_path()``), so a restart prints the same tokens and whoever
is signed in stays signed in. A token in that file that no longer works (revoked, or another
store) is replaced, and the caller is told which ones changed.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
import sqlalchemy as sa

from dart.app.accounts import add_user, get_user, reissue_token, user_for_token
from dart.sources.native import NATIVE
from dart.store.engine import create_store, missing_tables

DEMO_PATIENTS = 20_000
DEMO_SEED = 20260630


def _has_patients(engine: sa.Engine) -> bool:
    if missing_tables(engine):
        return False
    with engine.connect() as conn:
        patient = NATIVE.identities
        return conn.execute(sa.select(patient.c.patient_id).limit(1)).first() is not None


def ensure_demo_store(engine: sa.Engine, patients: int = DEMO_PATIENTS,
                      seed: int = DEMO_SEED) -> bool:
    """Generate a demo store unless one exists; True if one was generated."""
    if _has_patients(engine):
        return False
    from dart.store.generate import generate

    create_store(engine)
    generate(engine, patients=patients, seed=seed)
    return True


@dataclass
class DemoUsers:
    """The demo users' tokens ({name: (role and practice, token)}) and which are new."""

    tokens: dict[str, tuple[str, str]]
    reissued: list[str] = field(default_factory=list)


def demo_users(engine: sa.Engine, saved: Mapping[str, str] | None = None, *,
               store: sa.Engine | None = None) -> DemoUsers:
    """Create the demo users in the application database ``engine`` (practice users at
    the record ``store``'s first two practices; default: the same database), keeping each
    ``saved`` token ({name: token}) that still signs that user in; a user without one gets
    a new token (listed in ``reissued``)."""
    saved = saved or {}
    store = store or engine
    practice = NATIVE.practices
    with store.connect() as conn:
        ods = list(conn.execute(
            sa.select(practice.c.ods_code).order_by(practice.c.practice_id).limit(2)
        ).scalars())
    wanted = [("demo-sponsor", "sponsor", None), ("demo-researcher", "researcher", None),
              ("demo-admin", "admin", None)]
    wanted += [(f"demo-practice-{code.lower()}", "practice", code) for code in ods]
    out = DemoUsers({})
    for name, role, code in wanted:
        token = saved.get(name, "")
        holder = user_for_token(engine, token) if token else None
        if holder is None or holder.name != name:
            if get_user(engine, name) is None and not _exists(engine, name):
                token = add_user(engine, name, role, code, store=store)
            else:
                token = reissue_token(engine, name)
                out.reissued.append(name)
        out.tokens[name] = (role if code is None else f"{role} {code}", token)
    return out


def demo_state_path() -> Path:
    """The demo's state file: tokens and session key per store, in the user data folder."""
    return Path(platformdirs.user_data_dir("dart")) / "demo-state.json"


def load_demo_state(path: Path, store: str) -> dict:
    """The saved state of ``store`` (its URL): {"tokens": {...}, "secret_key": "..."}."""
    try:
        state = json.loads(path.read_text()).get(store) or {}
    except (OSError, ValueError, AttributeError):
        state = {}
    tokens = state.get("tokens") if isinstance(state.get("tokens"), dict) else {}
    key = state.get("secret_key") if isinstance(state.get("secret_key"), str) else ""
    return {"tokens": {str(k): str(v) for k, v in tokens.items()},
            "secret_key": key or secrets.token_hex(32)}


def save_demo_state(path: Path, store: str, tokens: Mapping[str, str], secret_key: str) -> None:
    """Write ``store``'s state, readable and writable by the owner only (it holds tokens)."""
    try:
        everything = json.loads(path.read_text())
        everything = everything if isinstance(everything, dict) else {}
    except (OSError, ValueError):
        everything = {}
    everything[store] = {"tokens": dict(tokens), "secret_key": secret_key}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(everything, out, indent=1)
    os.chmod(path, 0o600)  # an older file may have been made with wider rights


def _exists(engine: sa.Engine, name: str) -> bool:
    from dart.store.app_tables import users

    with engine.connect() as conn:
        return conn.execute(sa.select(users.c.user_id).where(users.c.name == name)).first() \
            is not None
