"""The sponsor guide documents every keyword of the language, and its examples parse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from criteria_grammar import parse
from criteria_grammar.grammar import KEYWORDS

GUIDE = Path(__file__).parents[3] / "docs" / "criteria-language.md"


def guide_words() -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", GUIDE.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("keyword", sorted(KEYWORDS))
def test_keyword_is_documented(keyword: str) -> None:
    assert keyword in guide_words()


def test_complete_example_in_guide_parses() -> None:
    block = GUIDE.read_text(encoding="utf-8").split("```")[1]
    criteria = parse(block)
    assert len(criteria.rules) == 10


def test_example_conditions_in_guide_parse() -> None:
    """Every backquoted example in the conditions table parses as a rule."""
    text = GUIDE.read_text(encoding="utf-8")
    table = text.split("## Conditions")[1].split("`CMP` is one of")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `") and "|---" not in line]
    for row in rows:
        example = row.split("|")[2].strip().strip("`")
        parse(f"define on_metformin = has metformin\ninclude {example}")
