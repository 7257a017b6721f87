"""``--source-map``: a CDM whose ETL chose other concepts and values, read through a map."""

from __future__ import annotations

from dart.sources.omop import OmopSource
from dart.sources.omop_map import load_mapping
from tests.spec.omop.helpers import omop_rows, omop_test

MAP = """
[sex]
female = 45878463
male = 45880669

[race]
38003574 = "asian"

[imd]
observation_source_value = "IMD2019 quintile"

[vocabulary]
snomed = "SNOMED CT"
"""

CONCEPTS = """
concept
concept_id | concept_code | vocabulary_id
11         | 1001         | SNOMED CT
12         | 1002         | SNOMED
"""

TABLES = """
person
person_id | gender_concept_id | race_concept_id
1         | 45878463          | 38003574
2         | 45880669          | 8515
3         | 8532              | 38003574

observation
person_id | observation_date | observation_source_value | value_as_number
1         | 2024-01-01       | IMD2019 quintile         | 2
2         | 2024-01-01       | imd_quintile             | 2

condition_occurrence
person_id | condition_start_date | condition_concept_id
1         | 2025-01-01           | 11
2         | 2025-01-01           | 12
"""


def test_a_source_map_changes_sex_race_imd_and_vocabulary(cdm, tmp_path):
    path = tmp_path / "map.toml"
    path.write_text(MAP)
    source = OmopSource(load_mapping(path))
    # 3: 8532 is no longer a sex this CDM uses; 2: 8515 is no longer a race concept.
    rows = omop_rows(cdm, TABLES, "include age >= 18", source, CONCEPTS)
    assert {r["patient_id"]: (r["sex"], r["ethnicity"], r["imd_quintile"]) for r in rows} == {
        1: ("F", "asian", 2), 2: ("M", "unknown", None)}
    # Code 1002 is under SNOMED, which this map does not read.
    omop_test(cdm, TABLES, "include has t2dm", {1}, source=source, concepts=CONCEPTS)
