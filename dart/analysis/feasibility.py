"""Feasibility counts: the base, the funnel, each rule's unique impact and who is eligible.

Everything is counted by the database over the compiler's ``patient_rules`` (one row per
base patient) used as a CTE, in ONE statement: a ``UNION ALL`` of ``GROUP BY`` queries for the
breakdowns of the eligible cohort and one counting base patients per pattern of passed rules,
from which the funnel and unique impacts follow exactly (``totals_from_patterns``). No patient
row ever reaches Python. The result holds exact counts; disclosure control is a separate,
pure step (``dart.analysis.disclosure.apply_disclosure``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from criteria_grammar.nodes import Criteria
from criteria_grammar.vocabulary import ENGLISH_REGIONS, ETHNIC_GROUPS, NATIONS, REGIONS
from dart.compiler import CompiledCriteria, RuleInfo, compile_criteria, resolve_index_date
from dart.store.codelists import load_library
from dart.store.schema import practice as practice_table

# ONS 5-year bands, the compiler's ``age_band`` labels, in order.
AGE_BANDS = tuple(f"{a}-{a + 4}" for a in range(0, 90, 5)) + ("90+",)
SEXES = ("F", "M")
IMD_GROUPS = ("1", "2", "3", "4", "5", "unknown")
# Fixed vocabularies: every group is listed (zeros included) in this order.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "practice": (),
    "region": REGIONS,
    "nation": NATIONS,
    "age_band": AGE_BANDS,
    "sex": SEXES,
    "ethnicity": ETHNIC_GROUPS,
    "imd_quintile": IMD_GROUPS,
}


def region_nation(region: str) -> str:
    """The nation a region lies in (the devolved nations are their own region)."""
    return "England" if region in ENGLISH_REGIONS else region


@dataclass(frozen=True)
class FunnelStep:
    """What remains after a rule (and every rule before it); ``None`` means suppressed."""

    label: str
    kind: str  # "include" | "exclude"
    remaining: int | None
    dropped: int | None  # remaining before this rule minus remaining after it

    def to_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, "remaining": self.remaining,
                "dropped": self.dropped, "suppressed": self.remaining is None}


@dataclass(frozen=True)
class RuleImpact:
    """Base patients who fail this rule alone: how many more would be eligible without it."""

    label: str
    kind: str
    count: int | None

    def to_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, "count": self.count,
                "suppressed": self.count is None}


@dataclass(frozen=True)
class Cell:
    """One group of a breakdown of the eligible cohort.

    ``parent`` is the group in the enclosing dimension (a practice's region, a region's
    nation), so disclosure control can protect the margins; ``name`` is a practice's name.
    """

    group: str
    count: int | None
    parent: str | None = None
    name: str | None = None

    def to_json(self, total: int | None) -> dict:
        # A percentage only from published numbers: never from a suppressed cell or total.
        percent = (round(100 * self.count / total, 1)
                   if self.count is not None and total else None)
        out = {"group": self.group, "count": self.count, "suppressed": self.count is None,
               "percent": percent}
        if self.name is not None:
            out["name"] = self.name
        return out


@dataclass(frozen=True)
class FeasibilityResult:
    """Exact feasibility counts for one criteria file on one store (see ``to_json``)."""

    study: str | None
    index_date: dt.date
    criteria_hash: str
    base: int | None
    eligible: int | None
    population: int | None
    population_label: str | None
    funnel: tuple[FunnelStep, ...]
    unique_impact: tuple[RuleImpact, ...]
    breakdowns: Mapping[str, tuple[Cell, ...]]
    screens: tuple[str, ...] = ()
    extra: Mapping[str, object] = field(default_factory=dict)

    def to_json(self) -> dict:
        """Plain JSON: counts are integers, or ``null`` when suppressed (never 0)."""
        totals = {"base": self.base, "eligible": self.eligible, "population": self.population}
        return {
            "study": self.study,
            "index_date": self.index_date.isoformat(),
            "criteria_hash": self.criteria_hash,
            **totals,
            "population_label": self.population_label,
            "suppressed": sorted(k for k, v in totals.items() if v is None),
            "funnel": [s.to_json() for s in self.funnel],
            "unique_impact": [r.to_json() for r in self.unique_impact],
            "breakdowns": {dim: [c.to_json(self.eligible) for c in cells]
                           for dim, cells in self.breakdowns.items()},
            "screens": list(self.screens),
            **self.extra,
        }


def criteria_hash(text: str) -> str:
    """sha256 of the criteria text, so a result names exactly what was counted."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _passes(col: sa.ColumnElement) -> sa.ColumnElement[bool]:
    # The compiler's flags are INTEGER 0/1, never NULL (PostgreSQL cannot SUM a boolean).
    return col == 1


