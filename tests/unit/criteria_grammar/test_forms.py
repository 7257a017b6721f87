"""Every form of the language parses to the node docs/criteria-language.md gives it (nodes
compare by value)."""

from __future__ import annotations

import datetime as dt

import pytest

from criteria_grammar import nodes as n
from criteria_grammar import parse

M12 = n.Within(12, "month")


def cond(text: str) -> n.Condition:
    """The condition of a one-rule file ``include TEXT``."""
    return parse(f"include {text}").rules[0].condition


FORMS = [
    ("age >= 18", n.AgeTest(n.Compare(">=", 18))),
    ("age < 65.5", n.AgeTest(n.Compare("<", 65.5))),
    ("age ≥ 18", n.AgeTest(n.Compare(">=", 18))),
    ("imd quintile ≤ 2", n.ImdTest(n.Compare("<=", 2))),
    ("count of t2dm ≠ 1", n.CountOf("t2dm", n.Ever(), n.Compare("!=", 1))),
    ("age between 40 and 80", n.AgeTest(n.Range(40, 80))),
    ("sex is female", n.SexIs("F")),
    ("sex is male", n.SexIs("M")),
    ("ethnicity in (asian, Black, \"white\")", n.EthnicityIn(("asian", "black", "white"))),
    ("nation in (England, \"Northern Ireland\")", n.NationIn(("England", "Northern Ireland"))),
    ("nation in (northern ireland)", n.NationIn(("Northern Ireland",))),
    ('region in ("Yorkshire and The Humber", london)',
     n.RegionIn(("Yorkshire and The Humber", "London"))),
    ("region in (yorkshire and the humber)", n.RegionIn(("Yorkshire and The Humber",))),
    ("imd quintile <= 2", n.ImdTest(n.Compare("<=", 2))),
    ("imd quintile between 1 and 3", n.ImdTest(n.Range(1, 3))),
    ("registered for 12 months", n.Registered(12, "month")),
    ("registered for 1 year", n.Registered(1, "year")),
    ("has t2dm", n.Has("t2dm", n.Ever())),
    ("has t2dm ever", n.Has("t2dm", n.Ever())),
    ("has t2dm within 12 months", n.Has("t2dm", M12)),
    ("has t2dm within 30 days", n.Has("t2dm", n.Within(30, "day"))),
    ("has t2dm within 2 weeks", n.Has("t2dm", n.Within(2, "week"))),
    ("has t2dm within 1 year", n.Has("t2dm", n.Within(1, "year"))),
    ("has t2dm more than 5 years ago", n.Has("t2dm", n.MoreThanAgo(5, "year"))),
    ("has t2dm between 2020-01-01 and 2020-12-31",
     n.Has("t2dm", n.Between(dt.date(2020, 1, 1), dt.date(2020, 12, 31)))),
    ("count of metformin within 6 months >= 2",
     n.CountOf("metformin", n.Within(6, "month"), n.Compare(">=", 2))),
    ("count of metformin = 0", n.CountOf("metformin", n.Ever(), n.Compare("=", 0))),
    ("count of metformin between 2 and 4", n.CountOf("metformin", n.Ever(), n.Range(2, 4))),
    ("count of metformin between 2020-01-01 and 2020-06-30 != 1",
     n.CountOf("metformin", n.Between(dt.date(2020, 1, 1), dt.date(2020, 6, 30)),
               n.Compare("!=", 1))),
    ("latest hba1c within 12 months between 58 and 110 mmol/mol",
     n.ValueOf("latest", "hba1c", M12, n.Range(58, 110, "mmol/mol"))),
    ("latest hba1c > 7.5 %", n.ValueOf("latest", "hba1c", n.Ever(), n.Compare(">", 7.5, "%"))),
    ("latest hba1c > 7.5%", n.ValueOf("latest", "hba1c", n.Ever(), n.Compare(">", 7.5, "%"))),
    ("earliest bmi >= 30 kg/m2",
     n.ValueOf("earliest", "bmi", n.Ever(), n.Compare(">=", 30, "kg/m2"))),
    ("max sbp within 12 months > 140 mmHg",
     n.ValueOf("max", "sbp", M12, n.Compare(">", 140, "mmHg"))),
    ("min egfr < 45 mL/min/1.73m2",
     n.ValueOf("min", "egfr", n.Ever(), n.Compare("<", 45, "mL/min/1.73m2"))),
    ('mean sbp between 2024-01-01 and 2024-12-31 <= 130 "mm Hg"',
     n.ValueOf("mean", "sbp", n.Between(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
               n.Compare("<=", 130, "mm Hg"))),
    ("latest egfr within 12 months < 30", n.ValueOf("latest", "egfr", M12, n.Compare("<", 30))),
    ("first t2dm within 12 months", n.FirstIn("t2dm", M12)),
    ("latest code of smoking_status in smoking_current",
     n.LatestCodeIn("smoking_status", n.Ever(), "smoking_current")),
    ("latest code of smoking_status within 2 years in smoking_current",
     n.LatestCodeIn("smoking_status", n.Within(2, "year"), "smoking_current")),
    ("at least 2 of (has metformin within 6 months, has sulfonylurea within 6 months, "
     "has pioglitazone within 6 months)",
     n.AtLeast(2, (n.Has("metformin", n.Within(6, "month")),
                   n.Has("sulfonylurea", n.Within(6, "month")),
                   n.Has("pioglitazone", n.Within(6, "month"))))),
    ("invited within 6 months", n.Invited(n.Within(6, "month"))),
    ("invited ever", n.Invited(n.Ever())),
    ("enrolled within 12 months", n.Enrolled(n.Within(12, "month"))),
    ("enrolled ever", n.Enrolled(n.Ever())),
    ("enrolled in study 4", n.Enrolled(n.Ever(), 4)),
    ("enrolled in study 4 within 12 months", n.Enrolled(n.Within(12, "month"), 4)),
    ("ENROLLED IN STUDY 4 EVER", n.Enrolled(n.Ever(), 4)),
    ("enrolled in study 2147483647", n.Enrolled(n.Ever(), 2147483647)),
    ("(has t2dm)", n.Has("t2dm", n.Ever())),
]


@pytest.mark.parametrize(("text", "expected"), FORMS, ids=[f[0][:40] for f in FORMS])
def test_form(text: str, expected: n.Condition) -> None:
    assert cond(text) == expected


def test_ref_to_earlier_define() -> None:
    criteria = parse("define adult = age >= 18\ninclude adult")
    assert criteria.rules[0].condition == n.Ref("adult")
    assert criteria.define("adult").condition == n.AgeTest(n.Compare(">=", 18))


def test_statements() -> None:
    criteria = parse('study "S"\nindex date 2026-03-31\n'
                     'codelist hba1c = snomed("999791000000106", "1") unit "mmol/mol"\n'
                     'codelist metformin = dmd("123")\n'
                     'screen "Willing to attend weekly visits"\n'
                     'population "Everyone with diabetes": has hba1c\n'
                     "include has metformin")
    assert criteria.study == "S"
    assert criteria.index_date == dt.date(2026, 3, 31)
    assert criteria.codelists == (
        n.CodelistDef("hba1c", "snomed", ("999791000000106", "1"), "mmol/mol"),
        n.CodelistDef("metformin", "dmd", ("123",)),
    )
    assert criteria.screens == (n.Screen("Willing to attend weekly visits"),)
    assert criteria.population == n.Population("Everyone with diabetes",
                                               n.Has("hba1c", n.Ever()))
    assert criteria.rules == (n.Rule("include", "has metformin", n.Has("metformin", n.Ever()),
                                     "has metformin"),)


def test_precedence_not_and_or() -> None:
    a, b, c = (n.Has(x, n.Ever()) for x in "abc")
    assert cond("has a or has b and has c") == n.Or((a, n.And((b, c))))
    assert cond("has a and has b or has c") == n.Or((n.And((a, b)), c))
    assert cond("not has a and has b") == n.And((n.Not(a), b))
    assert cond("not (has a and has b)") == n.Not(n.And((a, b)))
    assert cond("(has a or has b) and has c") == n.And((n.Or((a, b)), c))
    assert cond("not not has a") == n.Not(n.Not(a))
    assert cond("has a or has b or has c") == n.Or((a, b, c))


def test_labels_and_sources() -> None:
    criteria = parse('include "Adults": age >= 18\n'
                     "exclude   has   t1dm\n   within 12 months  # a comment\n")
    first, second = criteria.rules
    assert (first.label, first.source) == ("Adults", "age >= 18")
    assert (second.kind, second.label, second.source) == (
        "exclude", "has t1dm within 12 months", "has t1dm within 12 months")


def test_comments_multiline_and_case() -> None:
    text = """# heading
    INCLUDE "Older":   # label comment
        AGE >= 65      # line end
        AND Has t2dm
        Within 12 MONTHS
    Exclude Sex Is Female
    """
    criteria = parse(text)
    older, female = criteria.rules
    assert older.condition == n.And((n.AgeTest(n.Compare(">=", 65)), n.Has("t2dm", M12)))
    assert older.source == "AGE >= 65 AND Has t2dm Within 12 MONTHS"
    assert female.condition == n.SexIs("F")


def test_positions() -> None:
    criteria = parse('\ninclude "x": has  t2dm within 3 months\n')
    rule = criteria.rules[0]
    assert rule.pos == n.Pos(2, 1)
    assert rule.condition.pos == n.Pos(2, 14)
    assert rule.condition.codeset_pos == n.Pos(2, 19)
    assert rule.condition.window.pos == n.Pos(2, 24)


def test_empty_file() -> None:
    assert parse("# nothing yet\n") == n.Criteria(rules=())
