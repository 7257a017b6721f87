"""Demographic atoms: age, sex, ethnicity, nation/region, IMD, registration.

Index date 2026-06-30 unless the file says otherwise. Age is in completed years; a 29
February birthday is reached on 1 March in non-leap years.
"""

from tests.spec.helpers import run, spec_test

AGES = """
patient
patient_id | date_of_birth
1          | 2008-06-30
2          | 2008-07-01
3          | 1986-06-30
4          | 1986-07-01
5          | 1945-07-01
6          | 1945-06-30
"""
# On 2026-06-30: 1 is 18 (birthday today), 2 is 17 (tomorrow), 3 is 40, 4 is 39,
# 5 is 80 (81 tomorrow), 6 is 81.


def test_age_at_least_counts_a_birthday_on_the_index_date(store):
    spec_test(store, AGES, "include age >= 18", {1, 3, 4, 5, 6})


def test_age_below(store):
    spec_test(store, AGES, "include age < 18", {2})


def test_age_between_is_inclusive(store):
    spec_test(store, AGES, "include age between 40 and 80", {3, 5})


def test_age_greater(store):
    spec_test(store, AGES, "include age > 80", {6})


def test_age_equal_and_not_equal(store):
    spec_test(store, AGES, "include age = 40 or age = 17", {2, 3})


def test_age_not_equal(store):
    spec_test(store, AGES, "include age != 40", {1, 2, 4, 5, 6})


def test_age_at_most(store):
    spec_test(store, AGES, "include age <= 39", {1, 2, 4})


LEAP = """
patient
patient_id | date_of_birth
1          | 2024-02-29
2          | 2024-02-28
3          | 2024-03-01
"""


def test_leap_day_birthday_is_reached_on_1_march(store):
    # On 2025-02-28: 2 turned 1 today; 1 (born 29 Feb) turns 1 on 1 March; 3 not yet.
    spec_test(store, LEAP, "index date 2025-02-28\ninclude age >= 1", {2})


def test_leap_day_birthday_on_1_march(store):
    spec_test(store, LEAP, "index date 2025-03-01\ninclude age >= 1", {1, 2, 3})


def test_leap_day_birthday_in_a_leap_year(store):
    # On 2028-02-29 all three are at least 3; 1 (born 29 Feb 2024) is exactly 4 today,
    # 2 turned 4 yesterday, 3 turns 4 tomorrow.
    spec_test(store, LEAP, "index date 2028-02-29\ninclude age >= 4", {1, 2})


def test_age_band_column(store):
    tables = """
patient
patient_id | date_of_birth
1          | 1936-06-30
2          | 1936-07-01
3          | 2026-01-01
4          | 2021-06-30
5          | 1986-06-30
"""
    rows = run(store, tables, "include sex is female")
    got = {r["patient_id"]: r["age_band"] for r in rows}
    # 1 turns 90 today: "90+"; 2 is 89; 3 is a baby; 4 turns 5 today; 5 turns 40.
    assert got == {1: "90+", 2: "85-89", 3: "0-4", 4: "5-9", 5: "40-44"}
    assert str(next(r for r in rows if r["patient_id"] == 2)["date_of_birth"])[:10] == (
        "1936-07-01")


def test_sex(store):
    tables = "patient\npatient_id | sex\n1 | F\n2 | M\n"
    spec_test(store, tables, "include sex is male", {2})


def test_ethnicity_in(store):
    tables = """
patient
patient_id | ethnicity
1          | asian
2          | black
3          | white
4          | unknown
"""
    spec_test(store, tables, "include ethnicity in (asian, black)", {1, 2})


PRACTICES = """
practice
practice_id | ods_code | name | region           | nation
1           | A00001   | One  | London           | England
2           | A00002   | Two  | Wales            | Wales
3           | A00003   | Tri  | North East       | England

patient
patient_id | practice_id
1          | 1
2          | 2
3          | 3
"""


def test_nation_in(store):
    spec_test(store, PRACTICES, "include nation in (Wales, Scotland)", {2})


def test_region_in(store):
    rows = spec_test(store, PRACTICES, 'include region in ("North East", London)', {1, 3})
    assert {r["patient_id"]: r["nation"] for r in rows} == {1: "England", 2: "Wales",
                                                           3: "England"}


IMD = """
patient
patient_id | imd_quintile
1          | 1
2          | 2
3          | 3
4          | 5
5          |
"""


def test_imd_compare_and_unknown_is_false(store):
    # 5 has no IMD: false, whatever the test.
    spec_test(store, IMD, "include imd quintile <= 2", {1, 2})


def test_imd_between_is_inclusive(store):
    spec_test(store, IMD, "include imd quintile between 2 and 5", {2, 3, 4})


def test_not_imd_is_true_for_unknown_imd(store):
    # The atom is false for unknown IMD, so its negation is true (decision, see report).
    spec_test(store, IMD, "include not imd quintile <= 2", {3, 4, 5})


REGISTERED = """
patient
patient_id | registration_start
1          | 2025-06-30
2          | 2025-07-01
3          | 2026-02-28
4          | 2026-03-01
"""


def test_registered_for_counts_exactly_n_units(store):
    # Since at least 12 months before 2026-06-30, i.e. on or before 2025-06-30.
    spec_test(store, REGISTERED, "include registered for 12 months", {1})


def test_registered_for_month_end(store):
    # 2026-03-31 minus 1 month is 2026-02-28 (calendar, clamped): 3 qualifies, 4 does not.
    spec_test(store, REGISTERED, "index date 2026-03-31\ninclude registered for 1 month",
              {1, 2, 3})
