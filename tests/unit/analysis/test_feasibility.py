# ruff: noqa: E501  (the text tables are wider than code)
"""Feasibility counts on every engine, from tiny stores derived by hand."""

from __future__ import annotations

import hashlib

import pytest

from dart.analysis.disclosure import KEY_BASE, DisclosurePolicy, apply_disclosure, record_keys
from dart.analysis.disclosure.keys import unpack
from dart.analysis.feasibility import run_feasibility
from dart_vocab import AGE_BANDS
from tests.support.tables import load_tables

CRITERIA = """\
study "Tiny diabetes trial"
population "Women": sex is female
codelist dm = snomed("44054006")
codelist ins = dmd("3468611000001108")
include "Adults":  age >= 18
include "Diabetes": has dm
exclude "Insulin": has ins within 12 months
screen "Willing to attend"
"""

# Index date = the extract date, 2026-06-30.
#  1 F 1960 dm            -> eligible (65-69, white, IMD 3, London)
#  2 M 1970 dm            -> eligible (55-59)
#  3 F 2015 dm            -> fails Adults only
#  4 F 1980               -> fails Diabetes only
#  5 M 1950 dm, ins 2026-03 -> fails Insulin only
#  6 F 2012               -> fails Adults and Diabetes
#  7 left the practice, 8 opted out, 9 died: not in the base
# 10 M born 1944-06-30 (82 on the index date: 80-84), asian, IMD unknown, Wales practice,
#    dm, insulin 2024 (outside the window) -> eligible
# 11 F 1985 Wales, dm, ins 2026-06 -> fails Insulin only
STORE = """
practice
practice_id | ods_code | name         | region | nation
1           | A00001   | Thames Surgery | London | England
2           | W00002   | Taff Surgery   | Wales  | Wales

patient
patient_id | sex | date_of_birth | practice_id | ethnicity | imd_quintile | registration_end | research_opt_out | date_of_death
1          | F   | 1960-05-01    | 1           | white     | 3            |                  | false            |
2          | M   | 1970-01-01    | 1           | white     | 3            |                  | false            |
3          | F   | 2015-01-01    | 1           | white     | 3            |                  | false            |
4          | F   | 1980-01-01    | 1           | white     | 3            |                  | false            |
5          | M   | 1950-01-01    | 1           | white     | 3            |                  | false            |
6          | F   | 2012-01-01    | 1           | white     | 3            |                  | false            |
7          | F   | 1960-01-01    | 1           | white     | 3            | 2025-01-01       | false            |
8          | M   | 1960-01-01    | 1           | white     | 3            |                  | true             |
9          | F   | 1990-01-01    | 1           | white     | 3            |                  | false            | 2026-01-01
10         | M   | 1944-06-30    | 2           | asian     |              |                  | false            |
11         | F   | 1985-01-01    | 2           | white     | 2            |                  | false            |

observation
patient_id | obs_date   | code
1          | 2010-01-01 | 44054006
2          | 2011-01-01 | 44054006
3          | 2020-01-01 | 44054006
5          | 2012-01-01 | 44054006
7          | 2012-01-01 | 44054006
8          | 2012-01-01 | 44054006
9          | 2012-01-01 | 44054006
10         | 2005-01-01 | 44054006
11         | 2019-01-01 | 44054006

prescription
patient_id | issue_date | code
5          | 2026-03-01 | 3468611000001108
10         | 2024-01-01 | 3468611000001108
11         | 2026-06-01 | 3468611000001108
"""


@pytest.fixture
def result(store):
    load_tables(store, STORE)
    return run_feasibility(store, CRITERIA)


def test_totals_funnel_and_unique_impact(result):
    assert (result.base, result.population, result.eligible) == (8, 5, 3)
    assert [(s.label, s.kind, s.remaining, s.dropped) for s in result.funnel] == [
        ("Adults", "include", 6, 2),     # 3 and 6 are children
        ("Diabetes", "include", 5, 1),   # 4 has no diabetes
        ("Insulin", "exclude", 3, 2),    # 5 and 11 had insulin in the last 12 months
    ]
    assert [(r.label, r.count) for r in result.unique_impact] == [
        ("Adults", 1), ("Diabetes", 1), ("Insulin", 2)]  # 6 fails two rules: counted nowhere


def test_metadata(result):
    assert result.study == "Tiny diabetes trial"
    assert result.index_date.isoformat() == "2026-06-30"
    assert result.criteria_hash == hashlib.sha256(CRITERIA.encode()).hexdigest()
    assert result.screens == ("Willing to attend",)
    assert result.population_label == "Women"


