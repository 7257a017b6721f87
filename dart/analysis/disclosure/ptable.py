"""The perturbation table p(count, cell key) of the cell key method (docs/disclosure.md).

Row ``n`` (a true count above the threshold) holds one perturbation per cell key
``0..KEY_BASE-1``: the values ``lo..max_perturbation`` (``lo = max(-max_perturbation,
threshold + 1 - n)``, so that no published count falls to the threshold or below) in the
proportions of ``SHAPE``, shuffled by a fixed seed of the row. The table is public
(anyone can regenerate it from this code): what protects a count is that its cell key,
the sum of its patients' secret record keys, is unknown. Each row is shuffled with its own
seed, so two cells whose counts differ get independent perturbations even when their cell
keys happen to be equal.
"""

from __future__ import annotations

import functools
import random

from dart.analysis.disclosure.keys import KEY_BASE

# The shape of a full row: how many of the 256 cell keys get each perturbation -4..4.
# Peaked, as the ONS and ABS tables are: the extremes are rare (1 in 32 each), so that the
# difference of two perturbations reaches its bounds (+/-8) once in 1024 pairs, and
# bounds-based reasoning (interval propagation) almost never pins a count.
SHAPE = {-4: 8, -3: 20, -2: 36, -1: 48, 0: 32, 1: 48, 2: 36, 3: 20, 4: 8}


def _weights(values: list[int], max_perturbation: int) -> list[int]:
    """How many cells each value gets: the shape (scaled to ``max_perturbation``), cut to
    ``values`` and rescaled to 256 by largest remainders."""
    scale = 4 / max_perturbation
    raw = [SHAPE[max(-4, min(4, round(v * scale)))] for v in values]
    exact = [KEY_BASE * w / sum(raw) for w in raw]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(values)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[:KEY_BASE - sum(counts)]:
        counts[i] += 1
    return counts


@functools.lru_cache(maxsize=4096)
def row(n: int, max_perturbation: int, threshold: int) -> tuple[int, ...]:
    """The perturbations of true count ``n`` (> ``threshold``), one per cell key."""
    if n <= threshold:
        raise ValueError(f"counts up to the threshold ({threshold}) are not perturbed")
    low = max(-max_perturbation, threshold + 1 - n)
    values = list(range(low, max_perturbation + 1))
    cells = [v for v, c in zip(values, _weights(values, max_perturbation), strict=True)
             for _ in range(c)]
    # A string seed is hashed with SHA-512 by ``random.seed``: the same on every platform.
    random.Random(f"dart-ptable:{max_perturbation}:{threshold}:{n}").shuffle(cells)
    return tuple(cells)


def perturbation(n: int, cell_key: int, max_perturbation: int, threshold: int) -> int:
    """p(n, cell key): what is added to the true count ``n`` before it is published."""
    if max_perturbation == 0:
        return 0
    return row(n, max_perturbation, threshold)[cell_key % KEY_BASE]
