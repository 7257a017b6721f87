"""The forecast's published counts: a month's practice cells nested in the month's total
read as the total when within the threshold of it."""

from __future__ import annotations

import datetime as dt

from dart.analysis.disclosure import DisclosurePolicy
from dart.recruitment.forecast import Forecast, Month
from dart.recruitment.monthly import Cell

POLICY = DisclosurePolicy(secret="forecast")


def cell(newly: range | list[int], presenting: range | list[int] = ()) -> tuple[Cell, Cell]:
    """A practice's newly eligible and presenting patients, with their record-key sums."""
    keys = POLICY.keys
    return (Cell(0, len(newly), 0, sum(keys.of(i) for i in newly)),
            Cell(len(presenting), 0, sum(keys.of(i) for i in presenting), 0))


def month(date: dt.date, practices: dict[int, tuple[Cell, Cell]], acute: bool = False
          ) -> Month:
    return Month(date, {p: c[0] for p, c in practices.items()},
                 {p: c[1] for p, c in practices.items()} if acute else None)


def practice_counts(row: dict, what: str) -> dict[int, int | None]:
    return {p["practice_id"]: p[what]["count"] for p in row["practices"]}


def test_a_practice_within_7_of_the_month_total_reads_as_the_total():
    # month 1: practice 1 has 30 newly eligible, practice 2 has 3 (the total is 33);
    # month 2: practice 1 has 20, practice 2 has 12 (8 or more apart: counts of their own)
    one = month(dt.date(2026, 5, 31), {1: cell(range(1, 31)), 2: cell(range(31, 34))})
    two = month(dt.date(2026, 6, 30), {1: cell(range(40, 60)), 2: cell(range(60, 72))})
    body = Forecast(1, (one, two), None).to_json(POLICY)
    first, second = body["months"]
    total = POLICY.disclose_ids(range(1, 34))
    assert first["newly_eligible"]["count"] == total
    assert practice_counts(first, "newly_eligible") == {1: total, 2: None}
    # without the anchor practice 1 would show its own count, another number
    assert POLICY.disclose_ids(range(1, 31)) != total
    assert practice_counts(second, "newly_eligible") == {
        1: POLICY.disclose_ids(range(40, 60)), 2: POLICY.disclose_ids(range(60, 72))}
    assert second["newly_eligible"]["count"] == POLICY.disclose_ids(range(40, 72))
    exact = Forecast(1, (one, two), None).to_json()
    assert practice_counts(exact["months"][0], "newly_eligible") == {1: 30, 2: 3}


def test_presentations_are_anchored_the_same_way():
    m = month(dt.date(2026, 6, 30), {1: cell([], range(100, 125)), 2: cell([], [200, 201])},
              acute=True)
    row = Forecast(1, (m,), None).to_json(POLICY)["months"][0]
    total = POLICY.disclose_ids([*range(100, 125), 200, 201])
    assert row["presenting"]["count"] == total
    assert practice_counts(row, "presenting") == {1: total, 2: None}
    assert POLICY.disclose_ids(range(100, 125)) != total
    assert row["newly_eligible"] == {"count": None, "suppressed": True}  # 0: the marker
