"""The recruitment funnel's published counts: nested cells read as their anchors."""

from __future__ import annotations

import datetime as dt

from dart.analysis.disclosure import DisclosurePolicy
from dart.recruitment.funnel import Funnel

POLICY = DisclosurePolicy(secret="funnel")


def stages(eligible, invited=(), responded=(), enrolled=()) -> dict:
    return {"eligible": frozenset(eligible), "invited": frozenset(invited),
            "responded": frozenset(responded), "enrolled": frozenset(enrolled)}


def counts(rows: list[dict]) -> dict:
    return {r["stage"]: r["count"] for r in rows}


def test_a_practice_or_stage_within_7_of_its_anchor_reads_as_the_anchor():
    # practice 1: 20 eligible of 23 (practice 2 holds 3), 12 invited, 10 of them responded,
    # 3 enrolled; practice 3 in Wales: 9 eligible.
    members = {1: stages(range(1, 21), range(1, 13), range(1, 11), range(1, 4)),
               2: stages(range(21, 24)),
               3: stages(range(30, 39), range(30, 39))}
    regions = {1: ("London", "England"), 2: ("London", "England"), 3: ("Wales", "Wales")}
    body = Funnel(1, dt.date(2026, 6, 30), members, regions).to_json(POLICY)
    total = counts(body["total"])
    by_practice = {p["practice_id"]: counts(p["stages"]) for p in body["practices"]}
    england = POLICY.disclose_ids(range(1, 24))
    # practice 1 is 3 short of London (= England): it reads as England's 23
    assert by_practice[1]["eligible"] == england
    assert by_practice[2]["eligible"] is None  # 3: the marker
    assert by_practice[3]["eligible"] == POLICY.disclose_ids(range(30, 39))  # Wales alone
    assert total["eligible"] == POLICY.disclose_ids([*range(1, 24), *range(30, 39)])
    # practice 1's 12 invited are 9 short of the 21 invited in all: a count of its own; its
    # 10 who responded are everyone who responded (the same set as the total, which is 11
    # short of all invited): the same count of their own, though 2 short of its invited
    assert by_practice[1]["invited"] == POLICY.disclose_ids(range(1, 13))
    assert total["invited"] == POLICY.disclose_ids([*range(1, 13), *range(30, 39)])
    assert by_practice[1]["responded"] == total["responded"] == POLICY.disclose_ids(
        range(1, 11))
    assert by_practice[1]["enrolled"] is None and total["enrolled"] is None
    # practice 3's 9 invited are its 9 eligible: the same set, the same count
    assert by_practice[3]["invited"] == by_practice[3]["eligible"]
    exact = Funnel(1, dt.date(2026, 6, 30), members, regions).to_json()
    assert counts(exact["total"]) == {"eligible": 32, "invited": 21, "responded": 10,
                                      "enrolled": 3}
