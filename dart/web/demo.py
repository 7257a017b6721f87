"""``dart serve --demo``: a demo store (if there is none yet) and one user of each role.

The store is made by the synthetic generator (``dart.store.generate``) only when the
database has no store tables or no patients, so a demo never overwrites real data. The demo
users are a sponsor, a researcher, an admin and practice users at two different practices;
their tokens are issued afresh on every start (only hashes are stored, so old tokens cannot
be shown again) and returned for printing.
"""

from __future__ import annotations

import sqlalchemy as sa

from dart.sources.native import NATIVE
from dart.store.engine import create_store, missing_tables
from dart.web.accounts import add_user, get_user, reissue_token

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


def demo_users(engine: sa.Engine) -> dict[str, tuple[str, str]]:
    """Create (or re-key) the demo users; {name: (role and practice, token)}."""
    practice = NATIVE.practices
    with engine.connect() as conn:
        ods = list(conn.execute(
            sa.select(practice.c.ods_code).order_by(practice.c.practice_id).limit(2)
        ).scalars())
    wanted = [("demo-sponsor", "sponsor", None), ("demo-researcher", "researcher", None),
              ("demo-admin", "admin", None)]
    wanted += [(f"demo-practice-{code.lower()}", "practice", code) for code in ods]
    tokens = {}
    for name, role, code in wanted:
        if get_user(engine, name) is None and not _exists(engine, name):
            token = add_user(engine, name, role, code)
        else:
            token = reissue_token(engine, name)
        tokens[name] = (role if code is None else f"{role} {code}", token)
    return tokens


def _exists(engine: sa.Engine, name: str) -> bool:
    from dart.store.app_tables import users

    with engine.connect() as conn:
        return conn.execute(sa.select(users.c.user_id).where(users.c.name == name)).first() \
            is not None
