"""The feasibility statement: SQLAlchemy Core over the compiler's ``SplitRules``.

``one_query`` is a ``UNION ALL`` of ``GROUP BY`` queries: the breakdowns of the eligible
cohort, and the base patients per pattern of passed rules, from which the funnel and unique
impacts follow exactly (``totals_from_patterns``). The patterns are counted from the split
form (``dart.compiler.SplitRules``): every base patient's baseline flags (no records), plus,
for the patients with records, their true pattern minus their baseline one. Past
``MAX_PATTERN_RULES`` rules, ``totals_query`` and ``breakdown_query`` run separately over
``patient_rules``. ``statements`` says which run.

Every count has its cell key beside it (column ``k``, ``*_key`` in the totals): the sum of
its patients' record keys (``dart.analysis.disclosure.keys``), aggregated by the same
``GROUP BY`` and following the same +/- algebra as the counts; the cell key is that sum mod
``KEY_BASE``, taken in Python. Every part is also grouped by the patients' bucket (column
``b``, ``keys.bucket_sql``), so each count is known per bucket: the reader packs each row's
``k`` with its count and bucket (``keys.pack``) and adds the packed keys up as it adds the
counts (docs/disclosure.md, "Across answers").
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dart.analysis.disclosure.keys import RecordKeys, bucket_sql
from dart.compiler import (
    BIGINT,
    INTEGER,
    ONE,
    TEXT,
    ZERO,
    CompiledCriteria,
    SplitRules,
    age_band,
    balanced_sum,
    base_filter,
    flag,
)

Tables = tuple[sa.FromClause, sa.FromClause]
"""The source's patients and practices (``CompiledCriteria.patients``, ``.practices``)."""

PATTERN = "_pattern"
MAX_PATTERN_RULES = 60
"""Up to this many rules, one query counts everything (the pattern fits a BIGINT)."""


def _passes(col: sa.ColumnElement) -> sa.ColumnElement[bool]:
    # The compiler's flags are INTEGER 0/1, never NULL (PostgreSQL cannot SUM a boolean).
    # ONE is written into the SQL so a constant flag folds (see ``dart.compiler.query``).
    return col == ONE


def _all_pass(rel: sa.FromClause, n_rules: int, prefix: str = "") -> sa.ColumnElement[bool]:
    return sa.and_(sa.true(), *(_passes(rel.c[f"{prefix}rule_{i}"]) for i in range(n_rules)))


def _row(dim: str, grp, parent, name, n, k, b) -> list[sa.ColumnElement]:
    """The seven columns every part of the statement returns: dim, grp, parent, name, n, k,
    b (``k``: the sum of the counted patients' record keys; ``b``: their bucket)."""
    none = sa.cast(sa.null(), TEXT)
    return [sa.literal_column(f"'{dim}'", TEXT).label("dim"),
            none.label("grp") if grp is None else sa.cast(grp, TEXT).label("grp"),
            none.label("parent") if parent is None else sa.cast(parent, TEXT).label("parent"),
            none.label("name") if name is None else name.label("name"), n.label("n"),
            # One type in every part (PostgreSQL sums BIGINT to NUMERIC, DuckDB to HUGEINT).
            sa.cast(k, BIGINT).label("k"),
            sa.cast(sa.null(), INTEGER).label("b") if b is None else sa.cast(b, INTEGER).label("b")]


# --- the breakdowns of the eligible cohort ------------------------------------------------

