"""Warnings: valid criteria that are probably not what the author meant."""

from __future__ import annotations

import datetime as dt

import pytest

from criteria_grammar import check, parse
from criteria_grammar.advice import advise

SETS = '''codelist hba1c = snomed("1") unit "mmol/mol"
codelist egfr = snomed("2") unit "mL/min/1.73m2"
codelist t2dm = snomed("3")
'''


def warnings(text: str, extract: dt.date | None = None) -> list[tuple[str, int, int]]:
    criteria = parse(SETS + text)
    check(criteria, {})
    return [(w.code, w.line, w.col) for w in advise(criteria, {}, extract)]


def test_a_clean_file_has_no_warning() -> None:
    assert warnings("define d = has t2dm\ninclude d and latest hba1c between 58 and 110",
                    dt.date(2026, 6, 30)) == []


def test_hba1c_thresholds_that_look_like_percent() -> None:
    # Line 4 is the rule; its test starts at "between" (column 39).
    found = warnings("include latest hba1c within 12 months between 7.5 and 12")
    assert found == [("implausible-value", 4, 39)]


def test_the_message_says_did_you_mean_percent() -> None:
    criteria = parse(SETS + "include latest hba1c > 7.5")
    check(criteria, {})
    (warning,) = advise(criteria, {})
    assert "did you mean %?" in warning.message


def test_a_threshold_written_in_percent_is_converted_first() -> None:
    assert warnings("include latest hba1c > 7.5 %") == []


@pytest.mark.parametrize("text", ["include latest egfr < 900", "include max egfr > 0.5"])
def test_other_units_have_plausible_ranges(text: str) -> None:
    assert [w[0] for w in warnings(text)] == ["implausible-value"]


def test_a_define_no_rule_uses() -> None:
    found = warnings("define used = has t2dm\ndefine inner = has t2dm\n"
                     "define through = inner\ndefine lonely = has t2dm\ninclude used\n"
                     "exclude through")
    assert found == [("unused-define", 7, 8)]


def test_a_define_used_only_by_the_population_is_used() -> None:
    assert warnings('define d = has t2dm\npopulation "p": d\ninclude age > 3') == []


def test_an_index_date_after_the_extract() -> None:
    found = warnings("index date 2027-01-01\ninclude has t2dm", dt.date(2026, 6, 30))
    assert found == [("index-after-extract", 4, 1)]
    assert warnings("index date 2026-06-30\ninclude has t2dm", dt.date(2026, 6, 30)) == []


def test_a_unit_on_a_dmd_code_set() -> None:
    assert warnings('codelist m = dmd("9") unit "mg"\ninclude has m') == [
        ("unit-on-dmd", 4, 1)]


def test_a_warning_renders_with_its_caret() -> None:
    criteria = parse(SETS + "define lonely = has t2dm\ninclude has t2dm", "t.criteria")
    (warning,) = advise(criteria, {})
    head, line, caret = str(warning).split("\n")
    assert head.startswith("t.criteria:4:8: warning: ")
    assert line == "define lonely = has t2dm" and caret == " " * 7 + "^"
