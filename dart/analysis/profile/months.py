"""Records and registered patients per practice per calendar month, from three grouped
queries (records, registration starts, registration ends); the running totals that turn
starts and ends into patients registered in each month are summed in Python.

The window is the ``WINDOW_MONTHS`` complete calendar months up to the extract date (its own
month only if the extract is that month's last day). A patient counts as registered in a
month if registered on any day of it; a patient-month is one such patient and month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from dart.analysis.profile.reads import StoreTables, follow_up_end, year_month
from dart.compiler import months_back

WINDOW_MONTHS = 120


@dataclass(frozen=True)
class Window:
    """The months profiled: ``first`` (a month's first day) and ``count`` months on."""

    first: dt.date
    count: int

    def month(self, index: int) -> dt.date:
        return months_back(self.first, -index)

    def index(self, year: int, month: int) -> int:
        return (year - self.first.year) * 12 + month - self.first.month

    def label(self, index: int) -> str:
        return self.month(index).strftime("%Y-%m")

    @property
    def end(self) -> dt.date:
        """The last day of the window."""
        return self.month(self.count) - dt.timedelta(days=1)


def window(extract: dt.date, months: int = WINDOW_MONTHS) -> Window:
    """The ``months`` complete months ending on or before ``extract``."""
    after = extract + dt.timedelta(days=1)
    last_first = months_back(after.replace(day=1), 1)
    return Window(months_back(last_first, months - 1), months)


@dataclass(frozen=True)
class MonthlySeries:
    """Per practice id: records and patients registered, one entry per window month."""

    window: Window
    records: dict[int, np.ndarray]
    registered: dict[int, np.ndarray]


def _grouped(conn: sa.Connection, practice: sa.ColumnElement, day: sa.ColumnElement,
             select_from, where) -> list[tuple[int, int, int, int]]:
    year, month = year_month(day)
    query = (sa.select(practice, year, month, sa.func.count()).select_from(select_from)
             .where(where).group_by(practice, year, month))
    return [(int(a), int(b), int(c), int(d)) for a, b, c, d in conn.execute(query)]


def monthly(conn: sa.Connection, tables: StoreTables, win: Window) -> MonthlySeries:
    """Records and registered patients per practice and month of ``win``."""
    p = tables.patient
    lo, hi = sa.literal(win.first, sa.Date), sa.literal(win.end, sa.Date)
    records: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(win.count, np.int64))
    for _name, table, day in tables.event_tables():
        joined = table.join(p, p.c.patient_id == table.c.patient_id)
        for pid, y, m, n in _grouped(conn, p.c.practice_id, day, joined,
                                     sa.and_(day >= lo, day <= hi)):
            records[pid][win.index(y, m)] += n
    # Starts before the window count from its first month; ends before it (index -1)
    # take those patients away again before the first month.
    start = sa.case((p.c.registration_start < lo, lo), else_=p.c.registration_start)
    before = sa.literal(win.first - dt.timedelta(days=1), sa.Date)
    end = follow_up_end(tables)
    end_clamped = sa.case((end < lo, before), else_=end)
    delta: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(win.count + 1, np.int64))
    for pid, y, m, n in _grouped(conn, p.c.practice_id, start, p,
                                 p.c.registration_start <= hi):
        delta[pid][win.index(y, m)] += n
    for pid, y, m, n in _grouped(conn, p.c.practice_id, end_clamped, p,
                                 sa.and_(end.is_not(None), end < hi,
                                         p.c.registration_start <= hi)):
        # A patient who left in month i was registered in i: they leave the count at i + 1.
        delta[pid][win.index(y, m) + 1] -= n
    registered = {pid: np.cumsum(d)[:win.count] for pid, d in delta.items()}
    for pid in records.keys() - registered.keys():
        registered[pid] = np.zeros(win.count, np.int64)
    return MonthlySeries(win, dict(records), registered)
