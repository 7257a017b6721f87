"""Defines used more than once are computed once per patient and shared (never written out
at every use): the same patients as the reference evaluator, which expands them, on every
engine, including through feasibility's split counting and a 40-level doubling chain."""

from __future__ import annotations

import time

from dart.analysis.feasibility import run_feasibility
from tests.spec.helpers import CODELISTS, parse_criteria, spec_test
from tests.support import hostile

PEOPLE = """
patient
patient_id | sex | date_of_birth
1          | F   | 1950-01-01
2          | F   | 2026-01-01
3          | M   | 1980-01-01
4          | M   | 2025-01-01
5          | F   | 1960-01-01

observation
patient_id | obs_date   | code
1          | 2020-01-01 | 1001
2          | 2020-01-01 | 1101
3          | 2020-01-01 | 1001
3          | 2020-01-01 | 1101

prescription
patient_id | issue_date | code
1          | 2026-06-01 | 5001
3          | 2026-06-01 | 5101
"""
# Ages at 2026-06-30: 1 -> 76, 2 -> 0, 3 -> 46, 4 -> 1, 5 -> 66.
# t2dm: 1, 3.  t1dm: 2, 3.  metformin: 1.  insulin: 3.  male: 3, 4.

SHARED = """define diabetic = has t2dm or has t1dm
define treated = has metformin or has insulin
define both = diabetic and treated
population "Diabetic": diabetic
include "Diabetic": diabetic
exclude "Treated women": both and sex is female
include "Treated or male": both or sex is male
"""
# diabetic {1, 2, 3} (used 3 times: shared); treated {1, 3} (once: written out);
# both {1, 3} (twice: shared, built on diabetic). Rules pass: {1, 2, 3}; {2, 3, 4, 5};
# {1, 3, 4}. Eligible {3}.


def test_shared_defines_with_records(store):
    spec_test(store, PEOPLE, SHARED, {3}, population={1, 2, 3},
              rules={0: {1, 2, 3}, 1: {2, 3, 4, 5}, 2: {1, 3, 4}})


def test_shared_defines_through_feasibility_counting(store):
    # The split form (baseline flags for 4, who has no records; the recorded patients'
    # corrections for the others) with the shared defines on both sides.
    spec_test(store, PEOPLE, SHARED, {3})  # loads the tables
    got = run_feasibility(store, parse_criteria(CODELISTS + SHARED))
    assert (got.base, got.population, got.eligible) == (5, 3, 1)
    assert [s.remaining for s in got.funnel] == [3, 2, 1]
    # fails only rule 0: {3, 4} - {1, 2, 3}; rule 1: {1, 3} - {2, 3, 4, 5}; rule 2:
    # {2, 3} - {1, 3, 4}
    assert [i.count for i in got.unique_impact] == [1, 1, 1]


def test_a_shared_define_of_demographics_only(store):
    spec_test(store, PEOPLE,
              "define young = age < 2\nexclude young\ninclude not young or has t2dm\n",
              {1, 3, 5}, rules={0: {1, 3, 5}, 1: {1, 3, 5}})


CHAIN = hostile.exponential_define(39)  # d39 written out: 2^39 conditions


def test_the_40_level_doubling_chain_answers_quickly(store):
    # Shared, the chain is 40 columns, one per step.
    started = time.monotonic()
    spec_test(store, PEOPLE, CHAIN, {1, 3, 5})  # age > 1
    assert time.monotonic() - started < 30


def test_a_doubling_chain_over_records_through_feasibility_counting(store):
    started = time.monotonic()
    chain = CHAIN.replace("age > 1", "has t2dm or sex is male")  # {1, 3, 4}
    spec_test(store, PEOPLE, chain.replace("include d39", "exclude d39"), {2, 5})
    got = run_feasibility(store, parse_criteria(CODELISTS + chain))
    assert (got.base, got.eligible, [s.remaining for s in got.funnel]) == (5, 3, [3])
    assert time.monotonic() - started < 30
