"""not, and, or, parentheses, at least N of, and defines; `not` binds tightest, then `and`."""

from tests.spec.helpers import spec_test

PEOPLE = """
patient
patient_id | sex
1          | F
2          | F
3          | M
4          | M
5          | F

observation
patient_id | obs_date   | code | value
1          | 2020-01-01 | 1001 |
2          | 2020-01-01 | 1101 |
3          | 2020-01-01 | 1001 |
3          | 2020-01-01 | 1101 |
5          | 2026-01-01 | 2001 | 70

prescription
patient_id | issue_date | code
1          | 2026-06-01 | 5001
3          | 2026-06-01 | 5101
"""
# t2dm: 1, 3.  t1dm: 2, 3.  male: 3, 4.  metformin: 1.  insulin: 3.  hba1c 70: 5.


def test_and(store):
    spec_test(store, PEOPLE, "include has t2dm and sex is male", {3})


def test_or(store):
    spec_test(store, PEOPLE, "include has t2dm or has t1dm", {1, 2, 3})


def test_not_binds_tightest_then_and_then_or(store):
    # ((not t2dm) and t1dm) or male = {2} | {3, 4}.
    spec_test(store, PEOPLE, "include not has t2dm and has t1dm or sex is male", {2, 3, 4})


def test_parentheses(store):
    # not (t2dm and t1dm) and (male or has metformin): not 3; then 1 (metformin) and 4.
    spec_test(store, PEOPLE,
              "include not (has t2dm and has t1dm) and (sex is male or has metformin)",
              {1, 4})


def test_at_least_n_of(store):
    # Counts per patient among (t2dm, t1dm, insulin, male): 1→1, 2→1, 3→4, 4→1, 5→0.
    spec_test(store, PEOPLE,
              "include at least 2 of (has t2dm, has t1dm, has insulin, sex is male)", {3})


def test_at_least_1_of_with_a_value_atom_without_values(store):
    # Only 5 has an hba1c value; the others' value atom is false, not NULL.
    spec_test(store, PEOPLE,
              "include at least 1 of (latest hba1c > 60, has metformin)", {1, 5})


def test_defines_are_expanded_where_used(store):
    spec_test(store, PEOPLE,
              "define diabetic = has t2dm or has t1dm\n"
              "define treated = has metformin or has insulin\n"
              "include diabetic\nexclude not treated\ninclude diabetic and sex is female",
              {1}, rules={0: {1, 2, 3}, 1: {1, 3}, 2: {1, 2}})


def test_define_using_a_define(store):
    spec_test(store, PEOPLE,
              "define diabetic = has t2dm or has t1dm\n"
              "define male_diabetic = diabetic and sex is male\n"
              "exclude male_diabetic", {1, 2, 4, 5})


def test_exclude_of_a_value_atom_keeps_patients_without_values(store):
    # `exclude latest hba1c > 60` excludes only 5; the rest have no value (atom false).
    spec_test(store, PEOPLE, "exclude latest hba1c > 60", {1, 2, 3, 4})


def test_conditions_and_rules_columns(store):
    rows = spec_test(store, PEOPLE, 'include "T2": has t2dm\nexclude "T1": has t1dm', {1})
    by_id = {r["patient_id"]: (r["cond_0"], r["rule_0"], r["cond_1"], r["rule_1"])
             for r in rows}
    # cond is the raw condition; rule is pass (exclude the condition does not hold).
    assert by_id[3] == (1, 1, 1, 0)
    assert by_id[4] == (0, 0, 0, 1)
