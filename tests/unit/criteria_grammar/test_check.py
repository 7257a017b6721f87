"""``check``: names against the catalogue, value atoms on dm+d sets, units."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from criteria_grammar import CriteriaError, check, parse


@dataclass(frozen=True)
class Set:
    system: str
    unit: str | None = None


CATALOGUE = {
    "t2dm": Set("snomed"),
    "hba1c": Set("snomed", "mmol/mol"),
    "sbp": Set("snomed", "mmHg"),
    "egfr": Set("snomed", "mL/min/1.73m2"),
    "metformin": Set("dmd"),
    "smoking_status": Set("snomed"),
    "smoking_current": Set("snomed"),
}


def checked(text: str) -> None:
    check(parse(text), CATALOGUE)


@pytest.mark.parametrize("text", [
    "include has t2dm and latest hba1c < 58 mmol/mol",
    "include latest hba1c > 7.5 %",               # known conversion
    "include latest hba1c > 7.5 percent",
    "include max sbp > 140 mmhg",                 # known unit, case ignored
    "include min egfr < 45 ml/min/1.73m2",
    "include latest egfr < 45",                   # no unit given: the set's own
    "include count of metformin within 6 months >= 2 and has metformin",
    "include latest code of smoking_status in smoking_current",
    'codelist t2dm = dmd("1")\ninclude has t2dm',  # inline shadows the catalogue
    'codelist bmi = snomed("1") unit "kg/m2"\ninclude latest bmi >= 30 kg/m2',
    "define m = has metformin\ninclude m",
])
def test_valid(text: str) -> None:
    checked(text)


ERRORS = [
    ("include has t2dn", "unknown-name", 1, 13, "t2dm"),
    ("include latest hba1 < 5", "unknown-name", 1, 16, "hba1c"),
    ("include latest code of smoking_status in smoking_currnt", "unknown-name", 1, 42,
     "smoking_current"),
    ("include ghost", "unknown-name", 1, 9, None),
    ("include agee", "unknown-name", 1, 9, "age"),  # no define near it: a condition's word
    ("define regional = has t2dm\ninclude regionl", "unknown-name", 2, 9, "regional"),
    ("define on_met = has metformin\ninclude on_mat", "unknown-name", 2, 9, "on_met"),
    ("include t2dm", "unknown-name", 1, 9, "has t2dm"),
    ("include latest metformin > 1", "value-on-dmd", 1, 9, None),
    ("include mean metformin within 6 months > 1", "value-on-dmd", 1, 9, None),
    ("include latest hba1c > 7.5 mmol/L", "unit-mismatch", 1, 28, "mmol/mol"),
    ("include latest t2dm > 7.5 %", "unit-mismatch", 1, 27, None),
    ('codelist bmi = snomed("1")\ninclude latest bmi >= 30 kg/m2', "unit-mismatch", 2, 26,
     None),
    ('codelist bmi = snomed("1") unit "kg/m2"\ninclude latest bmi between 1 and 2 mmHg',
     "unit-mismatch", 2, 36, "kg/m2"),
    ("include latest code of metformin in smoking_current", "system-mismatch", 1, 37, None),
]


@pytest.mark.parametrize(("text", "code", "line", "col", "suggestion"), ERRORS,
                         ids=[e[0][:40] for e in ERRORS])
def test_error(text: str, code: str, line: int, col: int, suggestion: str | None) -> None:
    with pytest.raises(CriteriaError) as caught:
        checked(text)
    err = caught.value
    assert (err.code, err.line, err.col) == (code, line, col), str(err)
    if suggestion:
        assert err.suggestion == suggestion


def test_names_in_population_and_defines_are_checked() -> None:
    with pytest.raises(CriteriaError) as caught:
        checked('population "p": has t2dx')
    assert caught.value.code == "unknown-name"
    with pytest.raises(CriteriaError) as caught:
        checked("define d = at least 1 of (has t2dm, not has nothing)")
    assert (caught.value.code, caught.value.col) == ("unknown-name", 45)


def test_no_suggestion_when_nothing_is_close() -> None:
    with pytest.raises(CriteriaError) as caught:
        checked("include ghost")
    assert caught.value.suggestion is None
