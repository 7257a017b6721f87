"""Repeated events, vectorised: ``counts[i]`` dated rows for person ``i`` in a window.

Every record the generator writes goes through here, which is what guarantees that no
record falls outside its window (never after the extract date, death or leaving, never
before birth).
"""

from __future__ import annotations

import numpy as np

DAY = np.timedelta64(1, "D")
NAT = np.datetime64("NaT", "D")


def as_days(values) -> np.ndarray:
    """A date array (any datetime64 unit, pandas or numpy) as ``datetime64[D]``."""
    return np.asarray(values).astype("datetime64[D]")


def spread(rng: np.random.Generator, counts: np.ndarray, lo: np.ndarray,
           hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows for ``counts[i]`` events of person ``i``, dated uniformly in ``[lo[i], hi[i]]``.

    Returns (person index per row, date per row); people whose window is empty (or NaT)
    get no rows."""
    lo, hi = as_days(lo), as_days(hi)
    ok = ~np.isnat(lo) & ~np.isnat(hi) & (hi >= lo)
    counts = np.where(ok, counts, 0).astype(np.int64)
    who = np.repeat(np.arange(len(counts)), counts)
    width = (hi[who] - lo[who]).astype(np.int64) + 1
    offset = np.floor(rng.random(len(who)) * width).astype(np.int64)
    return who, lo[who] + offset * DAY


def years_before(end: np.ndarray, years: float) -> np.ndarray:
    """``end`` minus ``years`` (as whole days)."""
    return as_days(end) - int(years * 365.25) * DAY


def pick_codes(rng: np.random.Generator, codes: tuple[str, ...], n: int,
               first: float = 0.7) -> np.ndarray:
    """``n`` codes from a code set: the first (the usual one) with probability ``first``,
    the rest evenly, as practices code the same thing in different ways."""
    if len(codes) == 1:
        return np.full(n, codes[0], dtype=object)
    p = np.full(len(codes), (1 - first) / (len(codes) - 1))
    p[0] = first
    return np.array(codes, dtype=object)[rng.choice(len(codes), size=n, p=p)]