def breakdown_parts(eligible_ids: sa.FromClause, base_practices: sa.FromClause,
                    index_date: dt.date, tables: Tables,
                    keys: RecordKeys) -> list[sa.Select]:
    """Eligible counts per group and bucket of every dimension, as rows (dim, grp, parent,
    name, n, k, b), and the opt-outs (``opt_out_part``).

    ``eligible_ids`` (patient_id, practice_id) are the eligible patients, a few thousand
    rows; their groups are looked up here from ``patient`` and ``practice``, so nothing per
    base patient carries a group. ``run`` lists the fixed vocabularies with zeros;
    ``practice_part`` lists every practice of ``base_practices`` (a value outside a
    vocabulary is listed only when it has eligible patients).
    """
    p, pr = tables
    dims = ("region", "nation", "age_band", "sex", "ethnicity", "imd_quintile")
    # The eligible rows once, not once per breakdown.
    eligible = (sa.select(eligible_ids.c.practice_id, pr.c.region, pr.c.nation,
                          age_band(p.c.date_of_birth, index_date).label("age_band"),
                          p.c.sex, p.c.ethnicity, p.c.imd_quintile,
                          keys.sql(eligible_ids.c.patient_id).label("k"))
                .select_from(eligible_ids
                             .join(p, p.c.patient_id == eligible_ids.c.patient_id)
                             .outerjoin(pr, pr.c.practice_id == eligible_ids.c.practice_id))
                .cte("eligible_rows"))

    def part(dim: str) -> sa.Select:
        grp = sa.cast(eligible.c[dim], TEXT)
        bucket = bucket_sql(eligible.c.k)
        return (sa.select(*_row(dim, grp, None, None, sa.func.count(),
                                sa.func.sum(eligible.c.k), bucket))
                .select_from(eligible).group_by(grp, bucket))

    return [practice_part(base_practices, eligible, pr), *(part(dim) for dim in dims),
            opt_out_part(index_date, p, keys)]


OPT_OUTS = "_opt_outs"


def opt_out_part(index_date: dt.date, patients: sa.FromClause, keys: RecordKeys) -> sa.Select:
    """One row (OPT_OUTS, n, k): patients registered and alive on the index date who opted
    out of research, so left out of the base (every answer says what opt-outs cost)."""
    p = patients
    bucket = bucket_sql(keys.sql(p.c.patient_id))
    return (sa.select(*_row(OPT_OUTS, None, None, None, sa.func.count(),
                            sa.func.coalesce(sa.func.sum(keys.sql(p.c.patient_id)), 0),
                            bucket))
            .where(base_filter(p, index_date, opted_out=True)).group_by(bucket))


def practice_part(base_practices: sa.FromClause, eligible_rows: sa.CTE,
                  practice_table: sa.FromClause) -> sa.Select:
    """Eligible per practice, every practice of the base listed (a practice without an
    eligible patient with 0): the eligible rows grouped by practice, outer-joined to the
    base's distinct practices, joined to ``practice`` (ods_code is unique).

    Why not one ``GROUP BY`` of every base row joined to ``practice``: the join and the
    conditional count over ~920k rows cost more than a ``DISTINCT`` of one integer column
    (see docs/performance.md).
    """
    base = sa.select(base_practices.c.practice_id).distinct().subquery("base_practices")
    bucket = bucket_sql(eligible_rows.c.k)
    eligible = (sa.select(eligible_rows.c.practice_id, bucket.label("b"),
                          sa.func.count().label("n"), sa.func.sum(eligible_rows.c.k).label("k"))
                .group_by(eligible_rows.c.practice_id, bucket).subquery("eligible_practices"))
    p = practice_table
    return (sa.select(*_row("practice", p.c.ods_code, p.c.region, p.c.name,
                            sa.func.coalesce(eligible.c.n, 0),
                            sa.func.coalesce(eligible.c.k, 0), eligible.c.b))
            .select_from(p.join(base, base.c.practice_id == p.c.practice_id)
                         .outerjoin(eligible, eligible.c.practice_id == p.c.practice_id)))


# --- the patterns of passed rules ----------------------------------------------------------

def flag_names(n_rules: int) -> list[str]:
    """The flag columns of the split rules: ``in_population``, ``rule_0``..."""
    return ["in_population", *(f"rule_{i}" for i in range(n_rules))]