def test_breakdowns_of_the_eligible(result):
    counts = {dim: {c.group: c.count for c in cells} for dim, cells in result.breakdowns.items()}
    assert [c.group for c in result.breakdowns["age_band"]] == list(AGE_BANDS)
    assert {k: v for k, v in counts["age_band"].items() if v} == {
        "55-59": 1, "65-69": 1, "80-84": 1}
    assert counts["sex"] == {"F": 1, "M": 2}
    assert counts["ethnicity"] == {"asian": 1, "black": 0, "mixed": 0, "white": 2,
                                   "other": 0, "unknown": 0}
    assert counts["imd_quintile"] == {"1": 0, "2": 0, "3": 2, "4": 0, "5": 0, "unknown": 1}
    assert {k: v for k, v in counts["region"].items() if v} == {"London": 2, "Wales": 1}
    assert counts["nation"] == {"England": 2, "Scotland": 0, "Wales": 1,
                                "Northern Ireland": 0}
    practices = [(c.group, c.name, c.parent, c.count) for c in result.breakdowns["practice"]]
    assert practices == [("A00001", "Thames Surgery", "London", 2),
                         ("W00002", "Taff Surgery", "Wales", 1)]
    for dim, cells in result.breakdowns.items():
        assert sum(c.count for c in cells) == result.eligible, dim


def test_json_and_disclosure(result):
    data = result.to_json()
    assert data["funnel"][0] == {"label": "Adults", "kind": "include", "remaining": 6,
                                 "dropped": 2, "suppressed": False}
    assert data["opt_outs"] == 1  # patient 8
    policy = DisclosurePolicy()
    shown = apply_disclosure(result, policy).to_json()
    assert shown["base"] == policy.disclose(8, result.cell_keys[("base",)])
    assert shown["eligible"] is None and shown["disclosure"]["breakdowns_withheld"]
    assert all(c["count"] is None for cells in shown["breakdowns"].values() for c in cells)
    assert shown["opt_outs"] is None and "opt_outs" in shown["suppressed"]
    assert shown["disclosure"]["applied"] is True


# The patients behind each count of ``result`` (derived from the table above).
SETS = {
    ("base",): {1, 2, 3, 4, 5, 6, 10, 11},
    ("population",): {1, 3, 4, 6, 11},
    ("eligible",): {1, 2, 10},
    ("opt_outs",): {8},
    ("funnel", 0): {1, 2, 4, 5, 10, 11},
    ("funnel", 1): {1, 2, 5, 10, 11},
    ("funnel", 2): {1, 2, 10},
    ("impact", 0): {3},
    ("impact", 1): {4},
    ("impact", 2): {5, 11},
    ("sex", "F"): {1},
    ("sex", "M"): {2, 10},
    ("region", "Wales"): {10},
    ("nation", "Wales"): {10},
    ("practice", "A00001"): {1, 2},
    ("age_band", "0-4"): set(),
}


def test_each_count_carries_the_key_sum_of_its_patients(result):
    # The record keys and bucket counts summed in SQL (through the split-pattern algebra)
    # equal the same patients' packed keys computed in Python, on every engine.
    keys = record_keys()
    for name, ids in SETS.items():
        packed = result.cell_keys.get(name, 0)
        assert packed == sum(keys.packed(i) for i in ids), name
        assert packed % KEY_BASE == sum(keys.of(i) for i in ids) % KEY_BASE, name
        assert sum(unpack(packed)[1]) == len(ids), name


def test_groups_the_criteria_make_empty_are_structural(result):
    structural = {c.group for c in result.breakdowns["age_band"] if c.structural}
    assert structural == {"0-4", "5-9", "10-14"}  # "Adults": age >= 18 (15-19 holds 18, 19)
    assert not any(c.structural for c in result.breakdowns["sex"])


def test_a_group_outside_the_vocabulary_is_listed_with_its_count(store):
    # The schema documents sex as F or M, but a data owner's extract may hold other codes;
    # breakdowns other than practice group the eligible rows only (docs/performance.md), so
    # an unlisted value must still reach the result, after the fixed vocabulary.
    load_tables(store, """
        patient
        patient_id | sex | date_of_birth
        1          | F   | 1960-01-01
        2          | U   | 1970-01-01
        3          | U   | 1980-01-01
        4          | U   | 2015-01-01

        observation
        patient_id | obs_date   | code
        1          | 2010-01-01 | 44054006
        2          | 2010-01-01 | 44054006
        3          | 2010-01-01 | 44054006
        4          | 2020-01-01 | 44054006
    """)
    result = run_feasibility(store, CRITERIA)  # 4 is a child: not eligible
    assert result.eligible == 3
    assert [(c.group, c.count) for c in result.breakdowns["sex"]] == [
        ("F", 1), ("M", 0), ("U", 2)]
