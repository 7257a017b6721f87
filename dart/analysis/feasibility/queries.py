"""The feasibility statement: SQLAlchemy Core over the compiler's ``patient_rules``.

``one_query`` is a ``UNION ALL`` of ``GROUP BY`` queries for the breakdowns of the eligible
cohort and one counting base patients per pattern of passed rules, from which the funnel and
unique impacts follow exactly (``totals_from_patterns``). Past ``MAX_PATTERN_RULES`` rules,
``totals_query`` and ``breakdown_query`` run separately.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa

from criteria_grammar.nodes import Criteria
from dart.compiler import CompiledCriteria, RuleInfo, compile_criteria
from dart.compiler.query import age_band
from dart.store.schema import patient as patient_table
from dart.store.schema import practice as practice_table


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


def breakdown_query(rules: sa.Subquery | sa.CTE, index_date: dt.date) -> sa.CompoundSelect:
    """Eligible counts per group of every dimension, as rows (dim, grp, parent, name, n)."""
    return sa.union_all(*breakdown_parts(rules, index_date))


def breakdown_parts(rules: sa.Subquery | sa.CTE, index_date: dt.date) -> list[sa.Select]:
    """The ``GROUP BY`` queries of ``breakdown_query``, one per dimension.

    Every breakdown groups the eligible rows only; ``_breakdowns`` lists the fixed
    vocabularies with zeros, and ``practice_part`` lists every practice of the base. Why:
    measured (DuckDB, 1M, ``t2dm_sglt2i``), the seven breakdowns over all ~920k rows were
    0.17 s of a 0.45 s statement; the eligible are a few thousand rows. (A value outside a
    vocabulary is listed only when it has eligible patients.)
    """
    text = sa.String()
    none = sa.cast(sa.null(), text)
    dims = ("region", "nation", "age_band", "sex", "ethnicity", "imd_quintile")
    # The eligible rows once, not once per breakdown: each filter re-read all the base rows.
    # Their groups are looked up here, for the eligible only (see ``rules_cte``).
    p, pr = patient_table, practice_table
    eligible = (sa.select(rules.c.practice_id, pr.c.region, pr.c.nation,
                          age_band(p.c.date_of_birth, index_date).label("age_band"),
                          p.c.sex, p.c.ethnicity, p.c.imd_quintile)
                .select_from(rules.join(p, p.c.patient_id == rules.c.patient_id)
                             .outerjoin(pr, pr.c.practice_id == rules.c.practice_id))
                .where(_passes(rules.c.eligible)).cte("eligible_rows"))

    def part(dim: str) -> sa.Select:
        grp = sa.cast(eligible.c[dim], text)
        return (sa.select(sa.literal_column(f"'{dim}'", text).label("dim"), grp.label("grp"),
                          none.label("parent"), none.label("name"),
                          sa.func.count().label("n"))
                .select_from(eligible).group_by(grp))

    return [practice_part(rules, eligible), *(part(dim) for dim in dims)]


def practice_part(rules: sa.Subquery | sa.CTE, eligible_rows: sa.CTE) -> sa.Select:
    """Eligible per practice, every practice of the base listed (a practice without an
    eligible patient with 0): the eligible rows grouped by practice, outer-joined to the
    base's distinct practices, joined to ``practice`` (ods_code is unique).

    Why not one ``GROUP BY`` of every base row joined to ``practice``: the join and the
    conditional count over ~920k rows cost more than a ``DISTINCT`` of one integer column
    (see docs/performance.md).
    """
    text = sa.String()
    base = sa.select(rules.c.practice_id).distinct().subquery("base_practices")
    eligible = (sa.select(eligible_rows.c.practice_id, sa.func.count().label("n"))
                .group_by(eligible_rows.c.practice_id).subquery("eligible_practices"))
    p = practice_table
    return (sa.select(sa.literal_column("'practice'", text).label("dim"),
                      sa.cast(p.c.ods_code, text).label("grp"), p.c.region.label("parent"),
                      p.c.name.label("name"), sa.func.coalesce(eligible.c.n, 0).label("n"))
            .select_from(p.join(base, base.c.practice_id == p.c.practice_id)
                         .outerjoin(eligible, eligible.c.practice_id == p.c.practice_id)))


PATTERN = "_pattern"
MAX_PATTERN_RULES = 60
"""Up to this many rules, one query counts everything (the pattern fits a BIGINT)."""


def pattern_query(rules: sa.Subquery | sa.CTE, n_rules: int) -> sa.Select:
    """Base patients per pattern of passed rules: rows (PATTERN, mask, NULL, NULL, n).

    ``mask`` has bit i set when rule i passes and bit ``n_rules`` when the patient is in the
    target population; there are at most as many rows as distinct patterns (a few hundred in
    practice), and every total of ``totals_query`` follows from them exactly.

    The rows are grouped by the 0/1 flag columns themselves and the mask is computed from the
    few hundred groups: measured (DuckDB, 1M, ``t2dm_sglt2i``), computing the mask for every
    base patient before grouping took ~0.07 s of operator time.
    """
    big = sa.BigInteger()
    flags = [rules.c.in_population, *(rules.c[f"rule_{i}"] for i in range(n_rules))]
    grouped = (sa.select(*flags, sa.func.count().label("n")).group_by(*flags)
               .subquery("rule_patterns"))

    def bit(col: sa.ColumnElement, i: int) -> sa.ColumnElement:
        return sa.cast(col, big) * sa.literal_column(str(1 << i), big)

    mask = bit(grouped.c.in_population, n_rules)
    for i in range(n_rules):
        mask = mask + bit(grouped.c[f"rule_{i}"], i)
    text = sa.String()
    return sa.select(sa.literal_column(f"'{PATTERN}'", text).label("dim"),
                     sa.cast(mask, text).label("grp"),
                     sa.cast(sa.null(), text).label("parent"),
                     sa.cast(sa.null(), text).label("name"),
                     grouped.c.n)


def one_query(rules: sa.Subquery | sa.CTE, n_rules: int, index_date: dt.date
              ) -> sa.CompoundSelect:
    """The breakdowns and the rule patterns in ONE statement, so ``rules`` is computed once.

    Measured (bench/, DuckDB, 1M patients): the totals and breakdown queries each paid for
    the whole per-patient query; one statement over the CTE (materialised by every engine
    when it is referenced more than once) costs about half as much.
    """
    # Flat: SQLite does not accept a parenthesised compound SELECT inside another.
    return sa.union_all(*breakdown_parts(rules, index_date), pattern_query(rules, n_rules))


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
            breakdown_query(rules, index_date))


COUNTED = ("patient_id", "practice_id", "in_population")
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