def _count_if(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def totals_query(rules: sa.Subquery | sa.CTE, n_rules: int) -> sa.Select:
    """One row: base, population, eligible, remaining_k (funnel) and impact_k per rule."""
    passes = [_passes(rules.c[f"rule_{i}"]) for i in range(n_rules)]
    cols = [
        sa.func.count().label("base"),
        _count_if(_passes(rules.c.in_population)).label("population"),
        _count_if(_passes(rules.c.eligible)).label("eligible"),
    ]
    for k in range(n_rules):
        cols.append(_count_if(sa.and_(sa.true(), *passes[: k + 1])).label(f"remaining_{k}"))
    for k in range(n_rules):
        others = [p for i, p in enumerate(passes) if i != k]
        cols.append(_count_if(sa.and_(sa.not_(passes[k]), *others)).label(f"impact_{k}"))
    return sa.select(*cols).select_from(rules)


def breakdown_query(rules: sa.Subquery | sa.CTE) -> sa.CompoundSelect:
    """Eligible counts per group of every dimension, as rows (dim, grp, parent, name, n)."""
    return sa.union_all(*breakdown_parts(rules))


def breakdown_parts(rules: sa.Subquery | sa.CTE) -> list[sa.Select]:
    """The ``GROUP BY`` queries of ``breakdown_query``, one per dimension.

    Only the practice breakdown groups every base patient, so that a practice without an
    eligible patient is still listed (with 0); the others group the eligible rows only and
    ``_breakdowns`` lists their fixed vocabularies with zeros. Why: measured (DuckDB, 1M,
    ``t2dm_sglt2i``), the seven breakdowns over all ~920k rows were 0.17 s of a 0.45 s
    statement; the eligible are a few thousand rows. (A value outside a vocabulary is now
    listed only when it has eligible patients.)
    """
    n_all = _count_if(_passes(rules.c.eligible)).label("n")
    text = sa.String()
    none = sa.cast(sa.null(), text)

    def part(dim: str, grp, parent=None, name=None, source=rules) -> sa.Select:
        grp = sa.cast(grp, text)
        keys = [grp] + [c for c in (parent, name) if c is not None]
        every = dim == "practice"
        query = (sa.select(sa.literal_column(f"'{dim}'", text).label("dim"), grp.label("grp"),
                           (none if parent is None else parent).label("parent"),
                           (none if name is None else name).label("name"),
                           n_all if every else sa.func.count().label("n"))
                 .select_from(source).group_by(*keys))
        return query if every else query.where(_passes(rules.c.eligible))

    joined = rules.join(practice_table, practice_table.c.practice_id == rules.c.practice_id)
    parts = [
        part("practice", practice_table.c.ods_code, practice_table.c.region,
             practice_table.c.name, joined),
        part("region", rules.c.region),
        part("nation", rules.c.nation),
        part("age_band", rules.c.age_band),
        part("sex", rules.c.sex),
        part("ethnicity", rules.c.ethnicity),
        part("imd_quintile", rules.c.imd_quintile),
    ]
    return parts


PATTERN = "_pattern"
MAX_PATTERN_RULES = 60
"""Up to this many rules, one query counts everything (the pattern fits a BIGINT)."""


def pattern_query(rules: sa.Subquery | sa.CTE, n_rules: int) -> sa.Select:
    """Base patients per pattern of passed rules: rows (PATTERN, mask, NULL, NULL, n).

    ``mask`` has bit i set when rule i passes and bit ``n_rules`` when the patient is in the
    target population; there are at most as many rows as distinct patterns (a few hundred in
    practice), and every total of ``totals_query`` follows from them exactly.
    """
    big = sa.BigInteger()

    def bit(col: sa.ColumnElement, i: int) -> sa.ColumnElement:
        # Inline constants, not parameters: SQLite wants the GROUP BY term to be the
        # selected expression, and two sets of placeholders are not "the same".
        return sa.cast(col, big) * sa.literal_column(str(1 << i), big)

    mask = bit(rules.c.in_population, n_rules)
    for i in range(n_rules):
        mask = mask + bit(rules.c[f"rule_{i}"], i)
    text = sa.String()
    return (sa.select(sa.literal_column(f"'{PATTERN}'", text).label("dim"),
                      sa.cast(mask, text).label("grp"),
                      sa.cast(sa.null(), text).label("parent"),
                      sa.cast(sa.null(), text).label("name"),
                      sa.func.count().label("n"))
            .select_from(rules).group_by(mask))


def one_query(rules: sa.Subquery | sa.CTE, n_rules: int) -> sa.CompoundSelect:
    """The breakdowns and the rule patterns in ONE statement, so ``rules`` is computed once.

    Measured (bench/, DuckDB, 1M patients): the totals and breakdown queries each paid for
    the whole per-patient query; one statement over the CTE (materialised by every engine
    when it is referenced more than once) costs about half as much.
    """
    # Flat: SQLite does not accept a parenthesised compound SELECT inside another.
    return sa.union_all(*breakdown_parts(rules), pattern_query(rules, n_rules))


def totals_from_patterns(patterns: list[tuple[int, int]], n_rules: int) -> dict[str, int]:
    """``totals_query``'s numbers from the (mask, count) rows of ``pattern_query``."""
    every = (1 << n_rules) - 1
    out = {"base": 0, "population": 0, "eligible": 0}
    out.update({f"remaining_{k}": 0 for k in range(n_rules)})
    out.update({f"impact_{k}": 0 for k in range(n_rules)})
    for mask, n in patterns:
        passed = mask & every
        out["base"] += n
        out["population"] += n if mask >> n_rules else 0
        out["eligible"] += n if passed == every else 0
        for k in range(n_rules):
            prefix = (1 << (k + 1)) - 1
            if passed & prefix == prefix:
                out[f"remaining_{k}"] += n
            if passed == every ^ (1 << k):
                out[f"impact_{k}"] += n
    return out


def feasibility_queries(criteria: Criteria, library: Mapping, index_date: dt.date
                        ) -> tuple[tuple[RuleInfo, ...], sa.Select, sa.Select]:
    """The compiled rules, the totals query and the breakdown query (both over one CTE)."""
    compiled = compile_criteria(criteria, library, index_date)
    rules = rules_cte(compiled)
    return (compiled.rules, totals_query(rules, len(compiled.rules)),
            breakdown_query(rules))


COUNTED = ("practice_id", "sex", "ethnicity", "imd_quintile", "age_band", "region", "nation",
           "in_population")
"""The ``patient_rules`` columns feasibility reads, besides ``rule_i`` and ``eligible``."""


def rules_cte(compiled: CompiledCriteria) -> sa.CTE:
    """``patient_rules`` narrowed to the columns feasibility counts, as the shared CTE.

    Why narrow: every engine materialises a CTE referenced more than once, with all its
    columns, so ``age`` (a binary search of CASEs) and the ``cond_i`` copies were computed for
    every base patient and never read. Through a subquery the planners drop unused columns.
    Measured (DuckDB, 1M, ``t2dm_sglt2i``): the age projection alone took ~0.3 s of 0.9 s.
    """
    full = compiled.patient_rules.subquery("patient_rules_all")
    names = (*COUNTED, *compiled.rule_columns, compiled.eligible_column)
    return sa.select(*(full.c[n] for n in names)).cte("patient_rules")


def run_feasibility(engine: sa.Engine, criteria: Criteria | str, library=None, *,
                    index_date: dt.date | None = None) -> FeasibilityResult:
    """Count ``criteria`` (a parsed file, or its text) on the store behind ``engine``.

    ``library`` defaults to the shipped codelist library; ``index_date`` to the file's own,
    else the store's extract date. One query runs; the result holds exact counts.
    """
    from criteria_grammar import check, parse

    if isinstance(criteria, str):
        criteria = parse(criteria)
    library = load_library() if library is None else library
    check(criteria, library)
    index_date = index_date or resolve_index_date(criteria, engine)
    compiled = compile_criteria(criteria, library, index_date)
    infos, n_rules = compiled.rules, len(compiled.rules)
    rules = rules_cte(compiled)
    with engine.connect() as conn:
        if n_rules <= MAX_PATTERN_RULES:
            rows = conn.execute(one_query(rules, n_rules)).all()
            totals = totals_from_patterns(
                [(int(g), int(n)) for dim, g, _p, _n, n in rows if dim == PATTERN], n_rules)
            rows = [r for r in rows if r[0] != PATTERN]
        else:
            totals = conn.execute(totals_query(rules, n_rules)).mappings().one()
            totals = {k: int(v or 0) for k, v in totals.items()}
            rows = conn.execute(breakdown_query(rules)).all()

    funnel, before = [], totals["base"]
    for k, info in enumerate(infos):
        remaining = totals[f"remaining_{k}"]
        funnel.append(FunnelStep(info.label, info.kind, remaining, before - remaining))
        before = remaining
    impact = tuple(RuleImpact(info.label, info.kind, totals[f"impact_{k}"])
                   for k, info in enumerate(infos))
    return FeasibilityResult(
        study=criteria.study,
        index_date=index_date,
        criteria_hash=criteria_hash(criteria.source),
        base=totals["base"],
        eligible=totals["eligible"],
        population=totals["population"],
        population_label=criteria.population.label if criteria.population else None,
        funnel=tuple(funnel),
        unique_impact=impact,
        breakdowns=_breakdowns(rows),
        screens=tuple(s.text for s in criteria.screens),
    )


def _breakdowns(rows) -> dict[str, tuple[Cell, ...]]:
    """Shape the GROUP BY rows: fixed vocabularies in order with zeros, practices by code."""
    found: dict[str, dict[str, Cell]] = {dim: {} for dim in DIMENSIONS}
    for dim, grp, parent, name, n in rows:
        grp = "unknown" if grp is None else str(grp)
        if dim == "region":
            parent = region_nation(grp)
        found[dim][grp] = Cell(grp, int(n or 0), parent, name)
    out: dict[str, tuple[Cell, ...]] = {}
    for dim, vocabulary in DIMENSIONS.items():
        cells = found[dim]
        parent = region_nation if dim == "region" else (lambda _g: None)
        listed = [cells.get(g, Cell(g, 0, parent(g))) for g in vocabulary]
        listed += [cells[g] for g in sorted(cells) if g not in vocabulary]
        out[dim] = tuple(listed)
    return out
