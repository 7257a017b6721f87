"""A whole criteria file → ONE SQLAlchemy Core query: one row per base patient.

Booleans: every flag column (``in_population``, ``cond_i``, ``rule_i``, ``eligible``) is an
INTEGER 0 or 1 on every engine (``CASE WHEN ... THEN 1 ELSE 0 END``), never NULL. We chose
0/1 over SQL booleans because ``SUM(rule_0)`` then works everywhere (PostgreSQL cannot SUM a
boolean) and SQLite has no boolean type to return; filter with ``eligible = 1``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from criteria_grammar import nodes
from dart.compiler.atoms import Atoms
from dart.compiler.codesets import Reads
from dart.compiler.dates import AGE_BANDS, birth_cutoff
from dart.store import schema
from dart.store.codelists import Codelist


@dataclass(frozen=True)
class RuleInfo:
    label: str
    kind: str  # "include" | "exclude"
    source: str


@dataclass(frozen=True)
class CompiledCriteria:
    """The compiled query and what its columns mean.

    ``patient_rules`` columns: patient_id, practice_id, sex, ethnicity, imd_quintile,
    date_of_birth, age_band, region, nation, in_population, cond_0.., rule_0.., eligible
    (flags are 0/1).
    ``cond_i`` is the raw value of rule i's condition; ``rule_i`` is 1 when the patient passes
    it (include: condition holds; exclude: it does not).
    """

    patient_rules: sa.Select
    rules: tuple[RuleInfo, ...]
    index_date: dt.date

    @property
    def rule_columns(self) -> tuple[str, ...]:
        return tuple(f"rule_{i}" for i in range(len(self.rules)))

    @property
    def condition_columns(self) -> tuple[str, ...]:
        return tuple(f"cond_{i}" for i in range(len(self.rules)))

    population_column = "in_population"
    eligible_column = "eligible"


def flag(pred: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """A two-valued predicate as 0/1 INTEGER (the one boolean representation we output)."""
    return sa.case((pred, 1), else_=0)


def age_band(dob: sa.ColumnElement, index: dt.date) -> sa.ColumnElement[str]:
    """"0-4" ... "85-89", "90+" by comparing date_of_birth with bound cut-off dates."""
    whens = [(dob <= sa.literal(birth_cutoff(index, lo), sa.Date), sa.literal(label))
             for lo, label in reversed(AGE_BANDS[1:])]
    return sa.case(*whens, else_=sa.literal(AGE_BANDS[0][1]))


def base_filter(patient: sa.FromClause, index: dt.date) -> sa.ColumnElement[bool]:
    """Registered, alive and not opted out on ``index``.

    Leaving or dying ON the index date means not in the base (``end > index`` to stay in).
    """
    on = sa.literal(index, sa.Date)
    return sa.and_(
        patient.c.registration_start <= on,
        sa.or_(patient.c.registration_end.is_(None), patient.c.registration_end > on),
        sa.or_(patient.c.date_of_death.is_(None), patient.c.date_of_death > on),
        patient.c.research_opt_out == sa.false(),
    )


def library_with_inline(criteria: nodes.Criteria,
                        library: Mapping[str, Codelist]) -> dict[str, Codelist]:
    """The code sets the file can name: its inline ``codelist``s shadow the library."""
    sets = dict(library)
    for cl in criteria.codelists:
        sets[cl.name] = Codelist(cl.name, cl.system, tuple(cl.codes), cl.unit,
                                 source="inline")
    return sets


def compile_criteria(criteria: nodes.Criteria, library: Mapping[str, Codelist],
                     index_date: dt.date) -> CompiledCriteria:
    """Compile ``criteria`` at ``index_date`` to one query (see ``CompiledCriteria``)."""
    patient, practice = schema.patient, schema.practice
    codelists = library_with_inline(criteria, library)
    reads = Reads(index_date)

    def conditions() -> tuple[list[sa.ColumnElement[bool]], sa.ColumnElement[bool] | None]:
        atoms = Atoms(criteria, codelists, index_date, reads, patient, practice)
        conds = [atoms.compile(r.condition) for r in criteria.rules]
        pop = atoms.compile(criteria.population.condition) if criteria.population else None
        return conds, pop

    conditions()  # first pass: register the measures every atom needs
    reads.build()
    conds, pop = conditions()  # second pass: the same atoms over the built CTEs

    joined = patient.outerjoin(practice, patient.c.practice_id == practice.c.practice_id)
    for cte in reads.joins:
        joined = joined.outerjoin(cte, cte.c.patient_id == patient.c.patient_id)
    dob = patient.c.date_of_birth
    columns = [
        patient.c.patient_id, patient.c.practice_id, patient.c.sex, patient.c.ethnicity,
        patient.c.imd_quintile,
        dob,
        age_band(dob, index_date).label("age_band"),
        practice.c.region, practice.c.nation,
        (flag(pop) if pop is not None else sa.literal(1, sa.Integer)).label("in_population"),
    ]
    for i, cond in enumerate(conds):
        columns.append(flag(cond).label(f"cond_{i}"))
    for i, (rule, cond) in enumerate(zip(criteria.rules, conds, strict=True)):
        passes = cond if rule.kind == "include" else sa.not_(cond)
        columns.append(flag(passes).label(f"rule_{i}"))
    inner = sa.select(*columns).select_from(joined).where(
        base_filter(patient, index_date)).subquery("patient_conditions")
    rule_cols = [inner.c[f"rule_{i}"] for i in range(len(conds))]
    eligible = flag(sa.and_(*(c == 1 for c in rule_cols))) if rule_cols else sa.literal(1)
    query = sa.select(*inner.c, eligible.label("eligible"))
    rules = tuple(RuleInfo(r.label, r.kind, r.source) for r in criteria.rules)
    return CompiledCriteria(query, rules, index_date)
