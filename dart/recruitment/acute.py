"""Acute-presentation trials: which rule is the trigger, and the criteria at a presentation.

A trial that randomises at an acute visit (a COPD exacerbation, a COVID-19 diagnosis) asks
for a record in the last days (``include "Exacerbation": has copd_exacerbation within 14
days``); on one index date it counts almost nobody, and its sponsor needs the monthly number
of patients who present with that record while meeting the other rules.

**The trigger rule** is the include rule whose whole condition is ``has CODESET within N
UNIT`` with a window of at most one month (``TRIGGER_DAYS``: 31 days, 4 weeks or 1 month;
a week counts 7 days, a month 31). With several, the shortest window; with equal windows,
the first in the file. A file with none is not an acute-presentation trial (its forecast has
no presentations series). Longer windows (``within 3 months``) describe a recent history,
not a presentation, and are left as they are.

**Presenting in month k** (the month (D(k+1), Dk] of the forecast's monthly index dates):
the file with the trigger rule's window replaced by ``between D(k+1) + 1 day and Dk``,
evaluated at Dk, so the patient has the triggering record in that month and meets every
other rule at Dk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from criteria_grammar.nodes import Between, Criteria, Has, Within

TRIGGER_DAYS = 31
DAYS_PER_UNIT = {"day": 1, "week": 7, "month": 31, "year": 366}


def _days(window: Within) -> int:
    return window.amount * DAYS_PER_UNIT[window.unit]


def trigger_rule(criteria: Criteria) -> int | None:
    """The index of the trigger rule (see the module), or None."""
    found = [(_days(r.condition.window), i) for i, r in enumerate(criteria.rules)
             if r.kind == "include" and isinstance(r.condition, Has)
             and type(r.condition.window) is Within  # not a subclass (an anchored window)
             and _days(r.condition.window) <= TRIGGER_DAYS]
    return min(found)[1] if found else None


def presenting(criteria: Criteria, rule: int, start: dt.date, end: dt.date) -> Criteria:
    """``criteria`` with rule ``rule``'s window replaced by ``between start and end``."""
    rules = list(criteria.rules)
    trigger = rules[rule]
    window = Between(start, end, pos=trigger.condition.window.pos)
    rules[rule] = dataclasses.replace(
        trigger, condition=dataclasses.replace(trigger.condition, window=window))
    return dataclasses.replace(criteria, rules=tuple(rules))
