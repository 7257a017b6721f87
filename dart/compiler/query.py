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
from sqlalchemy.sql import util as sql_util
from sqlalchemy.sql import visitors

from criteria_grammar import nodes
from criteria_grammar.limits import shared_defines
from dart.compiler.atoms import ONE, ZERO, ConditionCompiler, balanced_sum, known
from dart.compiler.codesets import Reads
from dart.compiler.dates import AGE_BANDS, birth_cutoff
from dart.compiler.defines import SharedDefines, layered
from dart.compiler.sqltypes import BIGINT, DATE
from dart.sources import Source
from dart.sources.native import NATIVE
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
    split: SplitRules
    source: Source = NATIVE
    patients: sa.FromClause | None = None
    """``source``'s patients at ``index_date``, as the query reads them."""

    @property
    def practices(self) -> sa.FromClause:
        return self.source.practices

    @property
    def rule_columns(self) -> tuple[str, ...]:
        return tuple(f"rule_{i}" for i in range(len(self.rules)))

    @property
    def condition_columns(self) -> tuple[str, ...]:
        return tuple(f"cond_{i}" for i in range(len(self.rules)))

    population_column = "in_population"
    eligible_column = "eligible"


@dataclass(frozen=True)
class SplitRules:
    """The flags of ``patient_rules``, split so that counting skips the record reads for
    the patients who have no rows in them.

    ``baseline``: one row per base patient (patient_id, practice_id, in_population,
    rule_0..): the flags the patient would have WITHOUT any record, from the patient and
    practice columns alone (no join to a read).
    ``recorded``: one row per base patient with at least one row in a read (None when the
    file reads no records): the same columns with the patient's true flags, plus the
    baseline ones as ``base_in_population``, ``base_rule_0``...

    A patient's true flags are ``recorded``'s when the patient is there, else
    ``baseline``'s. Why: measured on DuckDB at 1M patients (docs/performance.md), joining
    every read's aggregate to all ~920k base patients cost more than everything else DART
    adds to the floor; most base patients have no row in a given file's reads.
    """

    baseline: sa.Select
    recorded: sa.Select | None
    constant: dict[str, int]
    """The baseline flags that are the same for every patient, known when compiling (e.g.
    ``rule_1`` is 0 for ``include has X``): the counting need not group by them."""


