"""The strongest averaging attack found inside one query budget, and a store to run it on.

``AVERAGING_STORE``: 660 base patients (index date 2026-06-30) at three practices (1:
London, 2: North West, both England; 3: Wales). Patient i is male when i is odd, at
practice ``i % 3 + 1``, registered ``3 * i`` days before the index date, born in 1953 when
``i % 10`` is 1 or 3, else in 1950 + i % 40 (ages 36 to 76).
Targets of 1..7 patients: the holders of ``t1`` .. ``t7`` (patients 2001-2028), every one a
man born in 1953 (age band 70-74) at practice 1, registered since 2000: a sponsor knows
their sex, age band, region and nation ("the men of 70-74 at the London practice with X").

The attack (docs/disclosure.md, residual risk) asks representativeness in PAIRS: answer A
of pair k holds T in the cohort and in every "without this rule" population, answer B the
same sets without T (T fails two rules there, so no population of B holds it):

    A: include "s": (registered for 300 days and not T and not M_k) or T
       exclude "u_j": U_j and not T          (j < RULES; U_j: 20 patients of S_k)
    B: include "s": registered for 300 days and not T and not M_k
       exclude "u_j": U_j or T

``M_k`` is one patient with T's sex, age band, region and nation (``SHARED``), a different
one in each pair, so that every cell the attack reads is a new set in every pair (a cell
that stayed the same set would repeat its perturbation, not give a new look).

Every published count of A whose set holds T is the same set minus T in B: the cohort's
total, its group of T's sex, age band, region and nation, and the cohort without each
``u_j`` (20 patients more than the cohort, so never a nested copy of it). The cohort
without ``s`` is the same set in every pair: one look, once. So a pair gives
``RULES + 5`` looks ``|T| + p1 - p2`` through fresh noise (more rules, more looks: up to
the language's 500, given a store with 8 or more patients for each ``U_j``), besides the
ratios (rounded to 3 decimals, from which the groups of each "without" population can be
recovered; unused here).
"""

from __future__ import annotations

import datetime as dt

from tests.functional.api.attacks import code

INDEX = dt.date(2026, 6, 30)
PATIENTS = 660
RULES = 6
TARGET_IDS = {size: tuple(range(2001 + size * (size - 1) // 2, 2001 + size * (size + 1) // 2))
              for size in range(1, 8)}
TARGET_GROUPS = {"sex": "M", "age_band": "70-74", "region": "London", "nation": "England"}
# The patients who share T's sex, age band, region and nation, past the U_j (i < 220).
SHARED = tuple(i for i in range(230, PATIENTS + 1)
               if i % 2 == 1 and i % 3 == 0 and i % 10 in (1, 3))
CODELISTS = "\n".join(f'codelist t{s} = snomed("{code(f"t{s}")}")' for s in TARGET_IDS)


def _store() -> str:
    practices = ["practice", "practice_id | ods_code | name | region | nation",
                 "1 | T00001 | London practice | London | England",
                 "2 | T00002 | North West practice | North West | England",
                 "3 | T00003 | Wales practice | Wales | Wales"]
    rows = ["patient", "patient_id | practice_id | sex | date_of_birth | registration_start"
            " | research_opt_out"]
    for i in range(1, PATIENTS + 1):
        start = INDEX - dt.timedelta(days=3 * i)
        born = 1953 if i % 10 in (1, 3) else 1950 + i % 40
        rows.append(f"{i} | {i % 3 + 1} | {'F' if i % 2 == 0 else 'M'} | "
                    f"{born}-01-01 | {start} | false")
    obs = ["observation", "patient_id | obs_date | code"]
    for size, ids in TARGET_IDS.items():
        rows += [f"{i} | 1 | M | 1953-03-01 | 2000-01-01 | false" for i in ids]
        obs += [f"{i} | 2020-01-01 | {code(f't{size}')}" for i in ids]
    return "\n\n".join("\n".join(block) for block in (practices, rows, obs))


AVERAGING_STORE = _store()


def pair(k: int, size: int) -> tuple[str, str]:
    """Pair ``k``'s two criteria files (A with the target, B without) for target ``size``."""
    head = f"{CODELISTS}\ndefine T = has t{size}\n"
    m = SHARED[k]
    s = (f"registered for 300 days and not T and not (registered for {3 * m} days and not "
         f"registered for {3 * m + 1} days)")

    def u(j: int) -> str:
        first = 300 + 60 * j  # patients 100 + 20j .. 119 + 20j
        return f"registered for {first} days and not registered for {first + 60} days"

    a = head + f'include "s": ({s}) or T\n' + "".join(
        f'exclude "u{j}": ({u(j)}) and not T\n' for j in range(RULES))
    b = head + f'include "s": {s}\n' + "".join(
        f'exclude "u{j}": ({u(j)}) or T\n' for j in range(RULES))
    return a, b


def feasibility_pair(k: int, size: int) -> tuple[str, str]:
    """Pair ``k`` of feasibility files: S_k with T, then S_k alone."""
    head = f"{CODELISTS}\ndefine T = has t{size}\n"
    m = SHARED[k]
    s = (f"registered for 300 days and not T and not (registered for {3 * m} days and not "
         f"registered for {3 * m + 1} days)")
    return head + f'include "s": ({s}) or T\n', head + f'include "s": {s}\n'


def published(body: dict) -> dict[str, int | None]:
    """The counts of a representativeness answer the attack reads: the cohort's total, its
    groups of T's sex, age band, region and nation, and the cohort without each rule."""
    out = {"cohort": body["cohort"]["total"]}
    for dim in body["dimensions"]:
        if dim["key"] in TARGET_GROUPS:
            group = next(g for g in dim["groups"] if g["group"] == TARGET_GROUPS[dim["key"]])
            out[dim["key"]] = group["cohort"]["count"]
    for rule in body["rule_impact"]["rules"]:
        out[f"without {rule['label']}"] = rule["cohort_without"]
    return out


def looks(with_t: dict[str, int | None], without_t: dict[str, int | None],
          first: bool, named: bool = False) -> list:
    """The looks ``|T| + p1 - p2`` of one pair (with ``named``, as (cell, look)); the
    cohort without ``s`` (the same sets in every pair) only from the ``first``."""
    return [(name, with_t[name] - without_t[name]) if named else with_t[name] - without_t[name]
            for name in with_t
            if (first or name != "without s")
            and with_t[name] is not None and without_t[name] is not None]
