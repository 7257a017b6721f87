"""Why each listed patient is eligible: for every include rule, the record that satisfied it.

A GP reviews each patient before inviting, so each invite-list row carries, per include rule,
a short text: "Haemoglobin A1c level 72 mmol/mol on 2026-03-01", "first Atrial fibrillation
2025-11-02", "age 56". The records come from a second query over the listed patients only
(a practice's few hundred ids, bound as parameters), reading each record atom's code set in
the date range the compiler used (``dart.compiler.record_atoms``). An atom shows only when
its record passes the atom's test, so an ``or`` names the branch that held. A rule with no
record atom (age, sex, registration, ...) shows the patient's age where the rule tests it,
else the rule in plain English.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from criteria_grammar import nodes
from dart.compiler import RecordAtom, describe, record_atoms
from dart.sources.native import NATIVE


@dataclass(frozen=True)
class Reason:
    """One include rule's evidence for one patient."""

    rule: str
    text: str

    def to_json(self) -> dict:
        return {"rule": self.rule, "text": self.text}


@dataclass(frozen=True)
class _Row:
    day: dt.date
    code: str
    value: float | None
    unit: str | None


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def age_on(dob: dt.date, day: dt.date) -> int:
    """Completed years on ``day`` (a 29 February birthday falls on 1 March, as in the
    compiler's birth cut-offs)."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _tests_age(cond: nodes.Condition, criteria: nodes.Criteria) -> bool:
    if isinstance(cond, nodes.AgeTest):
        return True
    if isinstance(cond, nodes.Ref):
        return _tests_age(criteria.define(cond.name).condition, criteria)
    items = getattr(cond, "items", None) or ((cond.item,) if isinstance(cond, nodes.Not) else ())
    return any(_tests_age(i, criteria) for i in items)


def _fetch(conn: sa.Connection, atoms: list[RecordAtom], ids: list[int],
           index: dt.date) -> dict[tuple[str, int], list[_Row]]:
    """Every row of the atoms' codes up to ``index`` for ``ids``, by (system, patient)."""
    found: dict[tuple[str, int], list[_Row]] = defaultdict(list)
    for system, table, day, value, unit in (
            ("snomed", NATIVE.events, "obs_date", "value", "unit"),
            ("dmd", NATIVE.prescriptions, "issue_date", "quantity", None)):
        codes = sorted({c for a in atoms if a.codelist.system == system
                        for c in a.codelist.codes})
        if not codes or not ids:
            continue
        query = sa.select(table.c.patient_id, table.c[day], table.c.code, table.c[value],
                          table.c[unit] if unit else sa.null()).where(
            table.c.patient_id.in_(ids), table.c.code.in_(codes),
            table.c[day] <= sa.bindparam("index", index, type_=sa.Date))
        for pid, when, code, val, u in conn.execute(query):
            found[(system, pid)].append(_Row(when, code, val, u))
    return found


def _show(atom: RecordAtom, row: _Row, value: bool = True) -> str:
    cl = atom.codelist
    term = cl.terms.get(row.code) or cl.name
    if not value or row.value is None:
        return f"{term} on {row.day.isoformat()}"
    unit = row.unit or cl.unit
    return f"{term} {_num(row.value)}{' ' + unit if unit else ''} on {row.day.isoformat()}"


def evidence(atom: RecordAtom, rows: list[_Row]) -> str | None:
    """The text for one atom from one patient's rows, or None if no record satisfies it."""
    codes = set(atom.codelist.codes)
    mine = sorted((r for r in rows if r.code in codes), key=lambda r: (r.day, r.code))
    rng = atom.rng
    inside = [r for r in mine if (rng.start is None or r.day >= rng.start) and r.day <= rng.end]
    kind = atom.kind
    if kind == "first":
        if mine and mine[0] in inside:
            return f"first {_show(atom, mine[0], value=False)}"
        return None
    if kind in ("has", "latest_code"):
        return _show(atom, inside[-1], value=False) if inside else None
    if kind == "count":
        if not inside or not atom.passes(len(inside)):
            return None
        return f"{len(inside)} records of {atom.codelist.name}, latest " \
               f"{_show(atom, inside[-1], value=False)}"
    valued = [r for r in inside if r.value is not None]
    if not valued:
        return None
    if kind in ("latest", "earliest"):
        day = valued[-1].day if kind == "latest" else valued[0].day
        chosen = [r for r in valued if r.day == day and atom.passes(r.value)]
        return _show(atom, chosen[0]) if chosen else None
    if kind == "mean":
        mean = statistics.fmean(r.value for r in valued)
        unit = atom.codelist.unit
        return (f"mean {atom.codelist.name} {_num(mean)}{' ' + unit if unit else ''} of "
                f"{len(valued)} values" if atom.passes(mean) else None)
    pick = (min if kind == "min" else max)(valued, key=lambda r: r.value)
    label = "lowest" if kind == "min" else "highest"
    return f"{label} {_show(atom, pick)}" if atom.passes(pick.value) else None


def patient_reasons(conn: sa.Connection, criteria: nodes.Criteria, library: Mapping,
                    index: dt.date, births: Mapping[int, dt.date]
                    ) -> dict[int, tuple[Reason, ...]]:
    """Each patient of ``births`` (patient id -> date of birth): one ``Reason`` per include
    rule, in file order."""
    includes = [r for r in criteria.rules if r.kind == "include"]
    per_rule = [record_atoms(criteria, r.condition, library, index) for r in includes]
    rows = _fetch(conn, [a for atoms in per_rule for a in atoms], sorted(births), index)
    out: dict[int, tuple[Reason, ...]] = {}
    for pid, dob in births.items():
        reasons = []
        for rule, atoms in zip(includes, per_rule, strict=True):
            texts = [t for a in atoms
                     if (t := evidence(a, rows.get((a.codelist.system, pid), [])))]
            if not texts and _tests_age(rule.condition, criteria):
                texts = [f"age {age_on(dob, index)}"]
            reasons.append(Reason(rule.label, "; ".join(texts) or describe(rule.condition,
                                                                           index)))
        out[pid] = tuple(reasons)
    return out
