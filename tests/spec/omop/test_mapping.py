"""Each rule of the OMOP mapping (docs/sources.md), on a hand-built CDM, on every engine.

The index date is the extract date 2026-06-30 (``cdm_source.source_release_date``) unless
a test's criteria set another.
"""

from __future__ import annotations

from tests.spec.omop.helpers import omop_rows, omop_test


def test_sex_from_gender_concepts_and_others_not_in_the_base(cdm):
    people = """
    person
    person_id | gender_concept_id
    1         | 8532
    2         | 8507
    3         | 8551
    """
    omop_test(cdm, people, "include sex is female", {1}, base={1, 2})


def test_ethnicity_from_race_concepts_then_race_source_value(cdm):
    people = """
    person
    person_id | race_concept_id | race_source_value
    1         | 8515            |
    2         | 8516            | White
    3         | 8527            |
    4         | 0               | MIXED
    5         | 0               | Other
    6         | 0               | Martian
    7         | 0               |
    """
    rows = omop_rows(cdm, people, "include age >= 18")
    assert {r["patient_id"]: r["ethnicity"] for r in rows} == {
        1: "asian", 2: "black", 3: "white", 4: "mixed", 5: "other", 6: "unknown",
        7: "unknown"}


def test_imd_is_the_latest_on_or_before_the_index_highest_on_ties(cdm):
    tables = """
    person
    person_id
    1
    2
    3
    4

    observation
    person_id | observation_date | observation_source_value | value_as_number
    1         | 2020-01-01       | imd_quintile             | 5
    1         | 2024-01-01       | imd_quintile             | 1
    2         | 2024-01-01       | imd_quintile             | 2
    2         | 2024-01-01       | imd_quintile             | 4
    3         | 2020-01-01       | imd_quintile             | 2
    3         | 2026-07-01       | imd_quintile             | 5
    4         | 2024-01-01       | imd_quintile             | 7
    """
    rows = omop_rows(cdm, tables, "include age >= 18")
    assert {r["patient_id"]: r["imd_quintile"] for r in rows} == {1: 1, 2: 4, 3: 2, 4: None}


def test_registration_is_the_observation_period_containing_the_index(cdm):
    tables = """
    person
    person_id
    1
    2
    3
    4
    5
    6

    observation_period
    person_id | observation_period_start_date | observation_period_end_date
    1         | 2000-01-01                    | 2026-06-30
    2         | 2000-01-01                    | 2026-06-29
    3         | 2026-07-01                    | 2026-06-30
    4         | 2000-01-01                    | 2010-01-01
    4         | 2025-01-01                    | 2030-01-01
    5         | 2000-01-01                    | 2026-06-01
    6         | 2000-01-01                    | 2026-06-30
    """
    # 1 and 6: the period runs to the extract date; 2 left the day before; 3 not yet
    # registered; 4's second period holds the index (registered 18 months).
    omop_test(cdm, tables, "include age >= 18", {1, 4, 6}, base={1, 4, 6})
    omop_test(cdm, tables, "include registered for 2 years", {1, 6})
    # An earlier index: 2's and 5's periods end after it, so they are registered then.
    omop_test(cdm, tables, "index date 2026-05-31\ninclude age >= 18", {1, 2, 4, 5, 6})


def test_practice_region_and_nation_from_care_site_and_location(cdm):
    tables = """
    care_site
    care_site_id | care_site_name | location_id | care_site_source_value
    1            | One            | 1           | W00001
    2            | Two            | 2           | L00002

    location
    location_id | state  | country_source_value
    1           | Wales  | Wales
    2           | London | England

    person
    person_id | care_site_id
    1         | 1
    2         | 2
    """
    rows = omop_test(cdm, tables, "include nation in (Wales)", {1})
    assert {r["patient_id"]: r["region"] for r in rows} == {1: "Wales", 2: "London"}


def test_death_ends_the_base(cdm):
    tables = """
    person
    person_id
    1
    2
    3

    death
    person_id | death_date
    1         | 2026-06-30
    2         | 2026-07-01
    """
    omop_test(cdm, tables, "include age >= 18", {2, 3}, base={2, 3})


