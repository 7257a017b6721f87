"""The language guide's complete example parses to the expected tree."""

from __future__ import annotations

import datetime as dt

from criteria_grammar import parse
from criteria_grammar.nodes import (
    AgeTest,
    And,
    Compare,
    CountOf,
    Define,
    Ever,
    Has,
    Invited,
    Population,
    Range,
    Ref,
    Registered,
    ValueOf,
    Within,
)

EXAMPLE = """\
# SGLT2 inhibitor add-on trial, type 2 diabetes
study "SGLT2i add-on in type 2 diabetes"
index date 2026-06-30
population "Adults with type 2 diabetes": has t2dm and age >= 18

define on_metformin = count of metformin within 6 months >= 2

include "Aged 40 to 80":         age between 40 and 80
include "Type 2 diabetes":       has t2dm
include "HbA1c 58-110 mmol/mol": latest hba1c within 12 months between 58 and 110 mmol/mol
include "On metformin":          on_metformin
include "Registered 12 months+": registered for 12 months
exclude "Type 1 diabetes":       has t1dm
exclude "eGFR below 30":         latest egfr within 12 months < 30
exclude "Insulin in last year":  has insulin within 12 months
exclude "Pregnant":              has pregnancy within 9 months
exclude "Recently invited":      invited within 6 months
"""

MONTHS_12 = Within(12, "month")


def test_spec_example_parses() -> None:
    criteria = parse(EXAMPLE, "t2d.criteria")
    assert criteria.study == "SGLT2i add-on in type 2 diabetes"
    assert criteria.index_date == dt.date(2026, 6, 30)
    assert criteria.population == Population(
        "Adults with type 2 diabetes",
        And((Has("t2dm", Ever()), AgeTest(Compare(">=", 18)))),
    )
    assert criteria.defines == (
        Define("on_metformin", CountOf("metformin", Within(6, "month"), Compare(">=", 2))),
    )
    rules = [(r.kind, r.label, r.condition) for r in criteria.rules]
    assert rules == [
        ("include", "Aged 40 to 80", AgeTest(Range(40, 80))),
        ("include", "Type 2 diabetes", Has("t2dm", Ever())),
        ("include", "HbA1c 58-110 mmol/mol",
         ValueOf("latest", "hba1c", MONTHS_12, Range(58, 110, "mmol/mol"))),
        ("include", "On metformin", Ref("on_metformin")),
        ("include", "Registered 12 months+", Registered(12, "month")),
        ("exclude", "Type 1 diabetes", Has("t1dm", Ever())),
        ("exclude", "eGFR below 30", ValueOf("latest", "egfr", MONTHS_12, Compare("<", 30))),
        ("exclude", "Insulin in last year", Has("insulin", MONTHS_12)),
        ("exclude", "Pregnant", Has("pregnancy", Within(9, "month"))),
        ("exclude", "Recently invited", Invited(Within(6, "month"))),
    ]
    assert criteria.rules[2].source == (
        "latest hba1c within 12 months between 58 and 110 mmol/mol")
    assert criteria.rules[0].pos.line == 8


def test_spec_error_example_renders_as_in_the_spec() -> None:
    lines = EXAMPLE.splitlines()[:6]
    lines.append('include "HbA1c": latest hba1c within 12 months between and 110')
    try:
        parse("\n".join(lines) + "\n", "t2d.criteria")
    except Exception as err:  # noqa: BLE001 - asserting the type below
        assert type(err).__name__ == "CriteriaError"
        assert str(err) == (
            "t2d.criteria:7:47: expected a number after 'between'\n"
            'include "HbA1c": latest hba1c within 12 months between and 110\n'
            + " " * 46 + "^")
    else:
        raise AssertionError("no error")
