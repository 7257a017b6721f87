"""Completeness (Kahn et al. 2016): are the values a trial's criteria need there at all?

One grouped query per practice gives, for each practice and so for the store: patients,
ethnicity known, IMD known, at least one record, a record in the year before the extract
(of patients registered on the extract date) and the last record's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from dart.analysis.profile.model import Ratio
from dart.analysis.profile.reads import StoreTables, count_if, events, follow_up_end
from dart.compiler import months_back

UNKNOWN_ETHNICITY = "unknown"


@dataclass(frozen=True)
class PracticeCounts:
    """Patient counts of one practice (exact)."""

    practice_id: int
    patients: int
    ethnicity: int
    imd: int
    any_record: int
    registered: int  # on the extract date
    recent_record: int  # of ``registered``
    last_data: dt.date | None


def as_date(value) -> dt.date | None:
    """A date from a row (SQLite returns ISO text for an aggregate of dates)."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def practice_counts(conn: sa.Connection, tables: StoreTables,
                    extract: dt.date) -> list[PracticeCounts]:
    """Per practice (every practice a patient names, known or not), ordered by id."""
    p = tables.patient
    ev = events(tables)
    bound = sa.literal(extract, sa.Date)
    last = (sa.select(ev.c.patient_id, sa.func.max(ev.c.event_date).label("last"))
            .where(ev.c.event_date <= bound).group_by(ev.c.patient_id).subquery("last"))
    end = follow_up_end(tables)
    registered = sa.and_(p.c.registration_start <= bound, sa.or_(end.is_(None), end >= bound))
    year_ago = sa.literal(months_back(extract, 12), sa.Date)
    known = sa.and_(p.c.ethnicity.is_not(None), p.c.ethnicity != UNKNOWN_ETHNICITY)
    query = (sa.select(p.c.practice_id, sa.func.count(), count_if(known),
                       count_if(p.c.imd_quintile.is_not(None)),
                       count_if(last.c.last.is_not(None)), count_if(registered),
                       count_if(sa.and_(registered, last.c.last > year_ago)),
                       sa.func.max(last.c.last))
             .select_from(p.outerjoin(last, last.c.patient_id == p.c.patient_id))
             .group_by(p.c.practice_id).order_by(p.c.practice_id))
    return [PracticeCounts(int(r[0]), *(int(x) for x in r[1:7]), as_date(r[7]))
            for r in conn.execute(query)]


def store_ratios(counts: list[PracticeCounts]) -> dict[str, Ratio]:
    """The store's shares: the practices' counts summed."""
    patients = sum(c.patients for c in counts)
    return {"ethnicity": Ratio(sum(c.ethnicity for c in counts), patients),
            "imd": Ratio(sum(c.imd for c in counts), patients),
            "any_record": Ratio(sum(c.any_record for c in counts), patients),
            "recent_record": Ratio(sum(c.recent_record for c in counts),
                                   sum(c.registered for c in counts))}
