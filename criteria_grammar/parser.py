"""``parse(text)``: criteria text to a ``nodes.Criteria``, or a ``CriteriaError``.

No pyparsing exception leaves this module. A syntax error says what was expected after which
token, e.g. ``expected a number after 'between'``. Its caret follows the language guide's example
(``t2d.criteria:7:47``): it sits on the gap just before the keyword whose operand is missing,
i.e. right where the well-formed part of the statement ended. When the unexpected text is on a
later line than that keyword, the caret goes under the unexpected text instead.
"""

from __future__ import annotations

import difflib
import re
import threading
import typing
from dataclasses import dataclass

import pyparsing as pp

from criteria_grammar import grammar
from criteria_grammar.builder import ASCII_OPS, Builder
from criteria_grammar.check import check_structure
from criteria_grammar.errors import CriteriaError
from criteria_grammar.limits import DEFAULT_LIMITS, Limits, rules_message
from criteria_grammar.nodes import Criteria, Op, Pos

# One parse at a time per process: pyparsing's grammar objects are shared, and parses at
# once in many threads (a fresh server's thread pool) failed now and then under load
# (tests/unit/criteria_grammar/test_threads.py). A file is at most the token limit, so a
# parse waits milliseconds, at worst a few seconds, for another.
_PARSING = threading.Lock()

