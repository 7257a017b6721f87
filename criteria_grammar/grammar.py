"""The criteria language's grammar, in the style of pyparsing's ``examples/tiny``.

This module imports nothing of the model: every construct is a named group tagged with its
kind (``tag``) and ``loc`` (offset of its first character), and ``criteria_grammar.builder``
turns the groups into the frozen nodes of ``criteria_grammar.nodes``. ``-`` follows each keyword so
that a failure after it is fatal and points at the real fault instead of backtracking.
Every element that can be reported as missing has a name ("a number", "a window", ...), which
the builder turns into "expected a number after 'between'".
"""

from __future__ import annotations

import re

import pyparsing as pp

STATEMENT_KEYWORDS = ("study", "index", "date", "population", "codelist", "snomed", "dmd",
                      "unit", "define", "screen", "include", "exclude")
CONDITION_KEYWORDS = ("not", "and", "or", "age", "between", "sex", "is", "female", "male",
                      "ethnicity", "in", "nation", "region", "imd", "quintile", "registered",
                      "for", "has", "count", "of", "latest", "earliest", "min", "max", "mean",
                      "first", "code", "at", "least", "invited", "to", "total", "quantity",
                      "practice", "enrolled")
WINDOW_KEYWORDS = ("ever", "within", "more", "than", "ago", "day", "days", "week", "weeks",
                   "month", "months", "year", "years", "before", "after")
KEYWORDS: frozenset[str] = frozenset(STATEMENT_KEYWORDS + CONDITION_KEYWORDS + WINDOW_KEYWORDS)
# The words a condition starts with, for "did you mean" ('agee >= 18': 'age').
CONDITION_FIRST_WORDS = ("age", "sex", "ethnicity", "nation", "region", "practice", "imd",
                         "registered", "has", "count", "total", "latest", "earliest", "min",
                         "max", "mean", "first", "invited", "enrolled", "not")
STATEMENT_STARTS = ("study", "index", "population", "codelist", "define", "screen", "include",
                    "exclude")

_IDENT_CHARS = pp.alphanums + "_"


def _kw(word: str) -> pp.ParserElement:
    return pp.CaselessKeyword(word, ident_chars=_IDENT_CHARS).set_name(f"'{word}'")


K = {word: _kw(word) for word in KEYWORDS}


def _tagger(kind: str):
    def tag(_s: str, loc: int, toks: pp.ParseResults) -> None:
        toks[0]["tag"] = kind
        toks[0]["loc"] = loc
    return tag


def node(kind: str, expr: pp.ParserElement) -> pp.ParserElement:
    """A named group for one construct, tagged with its kind (``tag``) and its start ``loc``."""
    return pp.Group(expr).add_parse_action(_tagger(kind))


def _end_marker() -> pp.ParserElement:
    """Records the offset just after the previous token (no whitespace skipped)."""
    return pp.Empty().leave_whitespace().add_parse_action(lambda _s, loc, _t: [loc])


# --- tokens ----------------------------------------------------------------------------------

LPAR = pp.Suppress("(").set_name("'('")
RPAR = pp.Suppress(")").set_name("')'")
COLON = pp.Suppress(":").set_name("':'")
EQUALS = pp.Suppress("=").set_name("'='")
COMMA = pp.Suppress(",").set_name("','")

NUMBER = pp.Regex(r"[0-9]+(?:\.[0-9]+)?(?![0-9-])").set_name("a number")
INTEGER = pp.Regex(r"[0-9]+(?![0-9.-])").set_name("a whole number")
QUOTED = (pp.QuotedString('"', esc_char="\\") | pp.QuotedString("'", esc_char="\\")).set_name(
    "a quoted string")
_WORD = re.compile(r"[A-Za-z0-9_]*")


def _not_keyword(lead: re.Pattern[str]):
    """A condition: the token's leading word is not a keyword. One set lookup instead of
    a negative lookahead over the ~55 keywords, which tried them all at every name (measured:
    parsing a sample file 13 -> 8 ms)."""
    # The full (string, location, tokens) signature: pyparsing then has no arity to learn
    # on a first call, which is not safe when threads make their first parses at once.
    return lambda _s, _loc, toks: lead.match(toks[0]).group().lower() not in KEYWORDS


IDENT = pp.Regex(r"[A-Za-z_][A-Za-z0-9_]*").add_condition(_not_keyword(_WORD)).set_name(
    "a name")
