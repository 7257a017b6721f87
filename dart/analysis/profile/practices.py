"""Per practice: the last-data date, a CPRD-style up-to-standard date, and flags.

Definitions (docs/profile.md):

* **last-data date**: the latest record (observation or prescription) dated on or before the
  extract date, of any of the practice's patients.
* **monthly recording rate**: records in a calendar month over patients registered in it.
* **up-to-standard date**: the first day of the first month from which, up to the last
  complete month of data, the practice's monthly rate never falls below
  ``RATE_FRACTION`` of its median monthly rate (over the window's months with records) and
  no month has no registered patients. Recording that is continuous from the start of the
  window gives the window's first day.
* flags: ``no_data`` (no record, or no complete month of data), ``stopped`` (last data more
  than ``STOPPED_MONTHS`` months before the extract), ``gap`` (fewer than
  ``MIN_CONTINUOUS_MONTHS`` months between the up-to-standard date and the last complete
  month: recording was interrupted recently), ``ethnicity`` (ethnicity known for fewer than
  ``PRACTICE_ETHNICITY_MIN`` of its patients). A practice is up to standard unless flagged
  ``no_data``, ``stopped`` or ``gap``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from dart.analysis.profile.completeness import PracticeCounts
from dart.analysis.profile.model import Rate, Ratio
from dart.analysis.profile.months import MonthlySeries, Window
from dart.analysis.profile.reads import StoreTables
from dart.analysis.profile.result import PracticeProfile
from dart.compiler import months_back

RATE_FRACTION = 0.5
STOPPED_MONTHS = 3
MIN_CONTINUOUS_MONTHS = 12
PRACTICE_ETHNICITY_MIN = 0.5


def complete_months(win: Window, last_data: dt.date | None) -> int:
    """How many window months end on or before the last-data date."""
    if last_data is None:
        return 0
    return sum(1 for i in range(win.count) if win.month(i + 1) - dt.timedelta(days=1)
               <= last_data)


def up_to_standard(win: Window, records: np.ndarray, registered: np.ndarray,
                   months: int) -> int | None:
    """Index of the up-to-standard month among the first ``months``, or None."""
    if months == 0:
        return None
    rec, reg = records[:months].astype(float), registered[:months].astype(float)
    rate = np.divide(rec, reg, out=np.zeros(months), where=reg > 0)
    # The median of the months with records: a practice's early, empty years (before it
    # joined, or before its records were computerised) must not drag the bar to zero.
    median = float(np.median(rate[rate > 0])) if (rate > 0).any() else 0.0
    below = (reg <= 0) | (rate < RATE_FRACTION * median) | (median == 0)
    if below.all():
        return None
    return int(np.flatnonzero(below)[-1]) + 1 if below.any() else 0


def flags(counts: PracticeCounts, win: Window, extract: dt.date, months: int,
          uts: int | None) -> tuple[str, ...]:
    """The practice's flags (see the module docstring)."""
    out = []
    if counts.last_data is None or months == 0:
        out.append("no_data")
    else:
        if counts.last_data < months_back(extract, STOPPED_MONTHS):
            out.append("stopped")
        if uts is None or months - uts < MIN_CONTINUOUS_MONTHS:
            out.append("gap")
    if counts.patients and counts.ethnicity < PRACTICE_ETHNICITY_MIN * counts.patients:
        out.append("ethnicity")
    return tuple(out)


def practice_names(conn: sa.Connection, tables: StoreTables) -> dict[int, tuple[str, str]]:
    """practice_id -> (ODS code, name) of every known practice."""
    t = tables.practice
    return {int(i): (ods, name) for i, ods, name in
            conn.execute(sa.select(t.c.practice_id, t.c.ods_code, t.c.name))}


def profile_practice(counts: PracticeCounts, names: dict[int, tuple[str, str]],
                     series: MonthlySeries, extract: dt.date) -> PracticeProfile:
    """One practice's profile from its counts and monthly series."""
    win = series.window
    zeros = np.zeros(win.count, np.int64)
    records = series.records.get(counts.practice_id, zeros)
    registered = series.registered.get(counts.practice_id, zeros)
    months = complete_months(win, counts.last_data)
    uts = up_to_standard(win, records, registered, months)
    ods, name = names.get(counts.practice_id, (f"unknown:{counts.practice_id}", None))
    cells = tuple(Rate(win.label(i), int(records[i]), int(registered[i]))
                  for i in range(win.count))
    return PracticeProfile(
        counts.practice_id, ods, name, counts.patients,
        Ratio(counts.ethnicity, counts.patients), Ratio(counts.imd, counts.patients), cells,
        Rate(ods, int(records.sum()), int(registered.sum())), counts.last_data,
        win.month(uts) if uts is not None else None,
        flags(counts, win, extract, months, uts))


def by_year(series: MonthlySeries) -> tuple[Rate, ...]:
    """Records per patient-year of the whole store, per calendar year of the window."""
    win = series.window
    totals: dict[str, list[int]] = {}
    for i in range(win.count):
        year = str(win.month(i).year)
        cell = totals.setdefault(year, [0, 0])
        cell[0] += sum(int(r[i]) for r in series.records.values())
        cell[1] += sum(int(r[i]) for r in series.registered.values())
    return tuple(Rate(y, r, m) for y, (r, m) in totals.items())
