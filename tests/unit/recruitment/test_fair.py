"""Fair invitations: the allocation is the exact optimum (against brute force on tiny
pools) and beats random choices on representativeness."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from dart.recruitment.fair import allocate, marginal, random_expectation, tv

CELLS = [("40-44", "F", "white", 3), ("40-44", "M", "asian", 1), ("60-64", "F", "black", 1),
         ("60-64", "M", "white", "unknown"), ("70-74", "F", "white", 5)]


def brute_force(pool: list, target: dict, n: int) -> float:
    return min(tv(Counter(pick), target) for pick in itertools.combinations(pool, n))


@pytest.mark.parametrize("seed", range(12))
def test_the_allocation_is_optimal_on_tiny_pools(seed):
    rng = random.Random(seed)
    pool = [rng.choice(CELLS) for _ in range(rng.randint(4, 9))]
    weights = [rng.random() for _ in CELLS]
    target = {c: w / sum(weights) for c, w in zip(CELLS, weights, strict=True)}
    for n in range(1, len(pool) + 1):
        take = allocate(Counter(pool), target, n)
        assert sum(take.values()) == n
        assert all(take[c] <= Counter(pool)[c] for c in take)
        assert tv(take, target) == pytest.approx(brute_force(pool, target, n), abs=1e-12)


def test_it_beats_random_choices_where_the_pool_is_skewed():
    pool = [CELLS[0]] * 40 + [CELLS[1]] * 5 + [CELLS[2]] * 5
    target = {CELLS[0]: 0.4, CELLS[1]: 0.3, CELLS[2]: 0.3}
    take = allocate(Counter(pool), target, 10)
    assert take == {CELLS[0]: 4, CELLS[1]: 3, CELLS[2]: 3}
    assert tv(take, target) == pytest.approx(0.0)
    assert random_expectation(pool, target, 10)["tv"] > 0.3


def test_asking_for_more_than_the_list_is_refused():
    with pytest.raises(ValueError, match="cannot choose 3 of 2"):
        allocate({CELLS[0]: 2}, {CELLS[0]: 1.0}, 3)


def test_marginals_sum_cells_of_one_dimension():
    shares = marginal({CELLS[0]: 2, CELLS[2]: 1, CELLS[4]: 1}, 1)
    assert shares == {"F": 1.0}
    assert marginal({CELLS[0]: 1, CELLS[1]: 3}, 3) == {"1": 0.75, "3": 0.25}
