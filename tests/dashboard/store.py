"""A small store for the dashboard tests: the synthetic generator's 2,000 patients.

``dart.store.generate.generate(engine, patients=2000, seed=1)`` in a tmp SQLite file, users
of each role (the two practice users at the two largest practices) and one approved study.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from dart.store.engine import create_store, open_engine
from dart.store.schema import patient, practice

CRITERIA = """study "Dashboard test study"
index date 2026-06-30
population "Adults with type 2 diabetes": has t2dm and age >= 18

include "Aged 40 to 80": age between 40 and 80
include "Type 2 diabetes": has t2dm
exclude "Type 1 diabetes": has t1dm
"""
# the error is on line 3, column 20 (a number expected after 'between')
BAD_CRITERIA = 'study "Broken"\ninclude "Adults": age >= 18\ninclude "Aged": age between and 80\n'


@dataclass(frozen=True)
class TestStore:
    url: str
    engine: sa.Engine
    tokens: dict[str, str]  # user name -> token
    study_id: int  # an approved study recruiting everywhere
    practices: dict[str, int]  # practice user name -> their practice_id


def largest_practices(engine: sa.Engine, n: int = 2) -> list[str]:
    """ODS codes of the ``n`` practices with the most patients."""
    query = (sa.select(practice.c.ods_code)
             .join(patient, patient.c.practice_id == practice.c.practice_id)
             .group_by(practice.c.ods_code)
             .order_by(sa.func.count().desc(), practice.c.ods_code).limit(n))
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def make_store(path, patients: int = 2000) -> TestStore:
    """A SQLite store at ``path`` with users of every role and one approved study."""
    from dart.app.accounts import add_user
    from dart.app.services import Services
    from dart.store.codelists import load_library
    from dart.store.generate import generate

    url = f"sqlite:///{path}"
    engine = open_engine(url, check=False)
    create_store(engine)
    generate(engine, patients=patients, seed=1)
    first, second = largest_practices(engine)
    tokens = {
        "sponsor1": add_user(engine, "sponsor1", "sponsor"),
        "researcher1": add_user(engine, "researcher1", "researcher"),
        "admin1": add_user(engine, "admin1", "admin"),
        "practice1": add_user(engine, "practice1", "practice", first),
        "practice2": add_user(engine, "practice2", "practice", second),
    }
    services = Services(engine, load_library())
    sponsor = services.user_for_token(tokens["sponsor1"])
    admin = services.user_for_token(tokens["admin1"])
    study = services.create_study(sponsor, CRITERIA)
    services.approve_study(admin, study.study_id)
    practices = {name: services.get_user(name).practice_id
                 for name in ("practice1", "practice2")}
    return TestStore(url, engine, tokens, study.study_id, practices)
