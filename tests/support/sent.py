"""A hundred thousand invitations over a tiny store, and the counts they give, worked out
in Python by the language's definitions (tests/functional/test_sent_invitations.py, and
the Spark routes in tests/functional/test_spark_cluster.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dart.store.app_db import open_app_db
from dart.store.app_tables import invitations

INDEX = dt.date(2026, 6, 30)          # the tiny stores' extract date (tests.support.tables)
WINDOW_START = dt.date(2025, 12, 30)  # 6 months back (as tests/spec/test_invited.py)
PATIENTS, PER_PATIENT = 2_000, 50
START = dt.date(2020, 1, 1)
PATIENT_TABLE = "patient\npatient_id\n" + "\n".join(
    str(p) for p in range(1, PATIENTS + 1)) + "\n"
"""The store: patients 1 to 2,000, every one in the base population (load_tables)."""


def sent() -> list[tuple[int, int, dt.date]]:
    """100,000 invitations, one to each of 50 studies for each of the store's 2,000
    patients (a patient is invited to a study once): dates spread from 2020-01-01 over
    2,200 days (to 2026-01-09), so only the last days fall in the 6-month window and
    about one patient in five has one there."""
    rows = []
    for k in range(PER_PATIENT):
        for p in range(1, PATIENTS + 1):
            day = START + dt.timedelta(days=(p * 13 + k * 29) % 2_200)
            rows.append((k + 1, p, day))
    return rows


def expected(rows) -> dict[str, int]:
    """Each criteria text's eligible count, from the rows."""
    within = {p for _, p, d in rows if WINDOW_START <= d <= INDEX}
    study_1 = {p for s, p, d in rows if s == 1 and WINDOW_START <= d <= INDEX}
    return {"include invited within 6 months": len(within),
            "exclude invited within 6 months": PATIENTS - len(within),
            "include invited to study 1 within 6 months": len(study_1),
            "include invited ever": len({p for _, p, d in rows if d <= INDEX})}


def app_with_sent(path) -> sa.Engine:
    """An application database at ``path`` holding the 100,000 invitations."""
    engine = open_app_db(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(invitations.insert(), [
            {"study_id": s, "patient_id": p, "practice_id": 1, "invited_on": d}
            for s, p, d in sent()])
    return engine
