"""Turns the grammar's tagged groups into the frozen nodes of ``criteria_grammar.nodes``.

Parse-time checks live here because they need only the text: impossible dates (``bad-date``),
``between A and B`` with A > B (``empty-range``), unknown ethnic groups, nations and regions
(``unknown-group``) and repeated ``study``/``index date``/``population``
(``duplicate-statement``). Name checks that need no catalogue run from ``structure``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyparsing as pp

from criteria_grammar import nodes as n
from criteria_grammar.errors import CriteriaError
from dart_vocab import ETHNIC_GROUPS, NATIONS, REGIONS

_SPACE = re.compile(r"(?:\s+|#[^\n]*)*")
_COMMENT_OR_STRING = re.compile(r"(\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')|#[^\n]*")
ASCII_OPS = {"≥": ">=", "≤": "<=", "≠": "!="}
"""The registry spellings of the comparisons, read as the ASCII ones the tree holds."""


@dataclass(frozen=True)
class BuildsNode:
    """The builder of one grammar tag, and the node class it builds."""

    node: type[n.Condition]
    build: Callable[[Builder, pp.ParseResults], n.Condition]


BUILDERS: dict[str, BuildsNode] = {}
"""Grammar tag -> its builder: the one dispatch of conditions in this layer."""


def builds(tag: str, node: type[n.Condition]):
    """Register the decorated ``Builder`` method as the builder of ``tag``'s groups."""
    def register(method: Callable[[Builder, pp.ParseResults], n.Condition]):
        BUILDERS[tag] = BuildsNode(node, method)
        return method
    return register


def fold_source(text: str) -> str:
    """A condition's source text without comments, whitespace folded to single spaces."""
    return " ".join(_COMMENT_OR_STRING.sub(lambda m: m.group(1) or " ", text).split())


MAX_STUDY = 2**31 - 1  # study ids are 32-bit integers in DART's application database
# The longest duration and the oldest age a file may name, and the earliest index date, so
# that every date the query computes (the index date less an age or a window, a forecast's
# five years of months before that) is one every engine and Python can hold
# (docs/spec-decisions.md, "Ranges of numbers and dates"; error code ``out-of-range``).
MAX_YEARS = 1000
MAX_AMOUNT = {"day": 365_250, "week": 52_178, "month": 12_000, "year": MAX_YEARS}
EARLIEST_INDEX = dt.date(1900, 1, 1)


