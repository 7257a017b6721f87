"""``check`` refuses files whose compiled query would pass a size limit (code ``too-large``).

Sizes are derived by hand, after sharing: in ``define d{i} = d{i-1} or d{i-1}`` over
``d0 = age > 1`` every define but the last is used twice, so it is computed once (its own
nodes: 1 for ``d0``, 3 for each ``or`` of two references) and each use is one node; the
last, used once, is written out where it is used (3 nodes).
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


def test_the_doubling_define_chain_is_accepted_once_shared():
    text = hostile.exponential_define(39)
    assert len(text.encode()) < 1000
    accepted(text)
    # d0: 1, d1..d38: 3 each, the rule (d39 written out): 3
    assert "reaches 118" in refused(text, Limits(conditions=117)).message
    accepted(text, Limits(conditions=118, depth=2, levels=39))
    err = refused(text, Limits(levels=38))  # d38 is the 39th level (line 39)
    assert (err.line, err.col) == (39, 1) and "reaches 39" in err.message


def test_genuinely_large_files_stay_refused():
    # After sharing, every condition of the text is compiled once, so a file's size is
    # what it writes: 3 rules of 401 conditions each are 1,203.
    rule = "include " + " or ".join(f"age > {k}" for k in range(400)) + "\n"
    err = refused(rule * 3, Limits(conditions=1000))
    assert (err.line, err.col) == (3, 1) and "1,203" in err.message
    # a define used once is written out where it is used, so it counts there
    text = f"define big = {rule[8:]}include big\n" + rule * 2
    assert "1,203" in refused(text, Limits(conditions=1000)).message
    # and the text itself is bounded: 25 such rules are over 10,000 tokens
    with pytest.raises(CriteriaError) as caught:
        parse(rule * 25)
    assert caught.value.code == "too-large" and "10,000" in caught.value.message


def test_shared_define_sizes_count_once():
    text = hostile.exponential_define(3)  # d0: 1, d1, d2: 3 each, the rule: 3
    accepted(text, Limits(conditions=10, depth=2))
    assert "reaches 11" in refused(text + "include age > 2\n",
                                   Limits(conditions=10)).message
    # a define used once, nested, is written out: its depth counts where it is used
    nested = "define a = not not age > 1\ninclude not a\n"
    assert "reaches 4" in refused(nested, Limits(depth=3)).message


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
