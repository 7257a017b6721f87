"""Synthetic NHS numbers: ten digits, a valid modulus-11 check digit, never a real patient's.

NHS England reserves numbers starting 999 for testing; there are only 909,091 valid ones
(a check digit of 10 makes a body invalid). Beyond that the generator continues in the 998
range, then 997 and on down to 980, all also unissued (numbers starting 9 are not
allocated to patients), so a store of ten million patients still holds no real number. The
ranges are taken in order, so a store small enough for the first ones is unchanged by
adding more.
"""

from __future__ import annotations

import numpy as np

PREFIXES = tuple(range(999, 979, -1))  # 20 ranges, ~18.2 million valid numbers
WEIGHTS = np.array([10, 9, 8, 7, 6, 5, 4, 3, 2])


def check_digits(bodies: np.ndarray) -> np.ndarray:
    """The modulus-11 check digit for each 9-digit body (10 means the body is invalid)."""
    digits = (bodies[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = 11 - (digits * WEIGHTS).sum(axis=1) % 11
    return np.where(check == 11, 0, check)


def is_valid(number: str) -> bool:
    """True if ``number`` is 10 digits with a correct modulus-11 check digit."""
    if len(number) != 10 or not number.isdigit():
        return False
    check = check_digits(np.array([int(number[:9])]))[0]
    return check != 10 and check == int(number[9])


def _valid_numbers(prefix: int) -> np.ndarray:
    bodies = prefix * 1_000_000 + np.arange(1_000_000, dtype=np.int64)
    check = check_digits(bodies)
    keep = check != 10
    return bodies[keep] * 10 + check[keep]


def nhs_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` distinct synthetic NHS numbers (as 10-character strings) in random order."""
    pool: list[np.ndarray] = []
    remaining = count
    for prefix in PREFIXES:
        if remaining <= 0:
            break
        valid = _valid_numbers(prefix)
        take = min(remaining, len(valid))
        pool.append(rng.choice(valid, size=take, replace=False))
        remaining -= take
    if remaining > 0:
        raise ValueError(f"cannot make {count} distinct synthetic NHS numbers")
    numbers = rng.permutation(np.concatenate(pool))
    return numbers.astype("U10")
