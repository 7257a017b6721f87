"""Every error kind: code, line and column (not wording), and the 3-line rendering."""

from __future__ import annotations

import pytest

from criteria_grammar import CriteriaError, parse

ERRORS = [
    # (text, code, line, col)
    ('include "x": age between and 80', "syntax", 1, 17),
    ("include has", "syntax", 1, 8),
    ("include has t2dm within six months", "syntax", 1, 17),
    ("include has t2dm foo", "syntax", 1, 12),
    ("include age >= abc", "syntax", 1, 12),
    ('study "a"\nfoo', "syntax", 2, 1),
    ("banana", "syntax", 1, 1),
    ('include "x" has t2dm', "syntax", 1, 8),
    ("include (has a", "syntax", 1, 13),
    ("include sex is other", "syntax", 1, 12),
    ("codelist c = icd10(\"A\")", "syntax", 1, 11),
    ("include has t2dm within 1.5 months", "syntax", 1, 17),
    ("define age = age > 3", "reserved-name", 1, 8),
    ('codelist min = snomed("1")', "reserved-name", 1, 10),
    ("include sum of x > 3", "unknown-condition", 1, 9),
    ("include agee >= 18", "unknown-condition", 1, 9),
    ("include age >= 18 and\n  sexx is female", "unknown-condition", 2, 3),
    ("include has a and\n  amount of b > 3", "unknown-condition", 2, 3),
    ("include total of b > 3", "syntax", 1, 8),
    ("include first a within 3 months after first b", "anchored-window", 1, 17),
    ("include invited within 3 months before latest b", "anchored-window", 1, 17),
    ("include has a within 3 months after b", "syntax", 1, 30),
    ("include has a within 3 months around first b", "syntax", 1, 23),
    ("include invited to study x", "syntax", 1, 19),
    ("include enrolled", "syntax", 1, 8),
    ("include enrolled in study", "syntax", 1, 20),
    ("include enrolled in study -1", "syntax", 1, 20),
    ("include enrolled in study 0x", "syntax", 1, 26),
    ("include enrolled in 3", "syntax", 1, 17),
    ("include enrolled in study 2147483648", "syntax", 1, 27),
    ("include invited to study 99999999999999999999", "syntax", 1, 26),
    ("include enrolled to study 3", "syntax", 1, 8),
    ("include enrolled within 1 year after first b", "anchored-window", 1, 18),
    ("codelist enrolled = snomed(\"1\")", "reserved-name", 1, 10),
    ("include practice in ()", "syntax", 1, 20),
    ("include at least 2 of (age >= 65)", "empty-range", 1, 9),
    ('codelist c = snomed("1", "")', "empty-code", 1, 1),
    ("include latest hba1c", "syntax", 1, 15),
    ("index date 2026-02-30", "bad-date", 1, 12),
    ("index date 1899-12-31", "out-of-range", 1, 12),
    ("include age >= 3000", "out-of-range", 1, 13),
    ("include age between 18 and 1001", "out-of-range", 1, 13),
    ("include has a within 1001 years", "out-of-range", 1, 22),
    ("include has a within 365251 days", "out-of-range", 1, 22),
    ("include has a more than 52179 weeks ago", "out-of-range", 1, 25),
    ("include has a within 12001 months after first b", "out-of-range", 1, 22),
    ("include registered for 1001 years", "out-of-range", 1, 24),
    ("include invited within 99999 months", "out-of-range", 1, 24),
    ("index date 2026-13-01", "bad-date", 1, 12),
    ("include has a between 2026-02-30 and 2026-03-01", "bad-date", 1, 23),
    ("include age between 80 and 40", "empty-range", 1, 13),
    ("include imd quintile between 4 and 2", "empty-range", 1, 22),
    ("include latest hba1c between 110 and 58 mmol/mol", "empty-range", 1, 22),
    ("include has a between 2026-01-02 and 2026-01-01", "empty-range", 1, 15),
    ("include at least 3 of (has a, has b)", "empty-range", 1, 9),
    ("include ethnicity in (asian, whit)", "unknown-group", 1, 30),
    ("include nation in (englund)", "unknown-group", 1, 20),
    ('include region in ("North Yorkshire")', "unknown-group", 1, 20),
    ("include later\ndefine later = age > 3", "undefined-define", 1, 9),
    ("define loop = has a or loop", "self-reference", 1, 24),
    ("define x = has a\ndefine x = has b", "duplicate-name", 2, 8),
    ('codelist x = snomed("1")\ndefine x = has b', "duplicate-name", 2, 8),
    ('study "a"\nstudy "b"', "duplicate-statement", 2, 1),
    ("index date 2026-01-01\nindex date 2026-01-02", "duplicate-statement", 2, 1),
    ("population \"a\": has a\npopulation \"b\": has b", "duplicate-statement", 2, 1),
]