def flag(pred: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """A two-valued predicate as 0/1 INTEGER (the one boolean representation we output)."""
    value = known(pred)  # a condition folded to a constant: the constant itself
    if value is not None:
        return ONE if value else ZERO
    return sa.case((pred, ONE), else_=ZERO)


def age_band(dob: sa.ColumnElement, index: dt.date) -> sa.ColumnElement[str]:
    """"0-4" ... "85-89", "90+" by comparing date_of_birth with bound cut-off dates."""
    whens = [(dob <= sa.literal(birth_cutoff(index, lo), DATE), sa.literal(label))
             for lo, label in reversed(AGE_BANDS[1:])]
    return sa.case(*whens, else_=sa.literal(AGE_BANDS[0][1]))


def base_filter(patient: sa.FromClause, index: dt.date, *,
                opted_out: bool = False) -> sa.ColumnElement[bool]:
    """Registered, alive and not opted out on ``index`` (``opted_out``: those who did opt
    out, whom every feasibility answer counts).

    Leaving or dying ON the index date means not in the base (``end > index`` to stay in).
    """
    on = sa.literal(index, DATE)
    return sa.and_(
        patient.c.registration_start <= on,
        sa.or_(patient.c.registration_end.is_(None), patient.c.registration_end > on),
        sa.or_(patient.c.date_of_death.is_(None), patient.c.date_of_death > on),
        patient.c.research_opt_out == (sa.true() if opted_out else sa.false()),
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
                     index_date: dt.date, source: Source = NATIVE) -> CompiledCriteria:
    """Compile ``criteria`` at ``index_date`` to one query over ``source``'s tables (see
    ``CompiledCriteria``)."""
    patient, practice = source.patients(index_date), source.practices
    codelists = library_with_inline(criteria, library)
    reads = Reads(index_date, source)
    names = shared_defines(criteria)

    def conditions(prefix: str) -> tuple[list[sa.ColumnElement[bool]],
                                         sa.ColumnElement[bool] | None, SharedDefines]:
        atoms = ConditionCompiler(criteria, codelists, index_date, reads, patient, practice)
        atoms.shared = SharedDefines(names, prefix)
        conds = [atoms.compile(r.condition) for r in criteria.rules]
        pop = atoms.compile(criteria.population.condition) if criteria.population else None
        return conds, pop, atoms.shared

    # First pass: register every record atom; each compiles to its value for a patient
    # without records, so the conditions are the baseline.
    *baseline, base_defines = conditions("base_define_")
    reads.build()
    conds, pop, defines = conditions("define_")  # second pass: over the built CTEs

    joined = patient.outerjoin(practice, patient.c.practice_id == practice.c.practice_id)
    for cte in reads.joins:
        joined = joined.outerjoin(cte, cte.c.patient_id == patient.c.patient_id)
    dob = patient.c.date_of_birth
    in_population, *passes = flags(criteria, conds, pop)
    columns = [
        patient.c.patient_id, patient.c.practice_id, patient.c.sex, patient.c.ethnicity,
        patient.c.imd_quintile, dob, age_band(dob, index_date).label("age_band"),
        practice.c.region, practice.c.nation, in_population,
        *(flag(cond).label(f"cond_{i}") for i, cond in enumerate(conds)),
        *passes,
    ]
    inner = layered(columns, joined, base_filter(patient, index_date), defines.preds,
                    "defines").subquery("patient_conditions")
    rule_cols = [inner.c[f"rule_{i}"] for i in range(len(conds))]
    # A sum, not an AND of every rule: SQLite parses an AND list as a left-deep tree and
    # refuses one deeper than 1,000; the balanced sum is nested log2(rules) deep.
    eligible = (flag(balanced_sum(rule_cols) == len(rule_cols)) if rule_cols else ONE)
    query = sa.select(*inner.c, eligible.label("eligible"))
    rules = tuple(RuleInfo(r.label, r.kind, r.source) for r in criteria.rules)
    split = split_rules(criteria, (conds, pop, defines.preds),
                        (*baseline, base_defines.preds), reads.joins, index_date,
                        (patient, practice))
    return CompiledCriteria(query, rules, index_date, split, source, patient)


def flags(criteria: nodes.Criteria, conds: list[sa.ColumnElement[bool]],
          pop: sa.ColumnElement[bool] | None, prefix: str = "") -> list[sa.ColumnElement]:
    """``in_population`` and ``rule_i`` (1 when the patient passes rule i) as 0/1 columns."""
    cols = [(flag(pop) if pop is not None else ONE)
            .label(f"{prefix}in_population")]
    for i, (rule, cond) in enumerate(zip(criteria.rules, conds, strict=True)):
        passes = cond if rule.kind == "include" else sa.not_(cond)
        cols.append(flag(passes).label(f"{prefix}rule_{i}"))
    return cols


def _reads_practice(conds: list[sa.ColumnElement | None], practice: sa.FromClause) -> bool:
    """Whether any of ``conds`` reads a ``practice`` column (region, nation)."""
    return any(practice in sql_util.find_tables(c, check_columns=True)
               for c in conds if c is not None)


def split_rules(criteria: nodes.Criteria, true: tuple, baseline: tuple,
                reads: list[sa.CTE], index_date: dt.date,
                tables: tuple[sa.FromClause, sa.FromClause]) -> SplitRules:
    """``SplitRules`` from the conditions over the reads (``true``) and over no records
    (``baseline``): each (rule conditions, population condition, shared defines).

    ``practice`` is joined only when a condition reads it: measured (DuckDB, 1M), the join
    of ~920k base patients to it cost ~0.025 s of a ~0.45 s statement.
    """
    patient, practice = tables
    on_practice = practice.c.practice_id == patient.c.practice_id
    ids = [patient.c.patient_id, patient.c.practice_id]
    where = base_filter(patient, index_date)
    (*true, true_defines), (*baseline, base_defines) = true, baseline
    with_practice = _reads_practice([*true[0], true[1], *true_defines.values()], practice)
    people = patient.outerjoin(practice, on_practice) if with_practice else patient
    baseline_flags = flags(criteria, *baseline)
    constant = {c.name: 1 if c.element is ONE else 0
                for c in baseline_flags if c.element is ONE or c.element is ZERO}
    base = layered([*ids, *baseline_flags], people, where, base_defines, "baseline_defines")
    if not reads:
        return SplitRules(base, None, constant)
    # Every mask word of the recorded patients in one row each: the aggregates (one row per
    # patient each, the same word names in all) stacked and summed by patient (their bits
    # are disjoint, so the sum is their OR), then joined to ``patient`` by its key. No join
    # to an aggregate, so no engine depends on indexing one. Measured (docs/performance.md):
    # SQLite, made to join the aggregates to a set of ids, scanned one per patient (98 s
    # instead of 1.4 s at 100k for smoking_cessation).
    masks = reads[0] if len(reads) == 1 else _summed(reads)  # one: already per patient
    joined = masks.join(patient, patient.c.patient_id == masks.c.patient_id)
    if with_practice:
        joined = joined.outerjoin(practice, on_practice)

    aggregates = {id(cte) for cte in reads}

    def to_masks(element):  # an aggregate's mask word -> the summed one of ``masks``
        table = getattr(element, "table", None)
        if isinstance(element, sa.sql.elements.ColumnClause) and id(table) in aggregates:
            return masks.c[element.name]
        return None

    columns = [*ids, *flags(criteria, *true), *flags(criteria, *baseline, prefix="base_")]
    recorded = layered(columns, joined, where, {**true_defines, **base_defines},
                       "recorded_defines",
                       lambda c: visitors.replacement_traverse(c, {}, to_masks))
    return SplitRules(base, recorded, constant)


def _summed(reads: list[sa.CTE]) -> sa.Subquery:
    """The aggregates' mask words stacked and summed per patient (disjoint bits: an OR)."""
    names = list(dict.fromkeys(c.name for cte in reads for c in cte.c if c.name != "patient_id"))
    absent = sa.cast(sa.null(), BIGINT)  # typed: PostgreSQL types a bare NULL text
    stacked = sa.union_all(*(
        sa.select(cte.c.patient_id, *(cte.c[n] if n in cte.c else absent.label(n)
                                      for n in names))
        for cte in reads)).subquery("stacked")
    # CAST: PostgreSQL sums BIGINT to NUMERIC, which has no ``&``.
    return (sa.select(stacked.c.patient_id, *(
        sa.cast(sa.func.sum(stacked.c[n]), BIGINT).label(n) for n in names))
            .group_by(stacked.c.patient_id).subquery("recorded_masks"))