NAME = node("name", IDENT("text")).set_name("a name")
# ≥ ≤ ≠ as pasted from trial registries mean >= <= != (the builder spells them so).
CMP = pp.Regex(r"<=|>=|!=|≤|≥|≠|<|>|=").set_name("a comparison (<, <=, >, >=, =, !=)")
DATE = node("date", pp.Regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?![0-9-])")("text")).set_name(
    "a date (YYYY-MM-DD)")
# A bare unit starts with a letter (or is %) and runs to the next space, comma or bracket:
# 58 mmol/mol, 7.5 %, 30 kg/m2, 140 mmHg, 45 mL/min/1.73m2.
BARE_UNIT = pp.Regex(r"%|[A-Za-zµμ°][A-Za-z0-9µμ°²³/.^*%]*").add_condition(
    _not_keyword(_WORD)).set_name("a unit")
UNIT = node("unit", (QUOTED | BARE_UNIT)("text")).set_name("a unit")
TIME_UNIT = pp.MatchFirst([K[w] for w in ("days", "day", "weeks", "week", "months", "month",
                                          "years", "year")]).set_name(
    "a time unit (days, weeks, months or years)")

# --- windows ---------------------------------------------------------------------------------

EVER = node("ever", K["ever"])
# ``within N UNIT before|after first|latest CODESET``: anchored on a per-patient date.
ANCHOR = node("anchor", (K["first"] | K["latest"]).set_name("'first' or 'latest'")("which")
              - NAME("codeset"))
ANCHORED = ((K["before"] | K["after"])("direction") - ANCHOR("anchor")).set_name(
    "'before' or 'after'")
WITHIN = node("within", K["within"] - INTEGER("amount") - TIME_UNIT("unit")
              + pp.Optional(ANCHORED))
MORE_THAN = node("more_than", K["more"] - K["than"] - INTEGER("amount") - TIME_UNIT("unit")
                 - K["ago"])
DATES = node("dates", K["between"] - DATE("start") - K["and"] - DATE("end"))
_WINDOW_NAME = ("a window (ever, within N months, within N months after first CODESET, "
                "more than N months ago, between YYYY-MM-DD and YYYY-MM-DD)")
WINDOW = (EVER | WITHIN | MORE_THAN | DATES).set_name(_WINDOW_NAME)
# Before a value test, 'between' starts a date window only when a date follows it.
VALUE_WINDOW = (EVER | WITHIN | MORE_THAN | node(
    "dates", K["between"] + pp.FollowedBy(DATE) - DATE("start") - K["and"] - DATE("end")))


# --- value tests -----------------------------------------------------------------------------

def _test(with_unit: bool) -> pp.ParserElement:
    unit = pp.Optional(UNIT("unit")) if with_unit else pp.Empty()
    compare = node("compare", CMP("op") - NUMBER("value") + unit)
    between = node("range", K["between"] - NUMBER("low") - K["and"] - NUMBER("high") + unit)
    return (compare | between).set_name("a comparison (<, <=, >, >=, =, !=) or 'between'")


PLAIN_TEST = _test(with_unit=False)
VALUE_TEST = _test(with_unit=True)

# --- conditions ------------------------------------------------------------------------------

CONDITION = pp.Forward().set_name("a condition")

# Names of groups, nations and regions: a quoted string or bare words on one line
# ("Yorkshire and The Humber" may be written bare inside the brackets).
GROUP_ITEM = node("item", (QUOTED | pp.Regex(r"[A-Za-z][\w'-]*(?:[ \t]+[A-Za-z][\w'-]*)*"))(
    "text")).set_name("a name or quoted string")
GROUP_LIST = LPAR - pp.Group(pp.DelimitedList(GROUP_ITEM))("items") - RPAR
# ODS codes of practices: letters and digits (A81001), bare or quoted.
ODS_ITEM = node("item", (QUOTED | pp.Regex(r"[A-Za-z0-9]+"))("text")).set_name(
    "an ODS code")

