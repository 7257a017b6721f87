"""The exact counts behind a representativeness result, from ONE aggregate query.

Over the compiler's ``patient_rules`` (one row per base patient, 0/1 flags), a first level
adds each patient's number of failed rules; the outer level groups by every dimension at
once and sums, per combination of sex, age band, ethnic group, IMD quintile, nation and
region: the base (within the trial's age range), the target population, the cohort and,
for each rule i, the patients who pass every rule but i (``eligible = 1`` or exactly one
failed rule, rule i), and beside each count the sum of its patients' record keys
(``{population}_key``, the cell keys of the disclosure engine). The same statement then
adds the combinations up per dimension (``rollup_query``): the rows returned are the
groups of each dimension, never one per patient. Each combination is also split by the patients'
bucket (``keys.bucket_sql``) and each population's key is packed with its count per bucket
(``keys.pack``), as feasibility's are.

For a recruitment stage, ``members`` (a SELECT of the stage's distinct patient ids) is
joined on: the cohort is the base patients among them and ``eligible`` who meets the
criteria, and no rule is removed.
"""

from __future__ import annotations

import sqlalchemy as sa

from dart.analysis.disclosure.keys import RecordKeys, bucket_sql, pack
from dart.analysis.representativeness.build import Counts, GroupCounts, populations
from dart.analysis.representativeness.groups import AgeRange, group_key
from dart.compiler import BIGINT, TEXT, CompiledCriteria, age_within
from dart_vocab import DIMENSIONS

DIMENSION_COLUMNS = tuple(d.key for d in DIMENSIONS)


def _one(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.case((cond, 1), else_=0)


def counts_query(compiled: CompiledCriteria, age_range: AgeRange | None,
                 keys: RecordKeys, members: sa.Select | None = None) -> sa.Select:
    """The aggregate query: one row per combination of the dimensions (``members``: a
    recruitment stage's patient ids, the cohort instead of the eligible)."""
    pr = compiled.patient_rules.subquery("pr")
    staged = members is not None
    joined: sa.FromClause = pr
    if staged:
        stage = members.subquery("stage")
        joined = pr.outerjoin(stage, stage.c.patient_id == pr.c.patient_id)
        in_stage = _one(stage.c.patient_id.is_not(None))
    rules = [pr.c[name] for name in compiled.rule_columns]
    # Ages as the criteria language compares them: date of birth against birth cut-offs.
    in_range = age_within(pr.c.date_of_birth, age_range.low, age_range.high,
                          compiled.index_date) if age_range else None
    in_age = _one(in_range) if in_range is not None else sa.literal(1, sa.Integer)
    failed = sum(((1 - r) for r in rules), sa.literal(0, sa.Integer))
    inner = sa.select(
        *(pr.c[k] for k in DIMENSION_COLUMNS),
        in_age.label("in_age"),
        pr.c.in_population, pr.c.eligible,
        *(() if staged else (pr.c[r.name] for r in rules)),
        *((in_stage.label("in_stage"),) if staged else (failed.label("failed"),)),
        keys.sql(pr.c.patient_id).label("record_key"),
    ).select_from(joined).subquery("counted")
    counted = {"base": inner.c.in_age == 1, "target": inner.c.in_population == 1,
               "cohort": inner.c.eligible == 1}
    if staged:
        counted |= {"cohort": inner.c.in_stage == 1, "eligible": inner.c.eligible == 1}
    for i in range(0 if staged else len(rules)):
        counted[f"without_{i}"] = sa.or_(
            inner.c.eligible == 1, sa.and_(inner.c.failed == 1, inner.c[f"rule_{i}"] == 0))
    dims = [inner.c[k] for k in DIMENSION_COLUMNS]
    bucket = bucket_sql(inner.c.record_key)
    return sa.select(
        *dims, bucket.label("bucket"),
        *(sa.func.sum(_one(c)).label(pop) for pop, c in counted.items()),
        *(sa.cast(sa.func.sum(sa.case((c, inner.c.record_key), else_=0)), BIGINT)
          .label(f"{pop}_key") for pop, c in counted.items()),
    ).group_by(*dims, bucket)


def rollup_query(combos: sa.Select, value_cols: list[str]) -> sa.CompoundSelect:
    """``counts_query``'s combinations added up per dimension and bucket, in the database:
    rows (dim, value, bucket, *value_cols), a few hundred, where the combinations are one
    per patient group and bucket (hundreds of thousands at a million patients)."""
    cte = combos.cte("combinations")
    return sa.union_all(*(
        sa.select(sa.literal_column(f"'{dim}'", TEXT).label("dim"),
                  sa.cast(cte.c[dim], TEXT).label("value"), cte.c.bucket,
                  *(sa.cast(sa.func.sum(cte.c[col]), BIGINT).label(col) for col in value_cols))
        .group_by(cte.c[dim], cte.c.bucket)
        for dim in DIMENSION_COLUMNS))


def count_groups(engine: sa.Engine, compiled: CompiledCriteria,
                 age_range: AgeRange | None, keys: RecordKeys,
                 members: sa.Select | None = None) -> Counts:
    """Exact counts and packed keys per dimension and group (see ``build.GroupCounts``)."""
    staged = members is not None
    n = 0 if staged else len(compiled.rules)
    pops = populations(n, staged)
    value_cols = [*pops, *(f"{pop}_key" for pop in pops)]
    with engine.connect() as conn:
        rows = conn.execute(rollup_query(counts_query(compiled, age_range, keys, members),
                                         value_cols)).all()
    totals: dict[str, dict[str, dict[str, int]]] = {k: {} for k in DIMENSION_COLUMNS}
    for dim, value, bucket, *sums in rows:
        at = totals[dim].setdefault(group_key(dim, value), dict.fromkeys(value_cols, 0))
        got = dict(zip(value_cols, (int(v or 0) for v in sums), strict=True))
        for pop in pops:
            at[pop] += got[pop]
            at[f"{pop}_key"] += pack(got[f"{pop}_key"], got[pop], bucket)
    return {dim: {g: GroupCounts(r["base"], r["target"], r["cohort"],
                                 tuple(r[f"without_{i}"] for i in range(n)),
                                 {pop: r[f"{pop}_key"] for pop in pops},
                                 r["eligible"] if staged else 0)
                  for g, r in groups.items()}
            for dim, groups in totals.items()}
