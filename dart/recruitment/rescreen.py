"""Rescreening: who became eligible for a study between two index dates, per practice.

Newly eligible between D1 and D2 means eligible at D2 and not eligible at D1, both evaluated
on the same store (records dated after an index date are never seen at it): someone who
turned 40, was newly diagnosed, or registered since D1. Someone eligible at D1 who has left
or died is not eligible at D2 and so never newly eligible. D1 is a given date, else the
index date of the practice's last invite list before D2; a practice never listed has no D1,
and everyone eligible there is new.

The criteria are compiled once per date and run as two statements (their record reads are
named CTEs, which one statement could not hold twice); the eligible ids are compared in
Python, per practice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from criteria_grammar.builder import EARLIEST_INDEX
from dart.analysis.disclosure import DisclosurePolicy
from dart.compiler import prepare
from dart.recruitment.studies import Study
from dart.sources import Source
from dart.sources.native import NATIVE
from dart.store.app_tables import ensure_app_tables, invite_list_runs


def eligible_by_practice(conn: sa.Connection, criteria, library: Mapping | None,
                         index_date: dt.date, practice_id: int | None = None,
                         source: Source = NATIVE) -> dict[int, set[int]]:
    """Practice id -> the ids eligible at ``index_date`` (one practice, or all)."""
    rules = prepare(conn, criteria, library, index_date=index_date, source=source).compiled \
        .patient_rules.subquery()
    query = sa.select(rules.c.practice_id, rules.c.patient_id).where(rules.c.eligible == 1)
    if practice_id is not None:
        query = query.where(rules.c.practice_id == sa.bindparam("practice_id", practice_id))
    found: dict[int, set[int]] = defaultdict(set)
    for practice, pid in conn.execute(query):
        found[practice].add(pid)
    return found


def last_list_dates(engine: sa.Engine, study_id: int, before: dt.date) -> dict[int, dt.date]:
    """Practice id -> the index date of its latest invite list for the study before
    ``before`` (an index date)."""
    ensure_app_tables(engine)
    runs = invite_list_runs.c
    query = (sa.select(runs.practice_id, sa.func.max(runs.index_date))
             .where(runs.study_id == study_id,
                    runs.index_date < sa.bindparam("before", before, type_=sa.Date))
             .group_by(runs.practice_id))
    with engine.connect() as conn:
        return {p: d for p, d in conn.execute(query)}


def record_list_run(engine: sa.Engine, study_id: int, practice_id: int, list_date: dt.date,
                    index_date: dt.date, row_count: int) -> None:
    """Note that a practice was given a list (the next rescreen's D1)."""
    ensure_app_tables(engine)
    with engine.begin() as conn:
        conn.execute(invite_list_runs.insert().values(
            study_id=study_id, practice_id=practice_id, list_date=list_date,
            index_date=index_date, row_count=row_count,
            made_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)))


@dataclass(frozen=True)
class PracticeRescreen:
    practice_id: int
    since: dt.date | None  # None: never listed, everyone eligible is new
    new: frozenset[int]
    eligible: int

    def to_json(self, policy: DisclosurePolicy | None = None) -> dict:
        """The count of newly eligible (disclosed under ``policy`` if given; a suppressed
        count is null with ``"suppressed": true`` beside it)."""
        count = policy.disclose_ids(self.new) if policy else len(self.new)
        out = {"practice_id": self.practice_id,
               "since": self.since.isoformat() if self.since else None,
               "newly_eligible": count}
        if count is None:
            out["suppressed"] = True
        return out


@dataclass(frozen=True)
class Rescreen:
    """A study's newly eligible patients per practice, as of ``index_date``."""

    study_id: int
    index_date: dt.date
    practices: tuple[PracticeRescreen, ...]

    def to_json(self, policy: DisclosurePolicy | None = None) -> dict:
        """Counts only (never ids); each disclosed under ``policy`` when one is given."""
        out = {"study_id": self.study_id, "index_date": self.index_date.isoformat(),
               "practices": [p.to_json(policy) for p in self.practices]}
        if policy is not None:
            out["disclosure"] = policy.to_json()
        return out


def check_since(since: dt.date | None, index_date: dt.date, what: str) -> None:
    """Refuse (``ValueError``) a date to compare with that is not before ``index_date`` or
    is before any GP record (the criteria are evaluated at it)."""
    if since is None:
        return
    if since >= index_date:
        raise ValueError(f"{what} {since} is not before the index date {index_date}")
    if since < EARLIEST_INDEX:
        raise ValueError(f"{what} {since} is before {EARLIEST_INDEX}: no GP record is "
                         "that old")


def rescreen(engine: sa.Engine, study: Study, *, since: dt.date | None = None,
             index_date: dt.date | None = None, practice_id: int | None = None,
             library: Mapping | None = None, app: sa.Engine | None = None) -> Rescreen:
    """Newly eligible per practice between ``since`` (default: each practice's last list)
    and ``index_date`` (default: the criteria's, else the store's extract date); ``app``
    is the application database (default: the store's own database)."""
    from dart.recruitment.concurrent import study_criteria

    app = app or engine
    criteria, source = study_criteria(study, app)
    with engine.connect() as conn:
        ready = prepare(conn, criteria, library, index_date=index_date, source=source)
        check_since(since, ready.index_date, "the since date")
        now = eligible_by_practice(conn, ready.criteria, ready.library, ready.index_date,
                                   practice_id, source)
    starts = ({p: since for p in now} if since is not None
              else last_list_dates(app, study.study_id, ready.index_date))
    before: dict[dt.date, dict[int, set[int]]] = {}
    with engine.connect() as conn:
        for day in sorted({d for p, d in starts.items() if p in now}):
            before[day] = eligible_by_practice(conn, ready.criteria, ready.library, day,
                                               practice_id, source)
    practices = []
    for practice in sorted(now):
        day = starts.get(practice)
        old = before[day].get(practice, set()) if day is not None else set()
        practices.append(PracticeRescreen(practice, day, frozenset(now[practice] - old),
                                          len(now[practice])))
    return Rescreen(study.study_id, ready.index_date, tuple(practices))
