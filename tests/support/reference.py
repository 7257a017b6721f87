"""A reference evaluator: the criteria language's meaning read straight off its definition.

Plain Python over the rows of a store held as dicts (``{table: [row, ...]}``, as the spec
tests' text tables and the property tests' random stores are), with no SQL and nothing of
``dart.compiler``: its calendar arithmetic, ages and value choices are written here again
from docs/criteria-language.md. The spec tests and the cross-engine property test compare
every engine with it, so a compiler bug shared by all engines still fails a test.

``evaluate(criteria, tables, library, index)`` returns, per base patient, the flags
``patient_rules`` carries: ``rule_i`` (the patient passes rule i), ``in_population`` and
``eligible``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any

from criteria_grammar import nodes as n

Row = dict[str, Any]
EVER = n.Ever()
HBA1C_PERCENT_TO_MMOL = (2.15, 10.929)  # mmol/mol = (% - 2.15) x 10.929 (IFCC from DCCT)


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def minus(day: dt.date, amount: int, unit: str) -> dt.date:
    """``day`` minus ``amount`` units, calendar style: a month-end past the target clamps."""
    if unit == "day":
        return day - dt.timedelta(days=amount)
    if unit == "week":
        return day - dt.timedelta(weeks=amount)
    months = amount * (12 if unit == "year" else 1)
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def age_on(born: dt.date, index: dt.date) -> int:
    """Completed years on ``index`` (a 29 February birthday is reached on 1 March)."""
    return index.year - born.year - ((index.month, index.day) < (born.month, born.day))


def _window(window: n.Window, index: dt.date) -> Callable[[dt.date], bool]:
    if isinstance(window, n.Ever):
        return lambda d: d <= index
    if isinstance(window, n.Within):
        start = minus(index, window.amount, window.unit)
        return lambda d: start <= d <= index
    if isinstance(window, n.MoreThanAgo):
        before = minus(index, window.amount, window.unit)
        return lambda d: d < before
    if isinstance(window, n.Between):
        return lambda d: window.start <= d <= window.end and d <= index
    raise TypeError(f"the reference evaluator has no meaning for {type(window).__name__}")


def _convert(value: float, unit: str | None, to_unit: str | None) -> float:
    if unit is None or to_unit is None or unit.lower() == to_unit.lower():
        return value
    if unit == "%" and to_unit == "mmol/mol":
        shift, scale = HBA1C_PERCENT_TO_MMOL
        return (value - shift) * scale
    raise ValueError(f"no conversion from {unit} to {to_unit}")


def _test(test: n.Test, to_unit: str | None = None) -> Callable[[float], bool]:
    if isinstance(test, n.Range):
        low, high = (_convert(v, test.unit, to_unit) for v in (test.low, test.high))
        return lambda v: low <= v <= high
    x = _convert(test.value, test.unit, to_unit)
    return {"<": lambda v: v < x, "<=": lambda v: v <= x, ">": lambda v: v > x,
            ">=": lambda v: v >= x, "=": lambda v: v == x, "!=": lambda v: v != x}[test.op]


class Evaluator:
    """The flags of one criteria file for every patient of ``tables`` on ``index``."""

    def __init__(self, criteria: n.Criteria, tables: Mapping[str, list[Row]],
                 library: Mapping[str, Any], index: dt.date) -> None:
        self.criteria, self.index = criteria, index
        self.codesets: dict[str, Any] = dict(library)
        self.codesets.update({c.name: c for c in criteria.codelists})
        self.practices = {p["practice_id"]: p for p in tables.get("practice", [])}
        self.records: dict[int, dict[str, list[Row]]] = {}
        for table, date_col in (("observation", "obs_date"), ("prescription", "issue_date")):
            for r in tables.get(table, []):
                row = {**r, "date": _day(r[date_col])}
                self.records.setdefault(r["patient_id"], {}).setdefault(table, []).append(row)
        self.invitations: dict[int, list[tuple[dt.date, int]]] = {}
        for r in tables.get("invitation", []):
            self.invitations.setdefault(r["patient_id"], []).append(
                (_day(r["invited_on"]), r.get("study_id")))
        # An enrolment is a lifecycle row whose status is enrolled now, dated by the day
        # the outcome was recorded (outcome_at, a UTC timestamp).
        self.enrolments: dict[int, list[tuple[dt.date, int]]] = {}
        for r in tables.get("recruitment_status", []):
            if r["status"] == "enrolled":
                self.enrolments.setdefault(r["patient_id"], []).append(
                    (_day(str(r["outcome_at"])[:10]), r["study_id"]))
        self.patients = tables.get("patient", [])
        self._defines: dict[tuple[str, int], bool] = {}

    # --- who is counted ------------------------------------------------------------------

    def in_base(self, p: Row) -> bool:
        end, death = _day(p.get("registration_end")), _day(p.get("date_of_death"))
        return (_day(p["registration_start"]) <= self.index
                and (end is None or end > self.index)
                and (death is None or death > self.index)
                and not p.get("research_opt_out"))

    def rows(self) -> list[Row]:
        out = []
        for p in sorted(self.patients, key=lambda p: p["patient_id"]):
            if not self.in_base(p):
                continue
            row: Row = {"patient_id": p["patient_id"]}
            for i, rule in enumerate(self.criteria.rules):
                holds = self.holds(rule.condition, p)
                row[f"rule_{i}"] = int(holds if rule.kind == "include" else not holds)
            population = self.criteria.population
            row["in_population"] = int(population is None or self.holds(population.condition, p))
            row["eligible"] = int(all(row[f"rule_{i}"] for i in range(len(self.criteria.rules))))
            out.append(row)
        return out

    # --- conditions ----------------------------------------------------------------------

    @functools.singledispatchmethod
    def holds(self, c: n.Condition, p: Row) -> bool:
        """Whether patient ``p`` satisfies ``c``: one method registered per node class."""
        raise TypeError(f"the reference evaluator has no meaning for {type(c).__name__}")

    @holds.register
    def _and(self, c: n.And, p: Row) -> bool:
        return all(self.holds(i, p) for i in c.items)

    @holds.register
    def _or(self, c: n.Or, p: Row) -> bool:
        return any(self.holds(i, p) for i in c.items)

    @holds.register
    def _not(self, c: n.Not, p: Row) -> bool:
        return not self.holds(c.item, p)

    @holds.register
    def _at_least(self, c: n.AtLeast, p: Row) -> bool:
        return sum(self.holds(i, p) for i in c.items) >= c.n

    @holds.register
    def _ref(self, c: n.Ref, p: Row) -> bool:
        # A define means its condition; remembered per patient, so that a define used
        # twice by the next (a doubling chain) is not evaluated 2^levels times.
        key = (c.name, p["patient_id"])
        if key not in self._defines:
            self._defines[key] = self.holds(self.criteria.define(c.name).condition, p)
        return self._defines[key]

    @holds.register
    def _age_test(self, c: n.AgeTest, p: Row) -> bool:
        return _test(c.test)(age_on(_day(p["date_of_birth"]), self.index))

    @holds.register
    def _sex_is(self, c: n.SexIs, p: Row) -> bool:
        return p["sex"] == c.sex

    @holds.register
    def _ethnicity_in(self, c: n.EthnicityIn, p: Row) -> bool:
        return p["ethnicity"] in c.groups

    def _practice(self, p: Row) -> Row:
        return self.practices.get(p["practice_id"], {})

    @holds.register
    def _nation_in(self, c: n.NationIn, p: Row) -> bool:
        return self._practice(p).get("nation") in c.nations

    @holds.register
    def _region_in(self, c: n.RegionIn, p: Row) -> bool:
        return self._practice(p).get("region") in c.regions

    @holds.register
    def _imd_test(self, c: n.ImdTest, p: Row) -> bool:
        return p.get("imd_quintile") is not None and _test(c.test)(p["imd_quintile"])

    @holds.register
    def _registered(self, c: n.Registered, p: Row) -> bool:
        return _day(p["registration_start"]) <= minus(self.index, c.amount, c.unit)

    @holds.register
    def _practice_in(self, c: n.PracticeIn, p: Row) -> bool:
        ods = self._practice(p).get("ods_code")
        return ods is not None and ods.upper() in c.codes

    @holds.register
    def _enrolled(self, c: n.Enrolled, p: Row) -> bool:
        inside = _window(c.window, self.index)
        return any(inside(d) and (c.study is None or study == c.study)
                   for d, study in self.enrolments.get(p["patient_id"], []))

    @holds.register
    def _invited(self, c: n.Invited, p: Row) -> bool:
        inside = _window(c.window, self.index)
        return any(inside(d) and (c.study is None or study == c.study)
                   for d, study in self.invitations.get(p["patient_id"], []))

    # --- records -------------------------------------------------------------------------

    def _of(self, codeset: str, p: Row, window: n.Window = EVER) -> list[Row]:
        """The patient's records of ``codeset`` in ``window`` (never after the index date)."""
        cs = self.codesets[codeset]
        table = "observation" if cs.system == "snomed" else "prescription"
        inside = self._relative(window, p) if isinstance(window, n.Relative) \
            else _window(window, self.index)
        return [r for r in self.records.get(p["patient_id"], {}).get(table, [])
                if r["code"] in cs.codes and inside(r["date"])]

    def _relative(self, w: n.Relative, p: Row) -> Callable[[dt.date], bool]:
        """``within N UNIT after|before first|latest X``: from the date ``a`` of the
        patient's first or latest X on or before the index date, a <= d <= a + N (after)
        or a - N <= d <= a (before), never after the index date; no X: no dates at all."""
        days = [r["date"] for r in self._of(w.anchor.codeset, p)]
        if not days:
            return lambda d: False
        a = min(days) if w.anchor.which == "first" else max(days)
        if w.direction == "after":
            end = minus(a, -w.amount, w.unit)  # a plus N units
            return lambda d: a <= d <= end and d <= self.index
        start = minus(a, w.amount, w.unit)
        return lambda d: start <= d <= a and d <= self.index

    @holds.register
    def _has(self, c: n.Has, p: Row) -> bool:
        return bool(self._of(c.codeset, p, c.window))

    @holds.register
    def _count_of(self, c: n.CountOf, p: Row) -> bool:
        return _test(c.test)(len(self._of(c.codeset, p, c.window)))

    @holds.register
    def _total_quantity(self, c: n.TotalQuantity, p: Row) -> bool:
        rows = self._of(c.codeset, p, c.window)
        return _test(c.test)(sum(float(r["quantity"]) for r in rows
                                 if r.get("quantity") is not None))

    @holds.register
    def _value_of(self, c: n.ValueOf, p: Row) -> bool:
        rows = [r for r in self._of(c.codeset, p, c.window) if r.get("value") is not None]
        if not rows:
            return False
        values = [float(r["value"]) for r in rows]
        if c.aggregate in ("latest", "earliest"):
            pick = max if c.aggregate == "latest" else min
            day = pick(r["date"] for r in rows)
            value = max(float(r["value"]) for r in rows if r["date"] == day)
        else:
            value = {"min": min, "max": max,
                     "mean": lambda vs: sum(vs) / len(vs)}[c.aggregate](values)
        return _test(c.test, self.codesets[c.codeset].unit)(value)

    @holds.register
    def _first_in(self, c: n.FirstIn, p: Row) -> bool:
        rows = self._of(c.codeset, p)
        return bool(rows) and _window(c.window, self.index)(min(r["date"] for r in rows))

    @holds.register
    def _latest_code_in(self, c: n.LatestCodeIn, p: Row) -> bool:
        rows = self._of(c.codeset, p, c.window)
        if not rows:
            return False
        day = max(r["date"] for r in rows)
        target = self.codesets[c.target].codes
        return any(r["code"] in target for r in rows if r["date"] == day)


def evaluate(criteria: n.Criteria, tables: Mapping[str, list[Row]],
             library: Mapping[str, Any], index: dt.date) -> list[Row]:
    """One row of flags per base patient, in patient id order."""
    return Evaluator(criteria, tables, library, index).rows()
