"""A small store for the dashboard tests: three practices, 300 patients, users of each role.

Built with ``tests.support.tables.load_tables`` so the data is plain; big enough that the
test criteria give counts above the disclosure threshold in every practice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from dart.store.engine import create_store, open_engine
from tests.support.tables import load_tables

T2DM = "44054006"
T1DM = "46635009"
PRACTICES = ((1, "London", "England"), (2, "Wales", "Wales"), (3, "North West", "England"))
ETHNICITIES = ("white", "asian", "black", "mixed", "other", "white", "white")

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


def _tables(patients: int) -> str:
    lines = ["practice", "practice_id | ods_code | name | region | nation"]
    lines += [f"{i} | T{i:05d} | Test practice {i} | {r} | {n}" for i, r, n in PRACTICES]
    lines += ["", "patient",
              "patient_id | practice_id | date_of_birth | sex | ethnicity | imd_quintile"]
    for p in range(1, patients + 1):
        born = dt.date(1940 + p % 60, 1 + p % 12, 1 + p % 27)
        lines.append(f"{p} | {1 + p % 3} | {born} | {'FM'[p % 2]} | "
                     f"{ETHNICITIES[p % 7]} | {1 + p % 5}")
    lines += ["", "observation", "patient_id | obs_date | code"]
    for p in range(1, patients + 1):
        if p % 5 != 0:
            lines.append(f"{p} | 2020-03-0{1 + p % 9} | {T2DM}")
        if p % 23 == 0:
            lines.append(f"{p} | 2019-05-01 | {T1DM}")
    return "\n".join(lines)


def make_store(path, patients: int = 300) -> TestStore:
    """A SQLite store at ``path`` with users of every role and one approved study."""
    from dart.store.codelists import load_library
    from dart.web.accounts import add_user
    from dart.web.services import Services

    url = f"sqlite:///{path}"
    engine = open_engine(url, check=False)
    create_store(engine)
    load_tables(engine, _tables(patients))
    tokens = {
        "sponsor1": add_user(engine, "sponsor1", "sponsor"),
        "researcher1": add_user(engine, "researcher1", "researcher"),
        "admin1": add_user(engine, "admin1", "admin"),
        "practice1": add_user(engine, "practice1", "practice", "T00001"),
        "practice2": add_user(engine, "practice2", "practice", "T00002"),
    }
    services = Services(engine, load_library())
    sponsor = services.authenticate(tokens["sponsor1"])
    admin = services.authenticate(tokens["admin1"])
    study = services.create_study(sponsor, CRITERIA)
    services.approve_study(admin, study.study_id)
    return TestStore(url, engine, tokens, study.study_id)
