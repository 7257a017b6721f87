"""Realistic data-quality flaws, so that every profile check finds something real.

On by default (``dart generate --flaws``, the demo store); ``flaws=False`` makes a clean
store, identical except for the flaws. Deterministic for a seed: the plan comes from its own
generator ``(seed, 3)`` and each chunk's flaws from ``(seed, 2, chunk)``, so the rest of the
store is drawn exactly as without flaws. The flaws made are recorded in ``store_info`` under
``flaws`` (JSON, see docs/profile.md) so that tests can check the profile names exactly them:

* a few practices stop sending data (as when a practice leaves the data supplier): no record
  of their patients after a cut-off 6-18 months before the extract;
* one practice has a recording gap (as around a change of clinical system): no record for
  three months, ending 1-5 months before the extract;
* one practice records no ethnicity (every patient ``unknown``);
* one practice's laboratory reports HbA1c in % (DCCT) on the mmol/mol code;
* BMI and systolic blood pressure keyed with a slipped decimal (x10) in 0.5% of readings,
  a rate of the order seen in primary-care data cleaning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from criteria_grammar.units import convert

DAY = np.timedelta64(1, "D")
IMPLAUSIBLE_RATE = 0.005
IMPLAUSIBLE_SETS = ("bmi", "systolic_bp")
WRONG_UNIT_SET, WRONG_UNIT = "hba1c", "%"


@dataclass(frozen=True)
class FlawPlan:
    """Which practices and codes get which flaw."""

    stopped: dict[int, np.datetime64]  # practice id -> last day with data
    gap: dict[int, tuple[np.datetime64, np.datetime64]]  # practice id -> (first, last) day
    no_ethnicity: tuple[int, ...]
    wrong_unit_practice: int | None
    wrong_unit_code: str
    implausible_codes: tuple[str, ...]


@dataclass
class FlawTally:
    """Rows actually flawed, summed over chunks (a code with none is not recorded)."""

    wrong_unit: int = 0
    implausible: dict[str, int] = field(default_factory=dict)


def plan_flaws(seed: int, practices: pd.DataFrame, extract: np.datetime64,
               library) -> FlawPlan:
    """The flaw plan for a store with ``practices``."""
    rng = np.random.default_rng([seed, 3])
    ids = rng.permutation(practices["practice_id"].to_numpy())
    n = len(ids)
    k = 0 if n < 4 else min(max(2, round(0.02 * n)), n // 4)
    cut = extract - rng.integers(183, 548, size=k) * DAY
    stopped = {int(p): c for p, c in zip(ids[:k], cut, strict=True)}
    no_eth = (int(ids[k]),) if n >= 2 else ()
    unit_practice = int(ids[k + 1]) if n >= 3 else None
    gap = {}
    if n >= 5:
        last = extract - rng.integers(30, 153) * DAY
        gap[int(ids[k + 2])] = (last - 91 * DAY, last)
    return FlawPlan(stopped, gap, no_eth, unit_practice, library[WRONG_UNIT_SET].codes[0],
                    tuple(library[s].codes[0] for s in IMPLAUSIBLE_SETS))


def apply_flaws(rng: np.random.Generator, frames: dict[str, pd.DataFrame], plan: FlawPlan,
                tally: FlawTally) -> None:
    """Flaw one chunk's frames in place (rows dropped, values changed)."""
    people = frames["patient"]
    first = int(people["patient_id"].iloc[0])
    practice_of = people["practice_id"].to_numpy()
    if plan.no_ethnicity:
        hidden = np.isin(practice_of, plan.no_ethnicity)
        people.loc[hidden, "ethnicity"] = "unknown"
    for name, column in (("observation", "obs_date"), ("prescription", "issue_date")):
        frame = frames[name]
        practice = practice_of[frame["patient_id"].to_numpy() - first]
        dates = frame[column].to_numpy().astype("datetime64[D]")
        drop = np.zeros(len(frame), dtype=bool)
        for pid, day in plan.stopped.items():
            drop |= (practice == pid) & (dates > day)
        for pid, (lo, hi) in plan.gap.items():
            drop |= (practice == pid) & (dates >= lo) & (dates <= hi)
        frames[name] = frame[~drop].reset_index(drop=True)
    obs = frames["observation"]
    practice = practice_of[obs["patient_id"].to_numpy() - first]
    if plan.wrong_unit_practice is not None:
        hit = ((obs["code"] == plan.wrong_unit_code).to_numpy()
               & (practice == plan.wrong_unit_practice))
        unit = obs.loc[hit, "unit"].iloc[0] if hit.any() else None
        if unit:
            values = obs.loc[hit, "value"].map(lambda v: round(convert(v, unit, WRONG_UNIT), 1))
            obs.loc[hit, "value"] = values
            obs.loc[hit, "unit"] = WRONG_UNIT
            tally.wrong_unit += int(hit.sum())
    for code in plan.implausible_codes:
        hit = (obs["code"] == code).to_numpy() & (rng.random(len(obs)) < IMPLAUSIBLE_RATE)
        obs.loc[hit, "value"] = obs.loc[hit, "value"] * 10
        tally.implausible[code] = tally.implausible.get(code, 0) + int(hit.sum())


def flaw_record(plan: FlawPlan, tally: FlawTally, practices: pd.DataFrame) -> str:
    """The ``store_info`` ``flaws`` value: JSON naming what was flawed."""
    ods = dict(zip(practices["practice_id"], practices["ods_code"], strict=True))

    def who(pid: int) -> dict:
        return {"practice_id": pid, "ods_code": str(ods[pid])}

    record = {
        "stopped_practices": [{**who(p), "last_data_on_or_before": str(d)}
                              for p, d in sorted(plan.stopped.items())],
        "gap_practices": [{**who(p), "no_data_from": str(lo), "no_data_to": str(hi)}
                          for p, (lo, hi) in sorted(plan.gap.items())],
        "no_ethnicity_practices": [who(p) for p in plan.no_ethnicity],
        "wrong_unit": ([{**who(plan.wrong_unit_practice), "code": plan.wrong_unit_code,
                         "unit": WRONG_UNIT, "rows": tally.wrong_unit}]
                       if tally.wrong_unit else []),
        "implausible": [{"code": c, "rows": n} for c, n in sorted(tally.implausible.items())
                        if n],
    }
    return json.dumps(record, sort_keys=True)