def _mask(flags: dict[str, sa.ColumnElement], n_rules: int) -> sa.ColumnElement:
    """Bit i set when rule i passes, bit ``n_rules`` when in the target population."""
    def bit(name: str, i: int) -> sa.ColumnElement:
        return sa.cast(flags[name], BIGINT) * sa.literal_column(str(1 << i), BIGINT)

    mask = bit("in_population", n_rules)
    for i in range(n_rules):
        mask = mask + bit(f"rule_{i}", i)
    return mask


def pattern_query(rel: sa.FromClause, n_rules: int, constant: dict[str, int], keys: RecordKeys,
                  *, minus: str | None = None, weight: str | None = None) -> sa.Select:
    """Patients of ``rel`` per pattern of passed rules: rows (PATTERN, mask, minus, NULL, n, k).

    ``mask`` has bit i set when rule i passes and bit ``n_rules`` when the patient is in the
    target population. With ``minus`` (a column prefix of ``rel``), the rows are grouped by
    both patterns and ``parent`` holds the ``minus`` one: the caller adds ``n`` to ``mask``
    and takes it from ``parent``. ``constant`` flags (of the ``minus`` pattern, or of the
    only one without ``minus``) are not grouped by. The rows are grouped by the 0/1 flag
    columns themselves and the masks computed from the few hundred groups: measured (DuckDB,
    1M, ``t2dm_sglt2i``), computing a mask for every base patient took ~0.07 s. With
    ``weight``, each row of ``rel`` counts for that column's value (rows already grouped)
    and its key sum is the column ``k`` (its bucket ``b``); else ``k`` sums the rows'
    record keys. Every row is of one bucket (column ``b``).
    """
    names = flag_names(n_rules)
    fixed = {} if minus else constant
    groups = [rel.c[n] for n in names if n not in fixed]
    if minus:
        groups += [rel.c[minus + n] for n in names if n not in constant]
    count = sa.func.sum(rel.c[weight]) if weight else sa.func.count()
    key = sa.func.sum(rel.c.k if weight else keys.sql(rel.c.patient_id))
    bucket = rel.c.b if weight else bucket_sql(keys.sql(rel.c.patient_id))
    grouped = (sa.select(*groups, bucket.label("b"), count.label("n"), key.label("k"))
               .group_by(*groups, bucket).subquery("rule_patterns"))

    def pattern(prefix: str, known: dict[str, int]) -> dict[str, sa.ColumnElement]:
        return {n: sa.literal_column(str(known[n]), INTEGER) if n in known
                else grouped.c[prefix + n] for n in names}

    parent = _mask(pattern(minus, constant), n_rules) if minus else None
    return sa.select(*_row(PATTERN, _mask(pattern("", fixed), n_rules), parent, None,
                           grouped.c.n, grouped.c.k, grouped.c.b))


def one_query(split: SplitRules, n_rules: int, index_date: dt.date,
              tables: Tables, keys: RecordKeys) -> sa.CompoundSelect:
    """The breakdowns and the rule patterns in ONE statement over the split rules.

    ``recorded`` is a CTE (read by the patterns, the eligible rows and the baseline's
    ``NOT EXISTS``); ``baseline`` is inlined where used, so each use computes only the
    columns it reads. Baseline flags known to be constant are not grouped by, and when one
    of them fails a rule (e.g. ``include has X``) no patient without records is eligible,
    so the eligible come from ``recorded`` alone.
    """
    # The baseline per practice and pattern: a few thousand rows that give both the
    # practices of the base and the baseline patterns, from one scan of the patients.
    baseline = split.baseline.subquery("baseline")
    varying = [baseline.c[n] for n in flag_names(n_rules) if n not in split.constant]
    bucket = bucket_sql(keys.sql(baseline.c.patient_id))
    groups = (sa.select(baseline.c.practice_id, *varying, bucket.label("b"),
                        sa.func.count().label("n"),
                        sa.func.sum(keys.sql(baseline.c.patient_id)).label("k"))
              .group_by(baseline.c.practice_id, *varying, bucket).cte("baseline_groups"))
    patterns = [pattern_query(groups, n_rules, split.constant, keys, weight="n")]
    plain = split.baseline.subquery("baseline_eligible")
    ids = sa.select(plain.c.patient_id, plain.c.practice_id)
    parts = []  # the eligible: with records, then without
    recorded = None
    if split.recorded is not None:
        recorded = split.recorded.cte("recorded")
        parts.append(sa.select(recorded.c.patient_id, recorded.c.practice_id)
                     .where(_all_pass(recorded, n_rules)))
        patterns.append(pattern_query(recorded, n_rules, split.constant, keys, minus="base_"))
    rule_names = flag_names(n_rules)[1:]
    if not any(split.constant.get(n) == 0 for n in rule_names):
        without = ids.where(sa.true(), *(_passes(plain.c[n]) for n in rule_names
                                         if n not in split.constant))
        if recorded is not None:
            without = without.where(
                ~sa.exists().where(recorded.c.patient_id == plain.c.patient_id))
        parts.append(without)
    if not parts:  # nobody can be eligible (no records read, a rule no one passes)
        parts.append(ids.where(sa.false()))
    eligible_ids = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).cte("eligible_ids")
    # Flat: SQLite does not accept a parenthesised compound SELECT inside another.
    return sa.union_all(*breakdown_parts(eligible_ids, groups, index_date, tables, keys),
                        *patterns)