class Builder:
    """Builds one file's nodes; knows the text so that it can place positions and errors."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    # --- positions and errors ----------------------------------------------------------------

    def pos(self, loc: int) -> n.Pos:
        """1-based line and column of offset ``loc`` (a tab is one column)."""
        line = _bisect(self._line_starts, loc)
        return n.Pos(line, loc - self._line_starts[line - 1] + 1)

    def error(self, pos: n.Pos, message: str, code: str,
              suggestion: str | None = None) -> CriteriaError:
        return CriteriaError.at(self.text, pos.line, pos.col, message, code, self.filename,
                                suggestion)

    def at(self, r: pp.ParseResults) -> n.Pos:
        """Position of a construct's first character (skipping any space before it)."""
        return self.pos(_SPACE.match(self.text, g(r, "loc")).end())

    # --- statements --------------------------------------------------------------------------

    def criteria(self, statements: pp.ParseResults) -> n.Criteria:
        parts: dict[str, list] = {"rule": [], "codelist": [], "define": [], "screen": []}
        single: dict[str, object] = {}
        for r in statements:
            kind = g(r, "tag")
            if kind in parts:
                parts[kind].append(getattr(self, "s_" + kind)(r))
                continue
            if kind in single:
                what = "index date" if kind == "index_date" else kind
                raise self.error(self.at(r), f"a second '{what}' statement: a file has at most one",
                                 "duplicate-statement")
            single[kind] = getattr(self, "s_" + kind)(r)
        return n.Criteria(
            rules=tuple(parts["rule"]), study=single.get("study"),
            index_date=single.get("index_date"), population=single.get("population"),
            codelists=tuple(parts["codelist"]), defines=tuple(parts["define"]),
            screens=tuple(parts["screen"]), source=self.text, filename=self.filename)

    def s_study(self, r: pp.ParseResults) -> str:
        return g(r, "title")

    def s_index_date(self, r: pp.ParseResults) -> dt.date:
        day = self.date(g(r, "date"))
        if day < EARLIEST_INDEX:
            raise self.error(self.at(g(r, "date")), f"index date {day} is before "
                             f"{EARLIEST_INDEX}: no GP record is that old", "out-of-range")
        return day

    def source(self, r: pp.ParseResults) -> str:
        return fold_source(self.text[g(r, "condition")["loc"]:g(r, "end")])

    def s_population(self, r: pp.ParseResults) -> n.Population:
        source = self.source(r)
        return n.Population(r.get("label", source), self.condition(g(r, "condition")),
                            pos=self.at(r))

    def s_codelist(self, r: pp.ParseResults) -> n.CodelistDef:
        unit = g(g(r, "unit"), "text").strip() if "unit" in r else None
        codes = tuple(r["codes"])
        if any(not code.strip() for code in codes):
            raise self.error(self.at(r), f"code set '{g(g(r, 'name'), 'text')}' has an empty "
                             "code (\"\"), which matches no record: remove it or write the code",
                             "empty-code")
        return n.CodelistDef(g(g(r, "name"), "text"), g(r, "system").lower(),
                             codes, unit, pos=self.at(r),
                             name_pos=self.at(g(r, "name")))

    def s_define(self, r: pp.ParseResults) -> n.Define:
        return n.Define(g(g(r, "name"), "text"), self.condition(g(r, "condition")), pos=self.at(r),
                        name_pos=self.at(g(r, "name")))

    def s_screen(self, r: pp.ParseResults) -> n.Screen:
        return n.Screen(g(r, "text"), pos=self.at(r))

    def s_rule(self, r: pp.ParseResults) -> n.Rule:
        source = self.source(r)
        return n.Rule(g(r, "rule_kind").lower(), r.get("label", source),
                      self.condition(g(r, "condition")),
                      source, pos=self.at(r))

    # --- conditions --------------------------------------------------------------------------

    def condition(self, r: pp.ParseResults) -> n.Condition:
        """The node of one tagged condition group, built by the method registered for its tag."""
        return BUILDERS[g(r, "tag")].build(self, r)

    @builds("or", n.Or)
    def c_or(self, r: pp.ParseResults) -> n.Condition:
        items = tuple(self.condition(item) for item in r)
        return items[0] if len(items) == 1 else n.Or(items, pos=self.at(r))

    @builds("and", n.And)
    def c_and(self, r: pp.ParseResults) -> n.Condition:
        items = tuple(self.condition(item) for item in r)
        return items[0] if len(items) == 1 else n.And(items, pos=self.at(r))

    @builds("not", n.Not)
    def c_not(self, r: pp.ParseResults) -> n.Condition:
        return n.Not(self.condition(g(r, "item")), pos=self.at(r))

    @builds("ref", n.Ref)
    def c_ref(self, r: pp.ParseResults) -> n.Condition:
        return n.Ref(g(r, "name"), pos=self.at(r))

    @builds("age", n.AgeTest)
    def c_age(self, r: pp.ParseResults) -> n.Condition:
        test = self.test(g(r, "test"))
        values = (test.low, test.high) if isinstance(test, n.Range) else (test.value,)
        if max(values) > MAX_YEARS:
            raise self.error(test.pos, f"an age of {max(values):g} years: ages go up to "
                             f"{MAX_YEARS:,}", "out-of-range")
        return n.AgeTest(test, pos=self.at(r))

    @builds("imd", n.ImdTest)
    def c_imd(self, r: pp.ParseResults) -> n.Condition:
        return n.ImdTest(self.test(g(r, "test")), pos=self.at(r))

    @builds("sex", n.SexIs)
    def c_sex(self, r: pp.ParseResults) -> n.Condition:
        return n.SexIs("F" if g(r, "sex").lower() == "female" else "M", pos=self.at(r))

    @builds("ethnicity", n.EthnicityIn)
    def c_ethnicity(self, r: pp.ParseResults) -> n.Condition:
        return n.EthnicityIn(self.groups(r, ETHNIC_GROUPS, "ethnic group"), pos=self.at(r))

    @builds("nation", n.NationIn)
    def c_nation(self, r: pp.ParseResults) -> n.Condition:
        return n.NationIn(self.groups(r, NATIONS, "nation"), pos=self.at(r))

    @builds("region", n.RegionIn)
    def c_region(self, r: pp.ParseResults) -> n.Condition:
        return n.RegionIn(self.groups(r, REGIONS, "region"), pos=self.at(r))

    @builds("registered", n.Registered)
    def c_registered(self, r: pp.ParseResults) -> n.Condition:
        amount, unit = self.duration(r)
        return n.Registered(amount, unit, pos=self.at(r))

    @builds("has", n.Has)
    def c_has(self, r: pp.ParseResults) -> n.Condition:
        return n.Has(g(g(r, "codeset"), "text"), self.window(r), pos=self.at(r),
                     codeset_pos=self.at(g(r, "codeset")))

    @builds("count", n.CountOf)
    def c_count(self, r: pp.ParseResults) -> n.Condition:
        return n.CountOf(g(g(r, "codeset"), "text"), self.window(r), self.test(g(r, "test")),
                         pos=self.at(r), codeset_pos=self.at(g(r, "codeset")))

    @builds("value", n.ValueOf)
    def c_value(self, r: pp.ParseResults) -> n.Condition:
        return n.ValueOf(g(r, "aggregate").lower(), g(g(r, "codeset"), "text"), self.window(r),
                         self.test(g(r, "test")), pos=self.at(r),
                         codeset_pos=self.at(g(r, "codeset")))

    @builds("first", n.FirstIn)
    def c_first(self, r: pp.ParseResults) -> n.Condition:
        return n.FirstIn(g(g(r, "codeset"), "text"), self.unanchored(r, "first"),
                         pos=self.at(r), codeset_pos=self.at(g(r, "codeset")))

    @builds("total_quantity", n.TotalQuantity)
    def c_total_quantity(self, r: pp.ParseResults) -> n.Condition:
        return n.TotalQuantity(g(g(r, "codeset"), "text"), self.window(r),
                               self.test(g(r, "test")), pos=self.at(r),
                               codeset_pos=self.at(g(r, "codeset")))

    @builds("practice", n.PracticeIn)
    def c_practice(self, r: pp.ParseResults) -> n.Condition:
        # ODS codes are upper case; a code listed twice is one code (at its first place).
        found: dict[str, n.Pos] = {}
        for item in r["items"]:
            found.setdefault(g(item, "text").strip().upper(), self.at(item))
        return n.PracticeIn(tuple(found), pos=self.at(r), code_pos=tuple(found.values()))

    @builds("latest_code", n.LatestCodeIn)
    def c_latest_code(self, r: pp.ParseResults) -> n.Condition:
        return n.LatestCodeIn(g(g(r, "codeset"), "text"), self.window(r), g(g(r, "target"), "text"),
                              pos=self.at(r), target_pos=self.at(g(r, "target")),
                              codeset_pos=self.at(g(r, "codeset")))

    @builds("at_least", n.AtLeast)
    def c_at_least(self, r: pp.ParseResults) -> n.Condition:
        items = tuple(self.condition(item) for item in r["items"])
        count = int(g(r, "n"))
        if count < 1:
            raise self.error(self.at(r), f"'at least {count} of' always holds: write a number "
                             "of 1 or more", "empty-range")
        if count > len(items):
            listed = f"{len(items)} condition" + ("s" if len(items) > 1 else "")
            raise self.error(self.at(r), f"'at least {count} of' lists only {listed}: write "
                             f"a number of at most {len(items)}, or list more conditions",
                             "empty-range")
        return n.AtLeast(count, items, pos=self.at(r))

    @builds("invited", n.Invited)
    def c_invited(self, r: pp.ParseResults) -> n.Condition:
        return n.Invited(self.unanchored(r, "invited"), self.study(r), pos=self.at(r))

    @builds("enrolled", n.Enrolled)
    def c_enrolled(self, r: pp.ParseResults) -> n.Condition:
        return n.Enrolled(self.unanchored(r, "enrolled"), self.study(r), pos=self.at(r))

    # --- parts -------------------------------------------------------------------------------

    def groups(self, r: pp.ParseResults, valid: tuple[str, ...], what: str) -> tuple[str, ...]:
        """Canonical names of the listed groups, matched ignoring case and spacing."""
        canonical = {" ".join(v.lower().split()): v for v in valid}
        names = []
        for item in r["items"]:
            key = " ".join(g(item, "text").lower().split())
            if key not in canonical:
                close = difflib.get_close_matches(key, list(canonical), n=1, cutoff=0.5)
                listing = ", ".join(valid)
                raise self.error(self.at(item), f"unknown {what} '{g(item, 'text')}': "
                                 f"expected one of {listing}", "unknown-group",
                                 canonical[close[0]] if close else None)
            names.append(canonical[key])
        return tuple(dict.fromkeys(names))

    def study(self, r: pp.ParseResults) -> int | None:
        """The DART study number of ``invited to study N`` / ``enrolled in study N``: a
        study id, so at most ``MAX_STUDY`` (a larger one could not be sent to a query)."""
        if "study" not in r:
            return None
        digits = g(r, "study")
        if int(digits) > MAX_STUDY:
            where = self.pos(self.text.index(digits, g(r, "loc")))
            raise self.error(where, f"study {digits} cannot exist: study numbers go up to "
                             f"{MAX_STUDY:,}", "syntax")
        return int(digits)

    def unanchored(self, r: pp.ParseResults, atom: str) -> n.Window:
        """The window of an atom that takes no anchored window (``first``, ``invited``,
        ``enrolled``)."""
        window = self.window(r)
        if isinstance(window, n.Relative):
            raise self.error(window.pos, f"'{atom}' takes no window relative to another "
                             "record: anchored windows ('within N months after first X') "
                             "work with has, count of, total quantity of, latest, earliest, "
                             "min, max, mean and latest code of", "anchored-window")
        return window

    def window(self, r: pp.ParseResults) -> n.Window:
        if "window" not in r:
            return n.Ever()
        w = g(r, "window")
        kind, pos = g(w, "tag"), self.at(w)
        if kind == "ever":
            return n.Ever(pos=pos)
        if kind == "within" and "anchor" in w:
            a = g(w, "anchor")
            anchor = n.Anchor(g(a, "which").lower(), g(g(a, "codeset"), "text"), pos=self.at(a),
                              codeset_pos=self.at(g(a, "codeset")))
            return n.Relative(*self.duration(w), g(w, "direction").lower(), anchor, pos=pos)
        if kind == "within":
            return n.Within(*self.duration(w), pos=pos)
        if kind == "more_than":
            return n.MoreThanAgo(*self.duration(w), pos=pos)
        start, end = self.date(g(w, "start")), self.date(g(w, "end"))
        if start > end:
            raise self.error(pos, f"empty window: {start} is after {end}", "empty-range")
        return n.Between(start, end, pos=pos)

    def duration(self, r: pp.ParseResults) -> tuple[int, n.Unit]:
        """A window's or registration's amount and unit, at most ``MAX_YEARS`` long."""
        amount, unit = int(g(r, "amount")), _time_unit(g(r, "unit"))
        if amount > MAX_AMOUNT[unit]:
            where = self.pos(self.text.index(g(r, "amount"), g(r, "loc")))
            years = "" if unit == "year" else f" ({MAX_YEARS:,} years)"
            raise self.error(where, f"{amount:,} {unit}s is longer than any record: at most "
                             f"{MAX_AMOUNT[unit]:,} {unit}s{years}", "out-of-range")
        return amount, unit

    def test(self, r: pp.ParseResults) -> n.Test:
        unit = g(g(r, "unit"), "text").strip() if "unit" in r else None
        unit_pos = self.at(g(r, "unit")) if "unit" in r else n.NOWHERE
        if g(r, "tag") == "compare":
            op = ASCII_OPS.get(g(r, "op"), g(r, "op"))
            return n.Compare(op, float(g(r, "value")), unit, pos=self.at(r),
                             unit_pos=unit_pos)
        low, high = float(g(r, "low")), float(g(r, "high"))
        if low > high:
            raise self.error(self.at(r), f"empty range: {g(r, 'low')} is more than {g(r, 'high')}",
                             "empty-range")
        return n.Range(low, high, unit, pos=self.at(r), unit_pos=unit_pos)

    def date(self, r: pp.ParseResults) -> dt.date:
        text = g(r, "text")
        try:
            year, month, day = (int(part) for part in text.split("-"))
            return dt.date(year, month, day)
        except ValueError:
            raise self.error(self.at(r), f"impossible date {text}: expected YYYY-MM-DD",
                             "bad-date") from None


def g(r: pp.ParseResults, name: str) -> Any:
    """The value named ``name`` in ``r``, unwrapped from the one-item lists pyparsing adds."""
    value = r[name]
    while isinstance(value, pp.ParseResults) and "tag" not in value and len(value) == 1:
        value = value[0]
    return value


def _time_unit(word: str) -> n.Unit:
    return word.lower().rstrip("s")  # type: ignore[return-value]


def _bisect(starts: list[int], loc: int) -> int:
    """The 1-based line holding offset ``loc``."""
    return bisect.bisect_right(starts, loc)

