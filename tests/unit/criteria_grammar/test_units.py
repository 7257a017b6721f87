"""Unit normalisation and conversion."""

from __future__ import annotations

import pytest

from criteria_grammar.units import can_convert, convert, normalise, same_unit


def test_hba1c_dcct_to_ifcc() -> None:
    assert convert(7.5, "%", "mmol/mol") == pytest.approx((7.5 - 2.15) * 10.929)
    assert convert(6.5, "%", "mmol/mol") == pytest.approx(47.54, abs=0.01)
    assert convert(convert(8.0, "%", "mmol/mol"), "mmol/mol", "%") == pytest.approx(8.0)


def test_same_unit_is_identity() -> None:
    assert convert(140, "mmHg", "mmhg") == 140.0
    assert convert(3, "odd/unit", "odd/unit") == 3.0


@pytest.mark.parametrize(("a", "b"), [
    ("mmHg", "mmhg"), ("mmHg", "mm Hg"), ("mL/min/1.73m2", "ml/min/1.73 m2"),
    ("kg/m2", "kg/m^2"), ("%", "percent"), ("mmol/L", "MMOL/L"),
])
def test_known_spellings_match_ignoring_case(a: str, b: str) -> None:
    assert same_unit(a, b)
    assert can_convert(a, b)


def test_unknown_units_are_case_sensitive() -> None:
    assert not same_unit("mU/L", "MU/L")
    assert normalise(" mU/L ") == "mU/L"


def test_unknown_conversion() -> None:
    assert not can_convert("mmol/L", "mmol/mol")
    with pytest.raises(KeyError):
        convert(1, "mmol/L", "mmol/mol")