def totals_from_patterns(patterns: list[tuple[int, int | None, int, int]],
                         n_rules: int) -> dict[str, int]:
    """``totals_query``'s numbers from ``pattern_query``'s (mask, minus, n, k) rows (``k``
    packed): each count under its name and its key under ``{name}_key`` (the same +/-
    algebra)."""
    counts: dict[int, list[int]] = {}
    for mask, minus, n, k in patterns:
        at = counts.setdefault(mask, [0, 0])
        at[0], at[1] = at[0] + n, at[1] + k
        if minus is not None:
            at = counts.setdefault(minus, [0, 0])
            at[0], at[1] = at[0] - n, at[1] - k
    every = (1 << n_rules) - 1
    names = ["base", "population", "eligible", *(f"remaining_{k}" for k in range(n_rules)),
             *(f"impact_{k}" for k in range(n_rules))]
    out = {f"{name}{suffix}": 0 for name in names for suffix in ("", "_key")}

    def add(name: str, n: int, k: int) -> None:
        out[name] += n
        out[f"{name}_key"] += k

    for mask, (n, k) in counts.items():
        passed = mask & every
        add("base", n, k)
        if mask >> n_rules:
            add("population", n, k)
        if passed == every:
            add("eligible", n, k)
        for i in range(n_rules):
            prefix = (1 << (i + 1)) - 1
            if passed & prefix == prefix:
                add(f"remaining_{i}", n, k)
            if passed == every ^ (1 << i):
                add(f"impact_{i}", n, k)
    return out


# --- past MAX_PATTERN_RULES rules: two statements over patient_rules -----------------------

def failure_columns(rules: sa.Subquery | sa.CTE,
                    n_rules: int) -> tuple[sa.Label[int], sa.Label[int]]:
    """A patient's first rule failed (``n_rules`` when none) and whether it is the only
    one (0/1): the funnel's step is ``first_failed > k``, rule k's unique impact
    ``only and first_failed = k``."""
    failed = [rules.c[f"rule_{i}"] == ZERO for i in range(n_rules)]
    first = sa.case(*((f, sa.literal_column(str(i), INTEGER)) for i, f in enumerate(failed)),
                    else_=sa.literal_column(str(n_rules), INTEGER)).label("first_failed")
    failures = balanced_sum([ONE - rules.c[f"rule_{i}"] for i in range(n_rules)])
    return first, flag(failures == ONE).label("only")


