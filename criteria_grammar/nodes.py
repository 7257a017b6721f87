"""The criteria language's syntax tree: frozen dataclasses that hold no SQL.

Every node carries ``pos`` (1-based line and column of its first character) so that later
checks (unknown names, units) can point at the real fault. The tree is the contract between
the parser (``criteria_grammar.builder``) and the SQL compiler (``dart.compiler``).

A window relative to another event of the same patient is a ``Window`` subclass
(``Relative``) holding its ``Anchor``; the atoms that hold windows did not change for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Unit = Literal["day", "week", "month", "year"]
Op = Literal["<", "<=", ">", ">=", "=", "!="]
System = Literal["snomed", "dmd"]
Aggregate = Literal["latest", "earliest", "min", "max", "mean"]


@dataclass(frozen=True)
class Pos:
    line: int
    col: int


NOWHERE = Pos(0, 0)


# --- windows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Ever(Window):
    """No window, or ``ever``: d <= index."""


@dataclass(frozen=True)
class Within(Window):
    """``within N UNIT``: index - N UNIT <= d <= index."""

    amount: int
    unit: Unit


@dataclass(frozen=True)
class MoreThanAgo(Window):
    """``more than N UNIT ago``: d < index - N UNIT."""

    amount: int
    unit: Unit


@dataclass(frozen=True)
class Between(Window):
    """``between D1 and D2``: D1 <= d <= D2 and d <= index."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Anchor:
    """``first|latest CODESET``: the date of the patient's earliest or most recent record of
    the code set on or before the index date (with or without a value)."""

    which: Literal["first", "latest"]
    codeset: str
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)
    codeset_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the name


@dataclass(frozen=True)
class Relative(Window):
    """``within N UNIT after ANCHOR``: a <= d <= a + N UNIT (and d <= index);
    ``within N UNIT before ANCHOR``: a - N UNIT <= d <= a. No anchor record: no window."""

    amount: int
    unit: Unit
    direction: Literal["before", "after"]
    anchor: Anchor


# --- value tests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    """``CMP V [UNIT]``."""

    op: Op
    value: float
    unit: str | None = None
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)
    unit_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the unit, if any


@dataclass(frozen=True)
class Range:
    """``between A and B [UNIT]``, inclusive at both ends."""

    low: float
    high: float
    unit: str | None = None
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)
    unit_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the unit, if any


Test = Compare | Range


# --- conditions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class And(Condition):
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Or(Condition):
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not(Condition):
    item: Condition


@dataclass(frozen=True)
class Ref(Condition):
    """A bare NAME: a ``define``d condition."""

    name: str


@dataclass(frozen=True)
class AgeTest(Condition):
    """Age in completed years on the index date."""

    test: Test


@dataclass(frozen=True)
class SexIs(Condition):
    sex: Literal["F", "M"]


@dataclass(frozen=True)
class EthnicityIn(Condition):
    groups: tuple[str, ...]  # canonical lower-case ethnic groups


@dataclass(frozen=True)
class NationIn(Condition):
    nations: tuple[str, ...]  # canonical names, e.g. "Northern Ireland"


@dataclass(frozen=True)
class RegionIn(Condition):
    regions: tuple[str, ...]  # canonical names, e.g. "Yorkshire and The Humber"


@dataclass(frozen=True)
class ImdTest(Condition):
    """IMD quintile (1 = most deprived); unknown IMD is false."""

    test: Test


@dataclass(frozen=True)
class Registered(Condition):
    """``registered for N UNIT``: registration_start <= index - N UNIT."""

    amount: int
    unit: Unit


@dataclass(frozen=True)
class Has(Condition):
    codeset: str
    window: Window
    codeset_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the name


@dataclass(frozen=True)
class CountOf(Condition):
    codeset: str
    window: Window
    test: Test
    codeset_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the name


@dataclass(frozen=True)
class ValueOf(Condition):
    """``latest|earliest|min|max|mean CODESET [WINDOW] TEST`` (observations only)."""

    aggregate: Aggregate
    codeset: str
    window: Window
    test: Test
    codeset_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the name


@dataclass(frozen=True)
class FirstIn(Condition):
    """``first CODESET WINDOW``: the first record ever falls in the window."""

    codeset: str
    window: Window
    codeset_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the name


@dataclass(frozen=True)
class LatestCodeIn(Condition):
    """``latest code of CODESET [WINDOW] in CODESET2``."""

    codeset: str
    window: Window
    target: str
    codeset_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the name
    target_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class AtLeast(Condition):
    n: int
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class TotalQuantity(Condition):
    """``total quantity of CODESET [WINDOW] TEST``: the sum of the prescriptions' quantities
    in the window (no quantity adds nothing; no rows: 0). dm+d code sets only."""

    codeset: str
    window: Window
    test: Test
    codeset_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the name


@dataclass(frozen=True)
class PracticeIn(Condition):
    """``practice in ("ODS", ...)``: the patient's practice has one of these ODS codes."""

    codes: tuple[str, ...]  # upper case, as ODS writes them
    code_pos: tuple[Pos, ...] = field(default=(), compare=False, kw_only=True)  # of each


@dataclass(frozen=True)
class Invited(Condition):
    """A recorded trial invitation in the window: for any study, or (``invited to study N``)
    for DART's study ``study`` only."""

    window: Window
    study: int | None = None


@dataclass(frozen=True)
class Enrolled(Condition):
    """A recorded trial enrolment (a patient whose lifecycle status is ``enrolled``, dated
    by the day it became so) in the window: for any study, or (``enrolled in study N``) for
    DART's study ``study`` only."""

    window: Window
    study: int | None = None


# --- statements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodelistDef:
    name: str
    system: System
    codes: tuple[str, ...]
    unit: str | None = None
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)
    name_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the name


@dataclass(frozen=True)
class Define:
    name: str
    condition: Condition
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)
    name_pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)  # of the name


@dataclass(frozen=True)
class Population:
    label: str
    condition: Condition
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Screen:
    text: str
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Rule:
    """``include``/``exclude``; ``label`` is the source text of the condition when unlabelled."""

    kind: Literal["include", "exclude"]
    label: str
    condition: Condition
    source: str  # the condition's source text, whitespace folded
    pos: Pos = field(default=NOWHERE, compare=False, kw_only=True)


@dataclass(frozen=True)
class Criteria:
    """A whole criteria file, statements grouped by kind, rules in file order."""

    rules: tuple[Rule, ...]
    study: str | None = None
    index_date: dt.date | None = None
    population: Population | None = None
    codelists: tuple[CodelistDef, ...] = ()
    defines: tuple[Define, ...] = ()
    screens: tuple[Screen, ...] = ()
    source: str = field(default="", compare=False)
    filename: str = field(default="<criteria>", compare=False)

    def define(self, name: str) -> Define:
        return next(d for d in self.defines if d.name == name)
