"""Calendar arithmetic on the index date, done once in Python and bound as parameters.

Why here and not in SQL: SQLite stores dates as ISO text, so ``date_col - n`` silently
returns wrong rows there, without an error; and every engine spells date arithmetic differently.
So every bound a query needs is a constant computed from the index date, and SQL only ever
*compares* a date column with a bound date — which every engine does the same way.

Month and year steps clamp to the end of the month (2026-03-31 minus 1 month is 2026-02-28;
2024-02-29 minus 1 year is 2023-02-28), like ``dateutil.relativedelta``; we do not depend on
dateutil for ten lines.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import dart_vocab as vocabulary
from criteria_grammar import nodes


def months_back(day: dt.date, months: int) -> dt.date:
    """``day`` minus ``months`` calendar months, clamped to the last day of the month (a
    negative ``months`` steps forward). DART's one month arithmetic."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def step_back(day: dt.date, amount: int, unit: nodes.Unit) -> dt.date:
    """``day`` minus ``amount`` days, weeks, months or years (calendar arithmetic)."""
    if unit == "day":
        return day - dt.timedelta(days=amount)
    if unit == "week":
        return day - dt.timedelta(weeks=amount)
    if unit == "month":
        return months_back(day, amount)
    if unit == "year":
        return months_back(day, 12 * amount)
    raise ValueError(f"unknown unit {unit!r}")


@dataclass(frozen=True)
class DateRange:
    """The dates a window admits: ``start <= d <= end`` (``start`` None: no lower bound).

    ``end`` is never after the index date: records dated after it are never seen.
    ``more than N UNIT ago`` (d < index - N) becomes ``end = index - N - 1 day``, which is
    exact because store dates are whole days; so every window is one closed range.
    """

    start: dt.date | None
    end: dt.date


def window_range(window: nodes.Window, index: dt.date) -> DateRange:
    """The closed date range of ``window`` evaluated at ``index``."""
    if isinstance(window, nodes.Ever):
        return DateRange(None, index)
    if isinstance(window, nodes.Within):
        return DateRange(step_back(index, window.amount, window.unit), index)
    if isinstance(window, nodes.MoreThanAgo):
        cut = step_back(index, window.amount, window.unit)
        return DateRange(None, cut - dt.timedelta(days=1))
    if isinstance(window, nodes.Between):
        return DateRange(window.start, min(window.end, index))
    raise TypeError(f"unknown window {window!r}")


def birth_cutoff(index: dt.date, years: int) -> dt.date:
    """The latest date of birth of someone aged at least ``years`` on ``index``.

    age >= N  <=>  date_of_birth <= index - N years (calendar). Leap-day births: someone born
    on 29 February reaches a birthday on 1 March in non-leap years, because index - N years
    clamps to 28 February there and 29 February is after it.
    """
    return months_back(index, 12 * years)


AGE_BANDS: tuple[tuple[int, str], ...] = tuple(
    zip(vocabulary.AGE_BAND_LOWS, vocabulary.AGE_BANDS, strict=True))
"""(lowest age, label) of each five-year band: "0-4", ..., "85-89", "90+"."""