def totals_query(rules: sa.Subquery | sa.CTE, n_rules: int, keys: RecordKeys) -> sa.Select:
    """Base patients per (first rule failed, whether it is the only one, in population,
    bucket): rows (first_failed, only, in_population, n, k, b), from which
    ``totals_from_failures`` gives the funnel and unique impacts (and their keys, packed).

    Why not one conditional count per funnel step and per impact: each of those tests up to
    every rule, so the statement grew with the square of the rules (300 rules: 79 s and
    692 MB on DuckDB). Here each rule appears twice (one ``WHEN``, one term of a sum).
    """
    first, only = failure_columns(rules, n_rules)
    key = sa.cast(sa.func.sum(keys.sql(rules.c.patient_id)), BIGINT).label("k")
    bucket = bucket_sql(keys.sql(rules.c.patient_id))
    return (sa.select(first, only, rules.c.in_population, sa.func.count().label("n"), key,
                      bucket.label("b"))
            .group_by(first, only, rules.c.in_population, bucket))


def totals_from_failures(rows: list[tuple[int, int, int, int, int]],
                         n_rules: int) -> dict[str, int]:
    """``totals_query``'s (first_failed, only, in_population, n, k) rows (``k`` packed with
    the row's bucket by the caller) as the totals:
    remaining after rule k are those failing no rule up to k; rule k's unique impact is
    those failing rule k alone. Each count's key sum is under ``{name}_key`` (the same
    sums and differences)."""
    names = ["base", "population", "eligible", *(f"remaining_{k}" for k in range(n_rules)),
             *(f"impact_{k}" for k in range(n_rules))]
    out = {f"{name}{suffix}": 0 for name in names for suffix in ("", "_key")}

    def add(name: str, n: int, k: int) -> None:
        out[name] += n
        out[f"{name}_key"] += k

    first_failed = [[0, 0] for _ in range(n_rules + 1)]
    for first, only, in_population, n, k in rows:
        n, k = int(n), int(k or 0)
        add("base", n, k)
        if in_population:
            add("population", n, k)
        first_failed[first][0] += n
        first_failed[first][1] += k
        if only:
            add(f"impact_{first}", n, k)
    add("eligible", *first_failed[n_rules])
    remaining, remaining_key = out["base"], out["base_key"]
    for k in range(n_rules):
        remaining -= first_failed[k][0]
        remaining_key -= first_failed[k][1]
        add(f"remaining_{k}", remaining, remaining_key)
    return out


def breakdown_query(rules: sa.Subquery | sa.CTE, index_date: dt.date,
                    tables: Tables, keys: RecordKeys) -> sa.CompoundSelect:
    """The breakdowns of ``rules`` (a ``rules_cte``), as rows (dim, grp, parent, name, n, k,
    b)."""
    eligible_ids = (sa.select(rules.c.patient_id, rules.c.practice_id)
                    .where(_passes(rules.c.eligible)).cte("eligible_ids"))
    return sa.union_all(*breakdown_parts(eligible_ids, rules, index_date, tables, keys))


def rules_cte(compiled: CompiledCriteria) -> sa.CTE:
    """``patient_rules`` narrowed to the integer columns feasibility counts, as a CTE.

    Why narrow: every engine materialises a CTE referenced more than once, with all its
    columns; through a subquery the planners drop the ones not read.
    """
    full = compiled.patient_rules.subquery("patient_rules_all")
    names = ("patient_id", "practice_id", "in_population", *compiled.rule_columns,
             compiled.eligible_column)
    return sa.select(*(full.c[n] for n in names)).cte("patient_rules")


def statements(compiled: CompiledCriteria, keys: RecordKeys) -> list[sa.Executable]:
    """What ``run_feasibility`` executes, in order: ``one_query``, or past
    ``MAX_PATTERN_RULES`` rules ``totals_query`` then ``breakdown_query``."""
    n_rules = len(compiled.rules)
    tables = (compiled.patients, compiled.practices)  # the source's, as the rules read them
    if n_rules <= MAX_PATTERN_RULES:
        return [one_query(compiled.split, n_rules, compiled.index_date, tables, keys)]
    rules = rules_cte(compiled)
    return [totals_query(rules, n_rules, keys),
            breakdown_query(rules, compiled.index_date, tables, keys)]
