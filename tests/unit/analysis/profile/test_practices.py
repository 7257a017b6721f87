"""Per-practice last-data and up-to-standard dates and flags, on every engine.

Each practice has one patient (registered since 2000) with one record on the 15th of each
month listed, so its monthly rate is 1 in those months and 0 elsewhere; the extract date is
2026-06-30 and the window the 120 months to June 2026.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from dart.analysis.profile import run_profile
from dart.analysis.profile.months import Window, window
from dart.analysis.profile.practices import up_to_standard
from dart.store.codelists import CodelistLibrary
from tests.support.tables import load_tables


def months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


RECORDED = {
    1: months("2024-07", "2026-06"),  # continuous for two years
    2: months("2024-07", "2025-12"),  # stopped: nothing after 2025-12-15
    3: [m for m in months("2024-07", "2026-06") if m not in ("2026-01", "2026-02")],
    4: months("2024-07", "2026-06"),  # continuous, but no ethnicity recorded
}
STORE = "\n".join(
    ["patient", "patient_id | practice_id | ethnicity | registration_start | registration_end"]
    + [f"{p} | {p} | {'unknown' if p == 4 else 'white'} | 2000-01-01 |" for p in RECORDED]
    + ["51 | 5 | white | 2026-03-15 |", "52 | 5 | white | 2000-01-01 | 2025-01-10",
       "53 | 5 | white | 2000-01-01 |", "", "observation",
       "patient_id | obs_date | code"]
    + [f"{p} | {m}-15 | 44054006" for p, ms in RECORDED.items() for m in ms])


def test_dates_and_flags(store):
    load_tables(store, STORE)
    profile = run_profile(store, CodelistLibrary({}))
    by_id = {p.practice_id: p for p in profile.practices}
    one, two, three, four, five = (by_id[i] for i in range(1, 6))
    assert (one.last_data, one.up_to_standard, one.flags) == (
        dt.date(2026, 6, 15), dt.date(2024, 7, 1), ())
    assert (two.last_data, two.up_to_standard, two.flags) == (
        dt.date(2025, 12, 15), dt.date(2024, 7, 1), ("stopped",))
    assert (three.up_to_standard, three.flags) == (dt.date(2026, 3, 1), ("gap",))
    assert four.flags == ("ethnicity",) and four.acceptable
    assert five.flags == ("no_data",) and five.last_data is None
    assert [p.acceptable for p in (one, two, three, five)] == [True, False, False, False]
    check = profile.check("practices.up_to_standard")
    assert check.items == ("T00002", "T00003", "T00005") and check.verdict == "fail"
    assert profile.check("practices.ethnicity").items == ("T00004",)


def test_registered_patients_per_month(store):
    load_tables(store, STORE)
    five = {p.practice_id: p for p in run_profile(store, CodelistLibrary({})).practices}[5]
    registered = {m.label: m.patient_months for m in five.months}
    # 53 throughout; 52 until January 2025 (left on the 10th); 51 from March 2026.
    assert registered["2016-07"] == 2 and registered["2025-01"] == 2
    assert registered["2025-02"] == 1 and registered["2026-02"] == 1
    assert registered["2026-03"] == 2 and registered["2026-06"] == 2
    assert len(registered) == 120


def test_window_has_complete_months_only():
    assert window(dt.date(2026, 6, 30)).end == dt.date(2026, 6, 30)
    assert window(dt.date(2026, 6, 29)).end == dt.date(2026, 5, 31)
    assert window(dt.date(2026, 6, 29), 12).first == dt.date(2025, 6, 1)


def test_up_to_standard_is_after_the_last_low_month():
    win = Window(dt.date(2025, 1, 1), 12)
    registered = np.full(12, 100)
    records = np.array([10, 10, 200, 200, 90, 200, 200, 200, 200, 200, 200, 200])
    # Median 200: month 5 (90 < 100) is the last one below half of it.
    assert up_to_standard(win, records, registered, 12) == 5
    assert up_to_standard(win, np.full(12, 50), registered, 12) == 0
    assert up_to_standard(win, np.zeros(12), registered, 12) is None
    assert up_to_standard(win, records, registered, 0) is None
