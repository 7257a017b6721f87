"""The perturbation table p(count, cell key) of the cell key method (docs/disclosure.md).

Row ``n`` (a true count above the threshold) holds one perturbation per cell key
``0..KEY_BASE-1``: the values ``lo..max_perturbation`` (``lo = max(-max_perturbation,
threshold + 1 - n)``, so that no published count falls to the threshold or below) spread
as evenly as 256 columns allow and shuffled by a fixed seed of the row. The table is public
(anyone can regenerate it from this code): what protects a count is that its cell key,
the sum of its patients' secret record keys, is unknown. Each row is shuffled with its own
seed, so two cells whose counts differ get independent perturbations even when their cell
keys happen to be equal.
"""

from __future__ import annotations

import functools
import random

from dart.analysis.disclosure.keys import KEY_BASE


@functools.lru_cache(maxsize=4096)
def row(n: int, max_perturbation: int, threshold: int) -> tuple[int, ...]:
    """The perturbations of true count ``n`` (> ``threshold``), one per cell key."""
    if n <= threshold:
        raise ValueError(f"counts up to the threshold ({threshold}) are not perturbed")
    low = max(-max_perturbation, threshold + 1 - n)
    values = list(range(low, max_perturbation + 1))
    cells = [values[i % len(values)] for i in range(KEY_BASE)]
    # A string seed is hashed with SHA-512 by ``random.seed``: the same on every platform.
    random.Random(f"dart-ptable:{max_perturbation}:{threshold}:{n}").shuffle(cells)
    return tuple(cells)


def perturbation(n: int, cell_key: int, max_perturbation: int, threshold: int) -> int:
    """p(n, cell key): what is added to the true count ``n`` before it is published."""
    if max_perturbation == 0:
        return 0
    return row(n, max_perturbation, threshold)[cell_key % KEY_BASE]
