"""Nested cells (``disclosure.nested``): a cell within 0..7 patients of its anchor reads as
the anchor, so no answer holds two counts whose difference is a small group."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from dart.analysis.disclosure import DisclosurePolicy, apply_disclosure
from dart.analysis.disclosure.nested import publish_nested
from dart.analysis.feasibility import run_feasibility
from dart.analysis.representativeness import run_representativeness
from tests.support.tables import load_tables

POLICY = DisclosurePolicy(secret="nested")
TOTAL = ("total",)


def published(cells: dict, anchors: dict, policy: DisclosurePolicy = POLICY,
              structural=()) -> dict:
    return publish_nested(policy, cells, anchors, structural)


def test_a_group_within_the_threshold_of_its_total_reads_as_the_total():
    for gap in range(8):
        cells = {TOTAL: (60, 17), ("F",): (60 - gap, 200)}
        out = published(cells, {("F",): (TOTAL,)})
        assert out[("F",)] == out[TOTAL] == POLICY.disclose(60, 17)
    cells = {TOTAL: (60, 17), ("F",): (52, 200)}  # 8 apart: a count of its own
    assert published(cells, {("F",): (TOTAL,)})[("F",)] == POLICY.disclose(52, 200)


def test_a_marker_stays_a_marker_and_a_number_a_number():
    # 5 of a total of 9: the marker, not the total's number
    out = published({TOTAL: (9, 3), ("M",): (5, 1)}, {("M",): (TOTAL,)})
    assert out[("M",)] is None and out[TOTAL] == POLICY.disclose(9, 3)
    # the without-rule population of 12 anchored to a cohort of 6: its own number
    out = published({TOTAL: (6, 3), ("without",): (12, 40)}, {("without",): (TOTAL,)})
    assert out[TOTAL] is None and out[("without",)] == POLICY.disclose(12, 40)


def test_from_100_patients_a_copy_stays_within_5_percent():
    # From 100 patients a cell takes its anchor's count only when that count is within 5 %
    # of its own: decided on the published count, so whether a copy happens says nothing
    # exact about the gap (a rule on the gap alone would be a yes/no on it).
    # Under copies_accurate_from=100; the default (220) copies every gap (below).
    strict = dataclasses.replace(POLICY, copies_accurate_from=100)
    copies = own = 0
    for n, gap in itertools.product(range(100, 400), range(8)):
        total = POLICY.disclose(n + gap, n)
        cells = {TOTAL: (n + gap, n), ("a",): (n, 7 * n)}
        out = published(cells, {("a",): (TOTAL,)}, strict)
        assert abs(out[("a",)] - n) <= n // 20
        if n < 220:  # the default: the anchor's count, within 11
            assert published(cells, {("a",): (TOTAL,)})[("a",)] == total
            assert abs(total - n) <= 11
        if abs(total - n) <= n // 20:
            assert out[("a",)] == total
            copies += 1
        else:
            assert out[("a",)] == POLICY.disclose(n, 7 * n)
            own += 1
    assert copies and own  # both happen over these cells
    # from 220 every gap of 0..7 is copied: 7 + 4 <= 220 // 20 = 11
    for n, gap in itertools.product(range(220, 300), range(8)):
        out = published({TOTAL: (n + gap, 9), ("a",): (n, 1)}, {("a",): (TOTAL,)})
        assert out[("a",)] == out[TOTAL]


def test_copies_never_chain_past_the_threshold():
    # region 25 copies its nation 30; a practice of 20 is within 5 of the region but 10
    # of the count the region carries: it falls to its next anchor (the total: too far)
    cells = {TOTAL: (60, 1), ("nation",): (30, 2), ("region",): (25, 3), ("practice",): (20, 4)}
    anchors = {("nation",): (TOTAL,), ("region",): (("nation",), TOTAL),
               ("practice",): (("region",), TOTAL)}
    out = published(cells, anchors)
    assert out[("region",)] == out[("nation",)] == POLICY.disclose(30, 2)
    assert out[("practice",)] == POLICY.disclose(20, 4)
    # the same whatever order the cells come in
    for order in itertools.permutations(cells):
        assert published({k: cells[k] for k in order}, anchors) == out


def test_exact_counts_and_structural_zeros_are_kept():
    cells = {TOTAL: (40, 1), ("F",): (36, 2), ("M",): (0, 0)}
    anchors = {("F",): (TOTAL,), ("M",): (TOTAL,)}
    exact = published(cells, anchors, DisclosurePolicy(enabled=False))
    assert exact == {TOTAL: 40, ("F",): 36, ("M",): 0}
    out = published(cells, anchors, structural={("M",)})
    assert out[("M",)] == 0 and out[("F",)] == out[TOTAL]
    with pytest.raises(ValueError, match="cycle"):
        published({("a",): (20, 1), ("b",): (21, 2)}, {("a",): (("b",),), ("b",): (("a",),)})


# 20 women (1-20) and 9 men (21-29), all born 1970, at one London practice; x: men 21-23
# (3), y: men 21-29 (9).
STORE = "\n".join([
    "practice", "practice_id | ods_code | name | region | nation",
    "1 | A00001 | Thames Surgery | London | England", "",
    "patient", "patient_id | practice_id | sex | date_of_birth | research_opt_out",
    *(f"{i} | 1 | {'F' if i <= 20 else 'M'} | 1970-01-01 | false" for i in range(1, 30)), "",
    "observation", "patient_id | obs_date | code",
    *(f"{i} | 2020-01-01 | 1001" for i in range(21, 24)),
    *(f"{i} | 2020-01-01 | 1002" for i in range(21, 30))])
CODES = 'codelist x = snomed("1001")\ncodelist y = snomed("1002")\n'


def shown(ids) -> int | None:
    """What the engine publishes for exactly these patients, counted in Python."""
    return POLICY.disclose_ids(ids)


def test_a_store_publishes_nested_cells_as_their_anchor(store):
    load_tables(store, STORE)
    women = range(1, 21)

    def feasibility(text: str):
        return apply_disclosure(run_feasibility(store, CODES + text, keys=POLICY.keys), POLICY)

    def sex(result) -> dict:
        return {c.group: c.count for c in result.breakdowns["sex"]}

    # women or x: 23 eligible, 20 of them women (3 apart), 3 men (the marker)
    few = feasibility('include "a": sex is female or has x\n')
    assert few.eligible == shown([*women, 21, 22, 23])
    assert sex(few) == {"F": few.eligible, "M": None}
    assert {c.count for c in few.breakdowns["practice"]} == {few.eligible}
    # women or y: 29 eligible, 20 women (9 apart): every cell its own count
    many = feasibility('include "a": sex is female or has y\n')
    assert many.eligible == shown(range(1, 30))
    assert sex(many) == {"F": shown(women), "M": shown(range(21, 30))}

    # exclude x: the cohort (26) and the cohort without x (29) read the same; exclude y:
    # the cohort of 20 and the 29 without y are counts of their own
    def without(text: str) -> tuple:
        body = run_representativeness(store, CODES + text, policy=POLICY).to_json()
        rule = next(r for r in body["rule_impact"]["rules"] if r["label"] in "xy")
        return body["cohort"]["total"], rule["cohort_without"]

    cohort = [*women, *range(24, 30)]
    assert without('include "all": age >= 18\nexclude "x": has x\n') == (shown(cohort),) * 2
    assert without('include "all": age >= 18\nexclude "y": has y\n') == (
        shown(women), shown(range(1, 30)))
    # the cohort's women (20 of 26) as feasibility's: the same published count
    body = run_representativeness(store, CODES + 'include "all": age >= 18\nexclude "x": has x\n',
                                  policy=POLICY).to_json()
    sex_groups = next(d for d in body["dimensions"] if d["key"] == "sex")["groups"]
    women_shown = next(g for g in sex_groups if g["group"] == "F")["cohort"]["count"]
    same = feasibility('include "all": age >= 18\nexclude "x": has x\n')
    assert women_shown == sex(same)["F"] == same.eligible == shown(cohort)
