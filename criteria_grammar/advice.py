"""Warnings: criteria that are valid but probably not what the author meant.

A warning never stops a count; ``dart check`` prints warnings after errors and the API
returns them in their own field. ``advise(criteria, catalogue, extract_date)`` finds:

- ``implausible-value``: a value threshold far outside what the code set's unit makes
  plausible (``latest hba1c between 7.5 and 12`` on a set recorded in mmol/mol reads as
  HbA1c in %: "did you mean %?");
- ``unused-define``: a ``define`` that no rule or population uses, directly or through
  another define;
- ``index-after-extract``: an index date after the store's extract date (records after
  the extract cannot exist, so every window reaching past it is silently short);
- ``unit-on-dmd``: a ``unit`` declared on a dm+d code set (prescriptions carry no value to
  measure, so the unit is never used).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from criteria_grammar import nodes as n
from criteria_grammar.check import walk
from criteria_grammar.units import convert, normalise

# Plausible result ranges per unit (inclusive), wide on purpose: a threshold outside them is
# almost surely a slip (a unit confused with another), not a clinical choice. HbA1c: the
# IFCC scale runs ~20-200 mmol/mol, the DCCT one ~4-20 % (NGSP/IFCC master equation).
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "mmol/mol": (20.0, 200.0),
    "%": (3.0, 20.0),
    "mL/min/1.73m2": (1.0, 200.0),
    "mmHg": (30.0, 300.0),
    "kg/m2": (10.0, 100.0),
    "mmol/L": (0.1, 60.0),
}
# The unit a value that looks wrong in one unit probably was written in.
LOOKS_LIKE = {"mmol/mol": "%", "%": "mmol/mol"}


@dataclass(frozen=True)
class CriteriaWarning:
    """A probable mistake at ``line``:``col``; ``code`` is stable, ``message`` for people."""

    message: str
    line: int
    col: int
    code: str
    source_line: str = ""
    filename: str = "<criteria>"

    def __str__(self) -> str:
        caret = " " * max(self.col - 1, 0) + "^"
        return (f"{self.filename}:{self.line}:{self.col}: warning: {self.message}\n"
                f"{self.source_line}\n{caret}")

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message, "line": self.line,
                "column": self.col, "source_line": self.source_line, "text": str(self)}


def advise(criteria: n.Criteria, catalogue: Mapping[str, Any],
           extract_date: dt.date | None = None) -> list[CriteriaWarning]:
    """Every warning for a parsed and checked file, in file order."""
    units = {name: getattr(cs, "unit", None) for name, cs in catalogue.items()}
    units.update({c.name: c.unit for c in criteria.codelists})
    found = [*_implausible(criteria, units), *_unused(criteria), *_dmd_units(criteria)]
    if extract_date is not None and criteria.index_date and criteria.index_date > extract_date:
        found.append(_warning(criteria, _index_pos(criteria),
                              f"the index date {criteria.index_date} is after the store's "
                              f"extract date {extract_date}: no record after the extract "
                              "exists, so every window reaching past it is short",
                              "index-after-extract"))
    return sorted(found, key=lambda w: (w.line, w.col))


def _warning(criteria: n.Criteria, pos: n.Pos, message: str, code: str) -> CriteriaWarning:
    lines = criteria.source.splitlines()
    text = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    return CriteriaWarning(message, pos.line, pos.col, code, text, criteria.filename)


def _all_conditions(criteria: n.Criteria) -> Iterator[n.Condition]:
    tops = [r.condition for r in criteria.rules] + [d.condition for d in criteria.defines]
    if criteria.population:
        tops.append(criteria.population.condition)
    for top in tops:
        yield from walk(top)


def _implausible(criteria: n.Criteria, units: Mapping[str, str | None]
                 ) -> Iterator[CriteriaWarning]:
    for c in _all_conditions(criteria):
        unit = units.get(c.codeset) if isinstance(c, n.ValueOf) else None
        if unit is None or normalise(unit) not in PLAUSIBLE:
            continue
        unit = normalise(unit)
        low, high = PLAUSIBLE[unit]
        test = c.test
        written = ((test.low, test.high) if isinstance(test, n.Range) else (test.value,))
        try:
            values = [convert(v, test.unit, unit) if test.unit else v for v in written]
        except (KeyError, ValueError):
            continue  # check() has already refused a unit it cannot convert
        if all(low <= v <= high for v in values):
            continue
        shown = " and ".join(f"{v:g}" for v in written)
        message = (f"{shown} is far outside what {unit} makes plausible for "
                   f"'{c.codeset}' ({low:g} to {high:g} {unit})")
        other = LOOKS_LIKE.get(unit)
        if other and not test.unit and all(
                PLAUSIBLE[other][0] <= v <= PLAUSIBLE[other][1] for v in written):
            message += f": did you mean {other}? Write the unit after the number ('{other}')"
        yield _warning(criteria, test.pos if test.pos.line else c.pos, message,
                       "implausible-value")


def _unused(criteria: n.Criteria) -> Iterator[CriteriaWarning]:
    defines = {d.name: d for d in criteria.defines}
    used: set[str] = set()
    todo = [r.condition for r in criteria.rules]
    if criteria.population:
        todo.append(criteria.population.condition)
    while todo:
        for c in walk(todo.pop()):
            if isinstance(c, n.Ref) and c.name in defines and c.name not in used:
                used.add(c.name)
                todo.append(defines[c.name].condition)
    for d in criteria.defines:
        if d.name not in used:
            yield _warning(criteria, d.name_pos if d.name_pos.line else d.pos,
                           f"'{d.name}' is defined but no rule or population uses it",
                           "unused-define")


def _dmd_units(criteria: n.Criteria) -> Iterator[CriteriaWarning]:
    for c in criteria.codelists:
        if c.system == "dmd" and c.unit is not None:
            yield _warning(criteria, c.pos, f"'{c.name}' is a dm+d (prescription) code set: "
                           f"prescriptions have no measured value, so unit '{c.unit}' is "
                           "never used", "unit-on-dmd")


_INDEX = re.compile(r"^[ \t]*index\s+date\b", re.IGNORECASE | re.MULTILINE)


def _index_pos(criteria: n.Criteria) -> n.Pos:
    match = _INDEX.search(criteria.source)
    if match is None:
        return n.Pos(1, 1)
    start = match.start() + len(match.group()) - len(match.group().lstrip())
    line = criteria.source.count("\n", 0, start) + 1
    return n.Pos(line, start - (criteria.source.rfind("\n", 0, start) + 1) + 1)
