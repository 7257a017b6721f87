"""Who is counted: registered and alive on the index date, not opted out (spec: Who is counted).

Index date: the store's extract date, 2026-06-30, unless the file gives one.
"""

from tests.spec.helpers import spec_test

REGISTRATIONS = """
patient
patient_id | registration_start | registration_end | date_of_death | research_opt_out
1          | 2000-01-01         |                  |               | false
2          | 2026-06-30         |                  |               | false
3          | 2026-07-01         |                  |               | false
4          | 2000-01-01         | 2026-06-30       |               | false
5          | 2000-01-01         | 2026-07-01       |               | false
6          | 2000-01-01         |                  | 2026-06-30    | false
7          | 2000-01-01         |                  | 2026-07-01    | false
8          | 2000-01-01         |                  |               | true
9          | 2000-01-01         | 2020-01-01       |               | false
10         | 2000-01-01         |                  | 2019-05-05    | false
"""


def test_base_is_registered_alive_and_not_opted_out(store):
    # 1 registered long ago; 2 registered ON the index date (start <= index); 5 leaves and
    # 7 dies AFTER the index date, so both still count. Not: 3 registers after it; 4 leaves
    # and 6 dies ON it; 8 opted out; 9 left and 10 died long ago.
    spec_test(store, REGISTRATIONS, "include sex is female", {1, 2, 5, 7},
              base={1, 2, 5, 7})


def test_the_file_index_date_moves_the_base(store):
    # At 2020-01-01: 4, 5, 6, 7 had not yet left or died; 9 leaves that very day and 10
    # died in 2019 (not counted); 2 and 3 are not yet registered.
    spec_test(store, REGISTRATIONS, "index date 2020-01-01\ninclude sex is female",
              {1, 4, 5, 6, 7}, base={1, 4, 5, 6, 7})


def test_opted_out_patients_are_never_counted_even_when_matching(store):
    tables = REGISTRATIONS + """
observation
patient_id | obs_date   | code
8          | 2020-01-01 | 1001
1          | 2020-01-01 | 1001
"""
    # 8 has t2dm but opted out: absent from every row, not merely ineligible.
    spec_test(store, tables, "include has t2dm", {1}, base={1, 2, 5, 7})


def test_without_population_everyone_is_in_it(store):
    spec_test(store, REGISTRATIONS, "include sex is female", {1, 2, 5, 7},
              population={1, 2, 5, 7})


def test_population_flags_patients_satisfying_it(store):
    tables = """
patient
patient_id | date_of_birth
1          | 1960-01-01
2          | 2010-01-01
3          | 1960-01-01

observation
patient_id | obs_date   | code
1          | 2020-01-01 | 1001
2          | 2020-01-01 | 1001
"""
    # Population: adults with t2dm = 1 only (2 is a child, 3 has no t2dm). The population
    # does not restrict eligibility: everyone female passes the rule.
    spec_test(store, tables,
              'population "Adults with T2DM": has t2dm and age >= 18\ninclude sex is female',
              {1, 2, 3}, population={1})


def test_eligible_needs_every_include_and_no_exclude(store):
    tables = """
patient
patient_id | sex
1          | F
2          | M
3          | F

observation
patient_id | obs_date   | code
1          | 2020-01-01 | 1001
2          | 2020-01-01 | 1001
3          | 2020-01-01 | 1001
3          | 2020-01-01 | 1101
"""
    # rule_0 (female): 1, 3; rule_1 (t2dm): all; rule_2 (exclude t1dm) passed by 1, 2.
    spec_test(store, tables,
              "include sex is female\ninclude has t2dm\nexclude has t1dm",
              {1}, rules={0: {1, 3}, 1: {1, 2, 3}, 2: {1, 2}})
