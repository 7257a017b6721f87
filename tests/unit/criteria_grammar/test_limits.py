"""``check`` refuses files whose compiled query would pass a size limit (code ``too-large``).

Sizes are derived by hand: ``define d{i} = d{i-1} or d{i-1}`` over ``d0 = age > 1`` is
``2^(i+1) - 1`` conditions written out (an ``or`` node over two copies of ``d{i-1}``) and
``i + 1`` deep.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from criteria_grammar import DEFAULT_LIMITS, CriteriaError, Limits, check, parse
from tests.support import hostile


@dataclass(frozen=True)
class Set:
    system: str
    codes: tuple[str, ...]
    unit: str | None = None


CATALOGUE = {"big": Set("snomed", tuple(str(i) for i in range(300))),
             "small": Set("snomed", ("1", "2"))}


def refused(text: str, limits: Limits = DEFAULT_LIMITS) -> CriteriaError:
    with pytest.raises(CriteriaError) as caught:
        check(parse(text), CATALOGUE, limits)
    assert caught.value.code == "too-large"
    return caught.value


def accepted(text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    check(parse(text), CATALOGUE, limits)


def test_the_exponential_define_is_refused_at_the_rule_that_uses_it():
    text = hostile.exponential_define(39)
    assert len(text.encode()) < 1000
    err = refused(text)
    assert (err.line, err.col) == (41, 1)  # ``include d39``: 40 defines above it
    assert "10,000" in err.message and "define" in err.message


def test_define_sizes_are_counted_written_out():
    # d3 written out: 2^4 - 1 = 15 conditions, 4 deep.
    text = hostile.exponential_define(3)
    accepted(text, Limits(conditions=15, depth=4))
    assert "reaches 16" in refused(text + "include age > 2\n",
                                   Limits(conditions=15)).message
    assert "reaches 4" in refused(text, Limits(depth=3)).message


def test_a_define_used_once_is_counted_once():
    text = "define a = age > 1 and sex is female\ninclude a\ninclude age > 3\n"
    accepted(text, Limits(conditions=4))   # a: 3, then 1
    err = refused(text, Limits(conditions=3))
    assert (err.line, err.col) == (3, 1)


def test_rules_limit_points_at_the_first_rule_past_it():
    text = hostile.many_rules(6)
    accepted(text, Limits(rules=6))
    err = refused(text, Limits(rules=5))
    assert (err.line, err.col) == (7, 1)  # line 1 is the index date
    assert "rules" in err.message and "split" in err.message


def test_parse_counts_the_rules_before_reading_them():
    with pytest.raises(CriteriaError) as caught:
        parse(hostile.many_rules(6), limits=Limits(rules=5))
    assert (caught.value.code, caught.value.line, caught.value.col) == ("too-large", 7, 1)
    parse('include "include exclude": age > 1', limits=Limits(rules=1))  # a label is one token


def test_default_rules_limit():
    accepted(hostile.many_rules(DEFAULT_LIMITS.rules))
    refused(hostile.many_rules(DEFAULT_LIMITS.rules + 1))


def test_items_of_one_list():
    accepted(hostile.at_least(500))
    err = refused(hostile.at_least(1100))
    assert (err.line, err.col) == (2, 9)  # the ``at least`` itself
    assert "1,100" in err.message
    refused("include " + " or ".join(["age > 1"] * 501))


def test_code_sets_and_codes():
    text = hostile.inline_codelists(3)
    accepted(text, Limits(codesets=3))
    err = refused(text, Limits(codesets=2))
    assert err.line == 5  # the third ``exclude has``, after three codelist lines
    # big (300) + small (2): a code in both counts twice
    accepted("include has big or has small", Limits(codes=302))
    assert "302" in refused("include has big or has small", Limits(codes=301)).message


def test_the_64kb_inline_codelists_are_refused():
    text = hostile.inline_codelists(1500)
    assert len(text.encode()) <= 64 * 1024
    with pytest.raises(CriteriaError) as caught:
        parse(text)  # refused before the grammar reads it
    assert caught.value.code == "too-large"
    assert "10,000 words" in caught.value.message


def test_tokens_are_counted_before_parsing():
    # "include", then 3 tokens per item and an "and" between items: 4k tokens after item k,
    # so token 10,001 is the "and" after item 2,500.
    text = "include " + " and ".join(["age > 1"] * 2600)
    with pytest.raises(CriteriaError) as caught:
        parse(text)
    err = caught.value
    assert err.code == "too-large"
    assert (err.line, err.col) == (1, len("include ") + 12 * 2499 + 8 + 1)
    assert text[err.col - 1:err.col + 2] == "and"