# Tokens as a person sees them, to name "the token before the fault" in messages.
_TOKEN = re.compile(
    r"""(?P<skip>\s+|\#[^\n]*)
      | "(?:[^"\\\n]|\\.)*"? | '(?:[^'\\\n]|\\.)*'?
      | \d{4}-\d{1,2}-\d{1,2} | \d+(?:\.\d+)?
      | [A-Za-z_µμ°][\w/.^*%²³µμ°]* | <= | >= | != | . """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int


def parse(text: str, filename: str = "<criteria>", limits: Limits = DEFAULT_LIMITS) -> Criteria:
    """Parse criteria text; raise ``CriteriaError`` (with line, col and code) if it is bad.

    A file over ``limits.tokens`` tokens or ``limits.rules`` rules is refused before it is
    read (code ``too-large``); ``check`` applies the other limits."""
    builder = Builder(text, filename)
    _limit_tokens(builder, limits)
    try:
        with _PARSING:
            results = grammar.CRITERIA.parse_string(text, parse_all=True)
    except pp.ParseBaseException as exc:
        raise _syntax_error(builder, exc) from None
    except RecursionError:
        raise _too_deep(builder) from None
    criteria = builder.criteria(results)
    check_structure(criteria)
    return criteria


def _limit_tokens(builder: Builder, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a file of more than ``limits.tokens`` tokens, or more rules than
    ``limits.rules``, before the grammar reads it (``check`` counts the rules again).

    Why: pyparsing costs a fraction of a millisecond per token (a 64 KB file of 20,000
    tokens: several seconds of a server thread), and the shipped examples have at most 100.
    """
    count = rules = 0
    for m in _TOKEN.finditer(builder.text):
        if m.lastgroup == "skip":
            continue
        count += 1
        if count > limits.tokens:
            raise builder.error(builder.pos(m.start()), f"too large to compile: the file "
                                f"has more than {limits.tokens:,} words and symbols; split "
                                "the study into several files", "too-large")
        # Keywords never name anything, and a quoted label is one token: every
        # "include"/"exclude" token starts a rule.
        if m.group().lower() in ("include", "exclude"):
            rules += 1
            if rules > limits.rules:
                raise builder.error(builder.pos(m.start()), rules_message(rules, limits),
                                    "too-large")


def _tokens(text: str, upto: int) -> list[_Token]:
    found = []
    for m in _TOKEN.finditer(text, 0, upto):
        if m.lastgroup != "skip" and m.end() <= upto:
            found.append(_Token(m.group(), m.start(), m.end()))
    return found


def _expected(exc: pp.ParseBaseException) -> str:
    """What the grammar wanted, from the name of the element that failed."""
    msg = exc.msg or "something else"
    return msg[len("Expected "):] if msg.startswith("Expected ") else msg


def _syntax_error(builder: Builder, exc: pp.ParseBaseException) -> CriteriaError:
    text = builder.text
    loc = min(max(exc.loc, 0), len(text))
    before = _tokens(text, loc)
    expected = _expected(exc)
    following = _TOKEN.match(text, loc)
    while following and following.lastgroup == "skip":
        following = _TOKEN.match(text, following.end())
    if not before:
        where = following.start() if following else loc
        return builder.error(builder.pos(where), f"expected {expected}", "syntax")
    keyword = before[-1]
    hint = _hint(builder, before, following)
    if hint is not None:
        return hint
    shown = keyword.text if keyword.text[:1] in "\"'" else f"'{keyword.text}'"
    message = f"expected {expected} after {shown}"
    kw_pos = builder.pos(keyword.start)
    if following is not None and builder.pos(following.start()).line != kw_pos.line:
        where = builder.pos(following.start())
    elif keyword.start > 0 and text[keyword.start - 1] in " \t" and kw_pos.col > 1:
        where = Pos(kw_pos.line, kw_pos.col - 1)
    else:
        where = kw_pos
    return builder.error(where, message, "syntax")


# Where a condition can start: after these tokens.
_CONDITION_START = {"include", "exclude", ":", "=", "and", "or", "not", "(", ","}
_CONDITION_WORDS = ("age, sex, ethnicity, nation, region, practice in, imd quintile, "
                    "registered, has, count of, total quantity of, latest, earliest, min, "
                    "max, mean, first, at least, invited, enrolled, not, or a defined "
                    "name")
# What may follow a value's name (the language's comparisons, as written): 'agee >= 18' is a
# misspelt condition too.
_COMPARISONS = frozenset(typing.get_args(Op)) | ASCII_OPS.keys()


def _hint(builder: Builder, before: list[_Token],
          following: re.Match[str] | None) -> CriteriaError | None:
    """A message that names the real fault, for the mistakes people make most."""
    last = before[-1]
    what = {"codelist": ("code set", "codes"), "define": ("condition", "rule")}
    if (last.text.lower() in what and following is not None
            and following.group().lower() in grammar.KEYWORDS):
        word, (names, suffix) = following.group(), what[last.text.lower()]
        return builder.error(builder.pos(following.start()),
                             f"'{word}' is a word of the criteria language and cannot name a "
                             f"{names}: choose another name, e.g. '{word.lower()}_{suffix}'",
                             "reserved-name")
    starts_condition = len(before) >= 2 and before[-2].text.lower() in _CONDITION_START
    if (starts_condition and grammar.IDENT.matches(last.text) and following is not None
            and (following.group()[:1].isalpha() or following.group() in _COMPARISONS)
            and following.group().lower() not in ("and", "or")):
        close = difflib.get_close_matches(last.text.lower(), grammar.CONDITION_FIRST_WORDS, n=1,
                                          cutoff=0.6)
        return builder.error(builder.pos(last.start),
                             f"'{last.text} {following.group()}' is not a condition of the "
                             f"criteria language: a condition starts with {_CONDITION_WORDS}",
                             "unknown-condition", close[0] if close else None)
    return None


def _too_deep(builder: Builder) -> CriteriaError:
    """The parser ran out of stack: point at the bracket where the nesting is deepest (the
    first one at that depth, outside strings and comments), not at the file's start."""
    depth, deepest, where = 0, 0, 0
    for m in _TOKEN.finditer(builder.text):
        if m.lastgroup == "skip":
            continue
        if m.group() == "(":
            depth += 1
            if depth > deepest:
                deepest, where = depth, m.start()
        elif m.group() == ")":
            depth = max(depth - 1, 0)
    return builder.error(builder.pos(where),
                         f"conditions nested too deeply ({deepest} levels of brackets here): "
                         "name the inner parts with 'define' and combine the names",
                         "too-deep")
