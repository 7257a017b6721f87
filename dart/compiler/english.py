"""Each condition in plain English, next to its SQL (datasette's filters do the same).

``describe`` mirrors ``atoms.ConditionCompiler`` node for node; ``explain`` renders a whole
file, one line per rule, with every window resolved to the dates the query binds, so a
reader sees exactly the dates the SQL compares with (e.g. "latest hba1c value between
2025-06-30 and 2026-06-30 is between 58 and 110 mmol/mol").
"""

from __future__ import annotations

import datetime as dt
import functools

from criteria_grammar import nodes
from dart.compiler.dates import window_range

_OPS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "=": "exactly",
        "!=": "not"}


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else str(v)


def _test(test: nodes.Test) -> str:
    unit = f" {test.unit}" if test.unit else ""
    if isinstance(test, nodes.Range):
        return f"between {_num(test.low)} and {_num(test.high)}{unit}"
    return f"{_OPS[test.op]} {_num(test.value)}{unit}"


def _window(window: nodes.Window, index: dt.date | None) -> str:
    if isinstance(window, nodes.Relative):  # per patient: no dates to resolve
        a = window.anchor
        anchor = f"the patient's {a.which} {a.codeset} record"
        span = f"{window.amount} {window.unit}(s)"
        if window.direction == "after":
            return (f"from the day of {anchor} to {span} after it (never after the index "
                    f"date; no {a.codeset} record: none)")
        return f"from {span} before the day of {anchor} to that day (no {a.codeset} record: none)"
    if index is None:
        if isinstance(window, nodes.Ever):
            return "on or before the index date"
        if isinstance(window, nodes.Within):
            return f"in the {window.amount} {window.unit}(s) up to the index date"
        if isinstance(window, nodes.MoreThanAgo):
            return f"more than {window.amount} {window.unit}(s) before the index date"
        return f"between {window.start} and {window.end} (not after the index date)"
    rng = window_range(window, index)
    if rng.start is None:
        return f"on or before {rng.end}"
    return f"between {rng.start} and {rng.end}"


def _list(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


@functools.singledispatch
def describe(c: nodes.Condition, index: dt.date | None = None) -> str:
    """One English clause for condition ``c`` (windows as dates when ``index`` is given).

    Dispatches on the node's class: one function registered per ``Condition`` subclass.
    """
    raise TypeError(f"cannot describe {type(c).__name__}")


def _on(index: dt.date | None) -> str:
    return f"on {index}" if index else "on the index date"


@describe.register
def _and(c: nodes.And, index: dt.date | None = None) -> str:
    return " and ".join(_paren(i, index) for i in c.items)


@describe.register
def _or(c: nodes.Or, index: dt.date | None = None) -> str:
    return " or ".join(_paren(i, index) for i in c.items)


@describe.register
def _not(c: nodes.Not, index: dt.date | None = None) -> str:
    return f"not ({describe(c.item, index)})"


@describe.register
def _at_least(c: nodes.AtLeast, index: dt.date | None = None) -> str:
    inner = "; ".join(describe(i, index) for i in c.items)
    return f"at least {c.n} of: ({inner})"


@describe.register
def _ref(c: nodes.Ref, index: dt.date | None = None) -> str:
    return c.name


@describe.register
def _age(c: nodes.AgeTest, index: dt.date | None = None) -> str:
    if isinstance(c.test, nodes.Range):
        return f"aged {_num(c.test.low)} to {_num(c.test.high)} {_on(index)}"
    return f"aged {_test(c.test)} {_on(index)}"


@describe.register
def _sex(c: nodes.SexIs, index: dt.date | None = None) -> str:
    return "female" if c.sex == "F" else "male"


@describe.register
def _ethnicity(c: nodes.EthnicityIn, index: dt.date | None = None) -> str:
    return f"ethnicity {_list(c.groups)}"


@describe.register
def _nation(c: nodes.NationIn, index: dt.date | None = None) -> str:
    return f"practice in {_list(c.nations)}"


@describe.register
def _region(c: nodes.RegionIn, index: dt.date | None = None) -> str:
    return f"practice in {_list(c.regions)}"


@describe.register
def _imd(c: nodes.ImdTest, index: dt.date | None = None) -> str:
    return f"IMD quintile {_test(c.test)} (unknown IMD: no)"


@describe.register
def _registered(c: nodes.Registered, index: dt.date | None = None) -> str:
    return f"registered at the practice for at least {c.amount} {c.unit}(s) {_on(index)}"


@describe.register
def _has(c: nodes.Has, index: dt.date | None = None) -> str:
    return f"has a record of {c.codeset} {_window(c.window, index)}"


@describe.register
def _count(c: nodes.CountOf, index: dt.date | None = None) -> str:
    return f"number of {c.codeset} records {_window(c.window, index)} is {_test(c.test)}"


@describe.register
def _value(c: nodes.ValueOf, index: dt.date | None = None) -> str:
    what = {"latest": "latest", "earliest": "earliest", "min": "lowest",
            "max": "highest", "mean": "mean"}[c.aggregate]
    return f"{what} {c.codeset} value {_window(c.window, index)} is {_test(c.test)}"


@describe.register
def _first(c: nodes.FirstIn, index: dt.date | None = None) -> str:
    return f"first ever record of {c.codeset} is {_window(c.window, index)}"


@describe.register
def _latest_code(c: nodes.LatestCodeIn, index: dt.date | None = None) -> str:
    return (f"latest record of {c.codeset} {_window(c.window, index)} "
            f"has a code in {c.target}")


@describe.register
def _total_quantity(c: nodes.TotalQuantity, index: dt.date | None = None) -> str:
    return (f"total quantity prescribed of {c.codeset} {_window(c.window, index)} "
            f"is {_test(c.test)}")


@describe.register
def _practice(c: nodes.PracticeIn, index: dt.date | None = None) -> str:
    return f"registered at practice {_list(c.codes)}"


@describe.register
def _enrolled(c: nodes.Enrolled, index: dt.date | None = None) -> str:
    study = "a trial" if c.study is None else f"study {c.study}"
    return f"enrolled in {study} {_window(c.window, index)}"


@describe.register
def _invited(c: nodes.Invited, index: dt.date | None = None) -> str:
    study = "a trial" if c.study is None else f"study {c.study}"
    return f"invited to {study} {_window(c.window, index)}"


def _paren(c: nodes.Condition, index: dt.date | None) -> str:
    text = describe(c, index)
    return f"({text})" if isinstance(c, (nodes.And, nodes.Or)) else text


def explain(criteria: nodes.Criteria, index_date: dt.date | None = None) -> list[str]:
    """One line per rule, in file order: ``include "LABEL": English sentence``.

    ``index_date`` defaults to the file's; without either, windows are described relative to
    "the index date". The population (if any) comes first, defines are named where used and
    listed after the rules.
    """
    index = index_date or criteria.index_date
    lines = []
    if criteria.population:
        pop = criteria.population
        lines.append(f'population "{pop.label}": {describe(pop.condition, index)}')
    for rule in criteria.rules:
        lines.append(f'{rule.kind} "{rule.label}": {describe(rule.condition, index)}')
    for d in criteria.defines:
        lines.append(f"where {d.name} means: {describe(d.condition, index)}")
    for s in criteria.screens:
        lines.append(f'screen (not assessed from records): "{s.text}"')
    return lines
