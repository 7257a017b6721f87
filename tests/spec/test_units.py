"""Units: a threshold in another unit is converted to the code set's unit; data never is.

HbA1c: mmol/mol = (% - 2.15) * 10.929. So 7.5 % = 58.47 mmol/mol and 6.5 % = 47.54.
"""

from tests.spec.helpers import spec_test

HBA1C = """
patient
patient_id
1
2
3
4

observation
patient_id | obs_date   | code | value
1          | 2026-01-01 | 2001 | 58
2          | 2026-01-01 | 2001 | 59
3          | 2026-01-01 | 2001 | 48
4          | 2026-01-01 | 2001 | 47
"""


def test_percent_threshold_is_converted_to_mmol_per_mol(store):
    # >= 58.47 mmol/mol: only 59. (Unconverted, 7.5 would admit everyone.)
    spec_test(store, HBA1C, "include latest hba1c >= 7.5 %", {2})


def test_percent_range(store):
    # 47.54 to 58.47 mmol/mol: 58 and 48 are in, 59 and 47 are out.
    spec_test(store, HBA1C, "include latest hba1c between 6.5 and 7.5 %", {1, 3})


def test_same_unit_is_not_converted(store):
    spec_test(store, HBA1C, "include latest hba1c between 48 and 58 mmol/mol", {1, 3})


def test_quoted_unit(store):
    spec_test(store, HBA1C, 'include latest hba1c < 7 "%"', {3, 4})
