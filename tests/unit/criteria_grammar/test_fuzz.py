"""Property: no text, however broken, raises anything but ``CriteriaError``."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria_grammar import CriteriaError, parse
from criteria_grammar.grammar import KEYWORDS
from tests.unit.criteria_grammar.test_example import EXAMPLE

TOKENS = sorted(KEYWORDS) + ["(", ")", ",", ":", "=", "<", ">=", "!=", "#", '"', "'", "\n",
                             "2026-02-30", "2026-06-30", "58", "7.5", "%", "mmol/mol", "t2dm",
                             "-", "\t", "é", "\\"]
SETTINGS = settings(max_examples=70, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def parses_or_raises_criteria_error(text: str) -> None:
    try:
        parse(text, "fuzz.criteria")
    except CriteriaError as err:
        assert err.line >= 1 and err.col >= 1
        assert len(str(err).split("\n")) == 3


@SETTINGS
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    parses_or_raises_criteria_error(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_random_tokens(tokens: list[str]) -> None:
    parses_or_raises_criteria_error(" ".join(tokens))


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    """The language guide's example with a few characters or tokens inserted, deleted or
    replaced."""
    text = EXAMPLE
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        width = draw(st.integers(0, 12))
        insert = draw(st.sampled_from(TOKENS) | st.text(max_size=3))
        text = text[:at] + draw(st.sampled_from(["", insert])) + text[at + width:]
    return text


@SETTINGS
@given(mutated_example())
def test_mutated_example(text: str) -> None:
    parses_or_raises_criteria_error(text)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    parses_or_raises_criteria_error("include " + "(" * 400 + "has a" + ")" * 400)
    parses_or_raises_criteria_error("include " + "not " * 400 + "has a")