AGGREGATE = (K["latest"] | K["earliest"] | K["min"] | K["max"] | K["mean"])("aggregate")
ATOM = (
    node("latest_code", K["latest"] + K["code"] - K["of"] - NAME("codeset")
         + pp.Optional(WINDOW("window")) - K["in"] - NAME("target"))
    | node("value", AGGREGATE - NAME("codeset") + pp.Optional(VALUE_WINDOW("window"))
           - VALUE_TEST("test"))
    | node("age", K["age"] - PLAIN_TEST("test"))
    | node("sex", K["sex"] - K["is"] - (K["female"] | K["male"]).set_name(
        "'female' or 'male'")("sex"))
    | node("ethnicity", K["ethnicity"] - K["in"] - GROUP_LIST)
    | node("nation", K["nation"] - K["in"] - GROUP_LIST)
    | node("region", K["region"] - K["in"] - GROUP_LIST)
    | node("imd", K["imd"] - K["quintile"] - PLAIN_TEST("test"))
    | node("registered", K["registered"] - K["for"] - INTEGER("amount") - TIME_UNIT("unit"))
    | node("has", K["has"] - NAME("codeset") + pp.Optional(WINDOW("window")))
    | node("count", K["count"] - K["of"] - NAME("codeset") + pp.Optional(VALUE_WINDOW("window"))
           - PLAIN_TEST("test"))
    | node("first", K["first"] - NAME("codeset") - WINDOW("window"))
    | node("at_least", K["at"] - K["least"] - INTEGER("n") - K["of"] - LPAR
           - pp.Group(pp.DelimitedList(CONDITION))("items") - RPAR)
    | node("total_quantity", K["total"] - K["quantity"] - K["of"] - NAME("codeset")
           + pp.Optional(VALUE_WINDOW("window")) - PLAIN_TEST("test"))
    | node("practice", K["practice"] - K["in"] - LPAR
           - pp.Group(pp.DelimitedList(ODS_ITEM))("items") - RPAR)
    | node("invited", K["invited"] - (
        WINDOW("window")
        | (K["to"] - K["study"] - INTEGER("study") + pp.Optional(WINDOW("window")))
    ).set_name("a window or 'to study N'"))
    | node("enrolled", K["enrolled"] - (
        WINDOW("window")
        | (K["in"] - K["study"] - INTEGER("study") + pp.Optional(WINDOW("window")))
    ).set_name("a window or 'in study N'"))
    | (LPAR - CONDITION - RPAR)
    | node("ref", IDENT("name"))
).set_name("a condition")

NOT_EXPR = pp.Forward().set_name("a condition")
NOT_EXPR <<= (node("not", K["not"] - NOT_EXPR("item")) | ATOM).set_name("a condition")
AND_EXPR = node("and", NOT_EXPR + pp.ZeroOrMore(K["and"].suppress() - NOT_EXPR))
OR_EXPR = node("or", AND_EXPR + pp.ZeroOrMore(K["or"].suppress() - AND_EXPR))
CONDITION <<= OR_EXPR

# --- statements ------------------------------------------------------------------------------

STATEMENT_START = pp.MatchFirst([K[w] for w in STATEMENT_STARTS])
END = (pp.FollowedBy(STATEMENT_START) | pp.StringEnd()).set_name(
    "'and', 'or' or a new statement")
NEXT = (pp.FollowedBy(STATEMENT_START) | pp.StringEnd()).set_name("a new statement")
# A condition whose source text the builder keeps: its start is the group's loc, its end the
# marker's offset (just after its last token).
SOURCED = CONDITION("condition") + _end_marker()("end")

STATEMENT = (
    node("study", K["study"] - QUOTED("title") - NEXT)
    | node("index_date", K["index"] - K["date"] - DATE("date") - NEXT)
    | node("population", K["population"] - pp.Optional(QUOTED("label") - COLON) - SOURCED
           - END)
    | node("codelist", K["codelist"] - NAME("name") - EQUALS
           - (K["snomed"] | K["dmd"]).set_name("'snomed' or 'dmd'")("system") - LPAR
           - pp.Group(pp.DelimitedList((QUOTED | pp.Regex(r"[0-9]+")).set_name("a code")))("codes")
           - RPAR + pp.Optional(K["unit"] - UNIT("unit")) - NEXT)
    | node("define", K["define"] - NAME("name") - EQUALS - SOURCED - END)
    | node("screen", K["screen"] - QUOTED("text") - NEXT)
    | node("rule", (K["include"] | K["exclude"])("rule_kind") - pp.Optional(QUOTED("label") - COLON)
           - SOURCED - END)
)

COMMENT = pp.Regex(r"#[^\n]*")
CRITERIA = (pp.ZeroOrMore(STATEMENT)("statements") - pp.StringEnd().set_name(
    "a statement (study, index date, population, codelist, define, screen, include, exclude)"))
CRITERIA.ignore(COMMENT)
CRITERIA.parse_with_tabs()