def test_date_of_birth_from_datetime_else_year_month_day(cdm):
    tables = """
    person
    person_id | year_of_birth | month_of_birth | day_of_birth | birth_datetime
    1         | 2008          | 7              | 1            |
    2         | 2008          | 6              | 30           |
    3         | 2008          |                |              |
    4         | 1990          | 1              | 1            | 2008-07-01 00:00:00
    """
    # 18 on 2026-06-30: born on or before 2008-06-30 (3: 2008-01-01; 4: the datetime wins).
    omop_test(cdm, tables, "include age >= 18", {2, 3})


PEOPLE = "person\nperson_id\n" + "\n".join(str(i) for i in range(1, 10)) + "\n"


def test_code_sets_by_source_or_standard_concept_in_each_table(cdm):
    tables = PEOPLE + """
    condition_occurrence
    person_id | condition_start_date | condition_concept_id | condition_source_concept_id
    1         | 2025-01-01           | 11                   | 0
    2         | 2025-01-01           | 0                    | 12

    observation
    person_id | observation_date | observation_concept_id | observation_source_concept_id
    3         | 2025-01-01       | 0                      | 11

    measurement
    person_id | measurement_date | measurement_concept_id | measurement_source_concept_id
    4         | 2025-01-01       | 12                     | 0

    procedure_occurrence
    person_id | procedure_date | procedure_concept_id | procedure_source_concept_id
    5         | 2025-01-01     | 0                    | 11
    6         | 2025-01-01     | 61                   | 61
    7         | 2026-07-01     | 11                   | 11
    """
    # 6: code 1001 of the Read vocabulary is not the SNOMED code; 7: after the index.
    omop_test(cdm, tables, "include has t2dm", {1, 2, 3, 4, 5})


def test_a_record_with_both_concepts_in_the_set_counts_once(cdm):
    tables = PEOPLE + """
    condition_occurrence
    person_id | condition_start_date | condition_concept_id | condition_source_concept_id
    1         | 2025-01-01           | 11                   | 12
    2         | 2025-01-01           | 11                   | 12
    2         | 2025-02-01           | 11                   | 11
    """
    omop_test(cdm, tables, "include count of t2dm = 1", {1})
    omop_test(cdm, tables, "include count of t2dm = 2", {2})


def test_latest_code_has_the_codes_of_both_concepts(cdm):
    tables = PEOPLE + """
    observation
    person_id | observation_date | observation_concept_id | observation_source_concept_id
    1         | 2025-01-01       | 31                     | 32
    2         | 2025-01-01       | 32                     | 0
    3         | 2024-01-01       | 31                     | 0
    3         | 2025-01-01       | 0                      | 32
    """
    omop_test(cdm, tables, "include latest code of smoking_status in smoking_current", {1})


def test_dmd_code_sets_read_drug_exposure(cdm):
    tables = PEOPLE + """
    drug_exposure
    person_id | drug_exposure_start_date | drug_concept_id | drug_source_concept_id
    1         | 2026-03-01               | 0               | 51
    2         | 2026-03-01               | 51              | 0
    3         | 2026-03-01               | 11              | 11
    4         | 2020-03-01               | 51              | 51
    """
    omop_test(cdm, tables, "include has metformin within 12 months", {1, 2})
    omop_test(cdm, tables, "include has metformin", {1, 2, 4})


def test_measurement_and_observation_values(cdm):
    tables = PEOPLE + """
    measurement
    person_id | measurement_date | measurement_concept_id | value_as_number | unit_source_value
    1         | 2026-01-01       | 21                     | 60              | mmol/mol
    2         | 2026-01-01       | 21                     | 40              | mmol/mol
    2         | 2025-01-01       | 21                     | 70              | mmol/mol

    observation
    person_id | observation_date | observation_concept_id | value_as_number
    3         | 2026-02-01       | 21                     | 59
    """
    omop_test(cdm, tables, "include latest hba1c > 58", {1, 3})
    omop_test(cdm, tables, "include max hba1c > 65", {2})
