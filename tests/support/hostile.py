"""Criteria files a hostile or careless user might send, each at most 64 KB.

Shared by the tests (tests/functional/api/test_hostile.py) and the rule-scaling bench.
"""

from __future__ import annotations

import random

HEAD = "index date 2026-06-30\n"


def exponential_define(levels: int = 39) -> str:
    """``define d{i} = d{i-1} or d{i-1}``: 2^levels conditions once the defines are written
    out (the 961-byte file of 39 levels)."""
    lines = ["define d0 = age > 1"]
    lines += [f"define d{i} = d{i - 1} or d{i - 1}" for i in range(1, levels + 1)]
    return "\n".join([*lines, f"include d{levels}"]) + "\n"


def many_rules(n: int) -> str:
    """``include age > k`` for k = 0..n-1 (ages wrap at 90 so every rule can pass)."""
    return HEAD + "".join(f"include age > {k % 90}\n" for k in range(n))


def inline_codelists(n: int, per_rule: int = 300) -> str:
    """``n`` inline SNOMED code sets, read by ``exclude has c0 or has c1 ...`` rules of
    ``per_rule`` sets each (1,500 sets: under 64 KB)."""
    lines = [f'codelist c{i} = snomed("{i}")' for i in range(n)]
    for start in range(0, n, per_rule):
        sets = range(start, min(n, start + per_rule))
        lines.append("exclude " + " or ".join(f"has c{i}" for i in sets))
    return HEAD + "\n".join(lines) + "\n"


def at_least(items: int, n: int = 3) -> str:
    """``include at least n of (age > 0, age > 1, ...)``."""
    conds = ", ".join(f"age > {k % 90}" for k in range(items))
    return HEAD + f"include at least {n} of ({conds})\n"


def nested(depth: int) -> str:
    """``not (not (... age > 1 ...))`` nested ``depth`` deep."""
    return HEAD + "include " + "not (" * depth + "age > 1" + ")" * depth + "\n"


def junk(size: int = 64 * 1024, seed: int = 13) -> str:
    """``size`` bytes of printable junk with newlines."""
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz()<>=!\"',. 0123456789\n"
    return "".join(rng.choice(alphabet) for _ in range(size))