@pytest.mark.parametrize(("text", "code", "line", "col"), ERRORS,
                         ids=[e[0][:40] for e in ERRORS])
def test_error(text: str, code: str, line: int, col: int) -> None:
    with pytest.raises(CriteriaError) as caught:
        parse(text)
    err = caught.value
    assert (err.code, err.line, err.col) == (code, line, col), str(err)


def test_error_renders_three_lines_with_caret_under_column() -> None:
    text = "study \"s\"\n\ninclude region in (london, the moon)\n"
    with pytest.raises(CriteriaError) as caught:
        parse(text, "trial.criteria")
    head, source_line, caret = str(caught.value).split("\n")
    assert head.startswith("trial.criteria:3:28: ")
    assert source_line == "include region in (london, the moon)"
    assert caret == " " * 27 + "^"


def test_unknown_group_lists_valid_ones_and_suggests() -> None:
    with pytest.raises(CriteriaError) as caught:
        parse("include ethnicity in (whit)")
    assert caught.value.suggestion == "white"
    for group in ("asian", "black", "mixed", "white", "other", "unknown"):
        assert group in caught.value.message


def test_syntax_message_says_what_was_expected() -> None:
    with pytest.raises(CriteriaError) as caught:
        parse("include age between and 80")
    assert caught.value.message == "expected a number after 'between'"
    assert "Traceback" not in str(caught.value)


def test_error_json_shape() -> None:
    with pytest.raises(CriteriaError) as caught:
        parse("include has")
    assert set(caught.value.to_json()) >= {"code", "message", "line", "column", "text"}


@pytest.mark.parametrize("text", ['include "x": or age >= 65', "include and has a",
                                  "exclude not or"])
def test_a_keyword_where_a_condition_belongs_says_so(text: str) -> None:
    # Not "expected 'not'" (what the grammar's first alternative happened to be).
    with pytest.raises(CriteriaError) as caught:
        parse(text)
    assert "expected a condition after" in str(caught.value).splitlines()[0]


@pytest.mark.parametrize(("text", "says"), [
    ('codelist min = snomed("1")', "'min_codes'"),
    ("include sum of x > 3", "a condition starts with age"),
    ("include at least 2 of (age >= 65)", "at most 1"),
])
def test_messages_say_what_to_write_instead(text: str, says: str) -> None:
    with pytest.raises(CriteriaError) as caught:
        parse(text)
    assert says in caught.value.message


def test_nesting_too_deep_points_at_the_statement_not_the_file_start() -> None:
    text = 'study "x"\n\ninclude age > 3 and ' + "(" * 400 + "age > 1" + ")" * 400
    with pytest.raises(CriteriaError) as caught:
        parse(text)
    err = caught.value
    # Line 3; the 400th bracket (the deepest) opens at column 20 + 400.
    assert (err.code, err.line, err.col) == ("too-deep", 3, 420)
    assert "define" in err.message


@pytest.mark.parametrize(("text", "suggestion"), [
    ("include agee >= 18", "age"),
    ("include agee ≥ 18", "age"),  # the language's comparisons as written, Unicode too
    ("include age >= 18 and sexx is female", "sex"),
    ("include lastest hba1c > 58", "latest"),
    ('include regoin in ("London")', "region"),
    ("include ethnicty in (asian)", "ethnicity"),
    ("include foo bar", None),
    ("include sum of x > 3", None),
])
def test_misspelt_condition_word_is_named(text: str, suggestion: str | None) -> None:
    with pytest.raises(CriteriaError) as caught:
        parse(text)
    assert caught.value.code == "unknown-condition"
    assert caught.value.suggestion == suggestion
    if suggestion:
        assert f"did you mean '{suggestion}'?" in str(caught.value)
