"""Fair invitations: which ``n`` of a practice's listed patients to invite so that the
invited group matches the study's target population as closely as the list allows.

Strata are the joint cells age band x sex x ethnic group x IMD quintile (unknown IMD is a
cell of its own). The objective is the total variation distance between the invited group's
cell shares and the target population's::

    TV(x) = 1/2 * sum over cells c of | x_c / n - t_c |

where ``x_c`` is how many are invited from cell c (at most the list's ``m_c``) and ``t_c``
the cell's share of the target population (the criteria's ``population``, else everyone in
the base, at the index date, across all practices). Each term is convex in ``x_c`` and the
only coupling is ``sum x_c = n``, so adding one invitation at a time to the cell whose term
falls most is exact (greedy on a separable convex objective under one sum constraint;
Federgruen & Groenevelt, Operations Research 34(6), 1986). Within a cell, patients are drawn
at random from a fixed seed.

The proposal reports its TV beside the mean TV of random choices of ``n`` from the same
list (the representativeness a random selection can expect), and the chosen group's shares
per dimension; never the target population's shares (aggregates over every practice).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from dart.compiler import prepare
from dart.recruitment.studies import Study

DIMENSIONS = ("age_band", "sex", "ethnicity", "imd_quintile")
RANDOM_DRAWS = 500
SEED = 20260101

Cell = tuple


def allocate(pool: Mapping[Cell, int], target: Mapping[Cell, float], n: int) -> dict[Cell, int]:
    """How many to take from each cell: the exact minimiser of ``tv`` (see the module)."""
    if not 0 <= n <= sum(pool.values()):
        raise ValueError(f"cannot choose {n} of {sum(pool.values())} listed patients")
    take = dict.fromkeys(pool, 0)
    for _ in range(n):
        def gain(c: Cell) -> tuple:
            want = n * target.get(c, 0.0)
            return (abs(take[c] + 1 - want) - abs(take[c] - want), take[c] - want, str(c))

        best = min((c for c in pool if take[c] < pool[c]), key=gain)
        take[best] += 1
    return take


def tv(counts: Mapping[Cell, int], target: Mapping[Cell, float]) -> float:
    """Total variation distance between ``counts``' shares and ``target``."""
    n = sum(counts.values())
    cells = set(counts) | set(target)
    return 0.5 * sum(abs((counts.get(c, 0) / n if n else 0.0) - target.get(c, 0.0))
                     for c in cells)


def marginal(counts: Mapping[Cell, float], dim: int) -> dict[str, float]:
    """One dimension's shares from joint cell counts (or shares)."""
    out: dict[str, float] = defaultdict(float)
    for cell, v in counts.items():
        out[str(cell[dim])] += v
    total = sum(out.values())
    return {k: v / total for k, v in sorted(out.items())} if total else {}


def _summary(counts: Mapping[Cell, int], target: Mapping[Cell, float]) -> dict:
    return {"tv": round(tv(counts, target), 4),
            "marginal_tv": {d: round(tv(marginal(counts, i), marginal(target, i)), 4)
                            for i, d in enumerate(DIMENSIONS)},
            "shares": {d: {k: round(v, 4) for k, v in marginal(counts, i).items()}
                       for i, d in enumerate(DIMENSIONS)}}


def random_expectation(cells: list[Cell], target: Mapping[Cell, float], n: int,
                       draws: int = RANDOM_DRAWS, seed: int = SEED) -> dict:
    """The mean TV (joint and per dimension) of random choices of ``n`` of ``cells``."""
    rng = np.random.default_rng(seed)
    joint, per_dim = [], defaultdict(list)
    for _ in range(draws if n else 0):
        picked = Counter(cells[i] for i in rng.choice(len(cells), size=n, replace=False))
        joint.append(tv(picked, target))
        for i, d in enumerate(DIMENSIONS):
            per_dim[d].append(tv(marginal(picked, i), marginal(target, i)))
    return {"tv": round(float(np.mean(joint)), 4) if joint else None,
            "marginal_tv": {d: round(float(np.mean(v)), 4) for d, v in per_dim.items()},
            "draws": draws}


@dataclass(frozen=True)
class Proposal:
    study_id: int
    practice_id: int
    n: int
    pool: int
    chosen: tuple[int, ...]
    fair: dict
    random: dict

    def to_json(self) -> dict:
        """For the practice: its own patients chosen, their shares, and distances only (the
        target population's shares are aggregates over every practice, which a practice
        user never receives)."""
        return {"study_id": self.study_id, "practice_id": self.practice_id, "n": self.n,
                "listed": self.pool, "patient_ids": list(self.chosen),
                "objective": "total variation distance over age band x sex x ethnicity x "
                             "IMD quintile cells, target population vs invited",
                "proposed": self.fair, "random_expected": self.random}


def _cell(row) -> Cell:
    imd = row.imd_quintile if row.imd_quintile is not None else "unknown"
    return (row.age_band, row.sex, row.ethnicity, imd)


def propose(engine: sa.Engine, study: Study, listed, n: int,
            library: Mapping | None = None, *, app: sa.Engine | None = None) -> Proposal:
    """``n`` of the invite list ``listed``'s patients, chosen as the module describes
    (``app``: the application database, whose invitations the criteria may read)."""
    from dart.recruitment.concurrent import study_criteria

    ids = {r.patient_id for r in listed.rows}
    criteria, source = study_criteria(study, app or engine)
    with engine.connect() as conn:
        ready = prepare(conn, criteria, library, source=source)
        rules = ready.compiled.patient_rules.subquery()
        cols = [rules.c[d] for d in DIMENSIONS]
        target_counts = {tuple(r[:-1]): r[-1] for r in conn.execute(
            sa.select(*cols, sa.func.count()).where(rules.c.in_population == 1)
            .group_by(*cols))}
        people = conn.execute(sa.select(rules.c.patient_id, *cols).where(
            rules.c.practice_id == sa.bindparam("practice", listed.practice_id)))
        by_cell: dict[Cell, list[int]] = defaultdict(list)
        for row in people:
            if row.patient_id in ids:
                by_cell[_cell(row)].append(row.patient_id)
    total = sum(target_counts.values())
    target = {(a, s, e, i if i is not None else "unknown"): c / total
              for (a, s, e, i), c in target_counts.items()} if total else {}
    take = allocate({c: len(v) for c, v in by_cell.items()}, target, n)
    rng = random.Random(SEED)
    chosen = sorted(i for c, k in take.items() for i in rng.sample(sorted(by_cell[c]), k))
    cells = [c for c, v in sorted(by_cell.items()) for _ in v]
    return Proposal(study.study_id, listed.practice_id, n, len(cells), tuple(chosen),
                    _summary({c: k for c, k in take.items() if k}, target),
                    random_expectation(cells, target, n))
