"""A store built for attacks on disclosure control, and the attacker's reasoning.

``ATTACK_STORE``: 401 base patients (index date 2026-06-30). Patient i (1..400) is female
when i is even, registered 3*i days before the index date, born 1970; practice 1 (London)
for i <= 300, practice 2 (Wales) after. Patient 401 is a man born 1920 (aged 106): the only
``age >= 100 and sex is male``. Targets of size 1..7 (``TARGETS``): that man, and the
holders of codes c2, c3, c5 and c7 (2, 3, 5 and 7 patients). Patient 12 (``PERSON``) has 9
conditions (``HELD``) and lacks 9 (``NOT_HELD``). Patients 402-411 opted out of research.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

INDEX = dt.date(2026, 6, 30)
MEMBERS = {"c2": (14, 150), "c3": (20, 77, 321), "c5": (30, 31, 200, 250, 390),
           "c7": (40, 41, 42, 160, 161, 330, 331)}
HELD = tuple(f"h{i}" for i in range(9))
NOT_HELD = tuple(f"n{i}" for i in range(9))
PERSON = 12
# Every n-condition is held by 4 other patients (so that the sets are not empty).
NOT_HELD_BY = (100, 101, 102, 103)


def code(name: str) -> str:
    return str(900000000 + sum(ord(c) * 31**i for i, c in enumerate(name)) % 99999)


CODELISTS = "\n".join(f'codelist {n} = snomed("{code(n)}")'
                      for n in (*MEMBERS, *HELD, *NOT_HELD))
TARGETS = {"age >= 100 and sex is male": 1,
           **{f"has {n}": len(ids) for n, ids in MEMBERS.items()}}


def _store() -> str:
    rows = ["patient", "patient_id | practice_id | sex | date_of_birth | registration_start"
            " | research_opt_out"]
    for i in range(1, 401):
        start = INDEX - dt.timedelta(days=3 * i)
        rows.append(f"{i} | {1 if i <= 300 else 2} | {'F' if i % 2 == 0 else 'M'} | "
                    f"1970-01-01 | {start} | false")
    rows.append("401 | 1 | M | 1920-01-01 | 2000-01-01 | false")
    rows += [f"{i} | 1 | F | 1970-01-01 | 2000-01-01 | true" for i in range(402, 412)]
    obs = ["observation", "patient_id | obs_date | code"]
    for name, ids in MEMBERS.items():
        obs += [f"{i} | 2020-01-01 | {code(name)}" for i in ids]
    obs += [f"{PERSON} | 2020-01-01 | {code(n)}" for n in HELD]
    obs += [f"{i} | 2020-01-01 | {code(n)}" for n in (*HELD, *NOT_HELD) for i in NOT_HELD_BY]
    practices = ["practice", "practice_id | ods_code | name | region | nation",
                 "1 | T00001 | London practice | London | England",
                 "2 | T00002 | Wales practice | Wales | Wales"]
    return "\n\n".join("\n".join(block) for block in (practices, rows, obs))


ATTACK_STORE = _store()


def chain(target: str, steps: int, with_target: bool) -> str:
    """The differencing chain: ``steps`` nested rules, ``or T`` appended to each if asked."""
    lines = [CODELISTS, f"define T = {target}"]
    for k in range(steps):
        rule = f"registered for {300 + 2 * k} days and sex is female and not T"
        lines.append(f'include "r{k}": ' + (f"({rule}) or T" if with_target else rule))
    return "\n".join(lines) + "\n"


Span = Callable[[int | None], tuple[int, int]]  # a published count -> its true range


def chain_sizes(plain: dict, with_t: dict, step: Callable[[int], Span], drop: Span,
                total: Span, threshold: int = 7) -> set[int]:
    """The sizes t of T (0..threshold) consistent with both answers of the chain attack.

    Unknowns: the base b and chain A's steps x_0..x_{K-1}; chain B's are x_k + t (T passes
    every rule there). Constraints, each from a published number and the true range the
    published method allows for it (``step(i)`` for step i, ``drop``, ``total``): both
    funnels' steps, both eligible totals, both bases, every drop (x_{k-1} - x_k, the same
    in both chains but the first, which is one t larger in chain A) and every breakdown
    cell that differs. Interval propagation along the chain to a fixed point, per t.
    """
    k_steps = len(plain["funnel"])
    cells = [(a["count"], b["count"]) for dim, cs in plain["breakdowns"].items()
             for a, b in zip(cs, with_t["breakdowns"][dim], strict=True)
             if a["count"] != b["count"]]

    def feasible(t: int) -> bool:
        lo = [0] * (k_steps + 1)  # index 0: the base, i + 1: step i
        hi = [10**9] * (k_steps + 1)

        def meet(i: int, low: int, high: int) -> None:
            lo[i], hi[i] = max(lo[i], low), min(hi[i], high)

        for body, shift in ((plain, 0), (with_t, t)):
            meet(0, *total(body["base"]))
            for i, s in enumerate(body["funnel"]):
                low, high = step(i)(s["remaining"])
                meet(i + 1, low - shift, high - shift)
            low, high = total(body["eligible"])
            meet(k_steps, low - shift, high - shift)
        for a, b in cells:  # x in a's range and x + t in b's: some x must exist
            (la, ha), (lb, hb) = total(a), total(b)
            if max(la, lb - t) > min(ha, hb - t):
                return False
        drops = [[drop(s["dropped"]) for s in body["funnel"]] for body in (plain, with_t)]
        changed = True
        while changed:
            changed = False
            for i in range(k_steps):
                for which, (dl, dh) in enumerate((drops[0][i], drops[1][i])):
                    extra = t if (i == 0 and which == 1) else 0  # chain B's first drop
                    before = (lo[i], hi[i], lo[i + 1], hi[i + 1])
                    meet(i + 1, lo[i] - dh - extra, hi[i] - dl - extra)
                    meet(i, lo[i + 1] + dl + extra, hi[i + 1] + dh + extra)
                    if (lo[i], hi[i], lo[i + 1], hi[i + 1]) != before:
                        changed = True
                    if lo[i] > hi[i] or lo[i + 1] > hi[i + 1]:
                        return False
        return True

    return {t for t in range(threshold + 1) if feasible(t)}


def perturbed_spans(k_steps: int, spread: int = 4, threshold: int = 7):
    """The true ranges the cell key method allows (docs/disclosure.md): a published cell
    within ``spread``; a funnel step within ``spread`` per published piece (the eligible
    count and the step's patients that later rules remove), and within 5 % from 100
    patients; the marker 0..threshold. ``k_steps`` is unused: a step's range no longer
    depends on how many rules follow it."""

    def within(width: int) -> Span:
        return lambda n: (0, threshold) if n is None else (n - width, n + width)

    def step(n: int | None) -> tuple[int, int]:
        if n is None:
            return 0, threshold
        true = [m for m in range(n - 2 * spread, n + 2 * spread + 1)
                if m < 100 or abs(n - m) <= m // 20]
        return min(true), max(true)

    return (lambda _i: step), within(spread), within(spread)


def opensafely(n: int | None) -> int | None:
    """The baseline the attack defeats: 1..7 suppressed, zeros exact, the rest to 5."""
    if n is None or n == 0:
        return n
    return None if n <= 7 else (n + 2) // 5 * 5


def as_baseline(exact: dict) -> dict:
    """An exact answer as the rounding baseline would have published it."""
    return {"base": opensafely(exact["base"]), "eligible": opensafely(exact["eligible"]),
            "funnel": [{"remaining": opensafely(s["remaining"]),
                        "dropped": opensafely(s["dropped"])} for s in exact["funnel"]],
            "breakdowns": {d: [{"count": opensafely(c["count"])} for c in cs]
                           for d, cs in exact["breakdowns"].items()}}


def rounded_span(n: int | None, threshold: int = 7) -> tuple[int, int]:
    """What a published baseline count says of the truth."""
    if n is None:
        return 1, threshold
    return (0, 0) if n == 0 else (n - 2, n + 2)


def difference_noise() -> dict[int, float]:
    """The distribution of p1 - p2 for two cells of 12 or more with unknown cell keys: each
    perturbation is a draw from the public table's row shape (``ptable.SHAPE``)."""
    from dart.analysis.disclosure.ptable import SHAPE

    total = sum(SHAPE.values()) ** 2
    noise: dict[int, float] = {}
    for a, ca in SHAPE.items():
        for b, cb in SHAPE.items():
            noise[a - b] = noise.get(a - b, 0) + ca * cb / total
    return noise


def size_posterior(looks: list[int], threshold: int = 7) -> dict[int, float]:
    """The best an attacker can do with looks ``d = t + p1 - p2`` at a size t: the
    posterior over t in 0..threshold from a uniform prior (exact likelihoods)."""
    import math

    noise = difference_noise()
    log = {}
    for t in range(threshold + 1):
        if all(d - t in noise for d in looks):
            log[t] = sum(math.log(noise[d - t]) for d in looks)
    top = max(log.values())
    weights = {t: math.exp(v - top) for t, v in log.items()}
    total = sum(weights.values())
    return {t: w / total for t, w in weights.items()}


def simulated_accuracy(budget: int, looks_per_answer: float, targets: int = 4000,
                       seed: int = 12) -> dict[str, float]:
    """The best estimator (``size_posterior``) against simulated targets of 1..7, each seen
    through ``round(budget * looks_per_answer)`` looks ``t + p1 - p2``, every perturbation
    a cell of 12..400 patients read from the public table (``ptable.row``) at a random
    cell key. Returns the share of targets named right, the median posterior on the true
    size, its share above 0.95, and the share whose size sound reasoning from the table's
    bounds (every look within +/-8) pins to one value."""
    import random
    import statistics

    from dart.analysis.disclosure.ptable import row

    rng = random.Random(seed)
    n_looks = round(budget * looks_per_answer)
    right, on_truth, pinned = 0, [], 0

    def p() -> int:
        return row(rng.randrange(12, 401), 4, 7)[rng.randrange(256)]

    for _ in range(targets):
        size = rng.randrange(1, 8)
        looks = [size + p() - p() for _ in range(n_looks)]
        posterior = size_posterior(looks)
        right += max(posterior, key=posterior.get) == size
        on_truth.append(posterior[size])
        pinned += len(posterior) == 1
    return {"right": right / targets, "median": statistics.median(on_truth),
            "sure": sum(v > 0.95 for v in on_truth) / targets, "pinned": pinned / targets}
