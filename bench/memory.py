"""``python -m bench.memory 100000``: how the memory of published counts grows.

Remembers N random sets (sizes log-uniform from 8 to 20,000 patients, their patients in
random buckets) in an in-process ``PublishedCells``, then asks ``near`` for 200 cells of
sizes drawn the same way. Reported: the resident memory a set, and the time of ``near`` a
cell (docs/disclosure.md, "What it costs").
"""

from __future__ import annotations

import sys
import time

import numpy as np

from dart.analysis.disclosure.keys import BUCKETS, SLOT
from dart.analysis.disclosure.memory import PublishedCells

RNG = np.random.default_rng(1)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def random_packed(n: int) -> int:
    """The packed key of n patients in random buckets (``keys.pack`` summed)."""
    buckets = np.bincount(RNG.integers(0, BUCKETS, n), minlength=BUCKETS)
    out = int(RNG.integers(0, 256 * n + 1))
    for b, count in enumerate(buckets):
        out += int(count) << (SLOT * (b + 1))
    return out


def main(total: int) -> None:
    memory = PublishedCells()
    sizes = np.exp(RNG.uniform(np.log(8), np.log(20_000), total)).astype(int)
    before, began = rss_mb(), time.perf_counter()
    for i, n in enumerate(sizes):
        memory._keep(int(n), random_packed(int(n)), int(n), int(n))
        if (i + 1) % 20_000 == 0:
            print(f"  {i + 1:,} sets remembered", file=sys.stderr)
    kept = time.perf_counter() - began
    with memory.recall(7) as recall:
        probes = [int(n) for n in RNG.choice(sizes, 200)]
        for n in probes:  # the first look at each size builds its array
            recall.near(n, random_packed(n))
        began = time.perf_counter()
        for n in probes:
            recall.near(n, random_packed(n))
        per = (time.perf_counter() - began) / len(probes)
    grown = rss_mb() - before
    print(f"{total:,} sets remembered in {kept:.1f} s: {grown:,.0f} MB resident, "
          f"{grown * 2**20 / total:,.0f} B a set; near() {per * 1000:.2f} ms a cell")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
