"""Prescriptions consistent with the conditions: repeat issues over the last year.

Each treated patient keeps one product of a drug class and has it issued every 28 or 56
days from the later of diagnosis, registration or a year before their record ends. The
treated shares are plausible UK primary-care figures [assumption, shaped after NICE
pathways: metformin first line in T2D, anticoagulation for most AF, statins for CVD and
most diabetics over 40].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dart.store.codelists import CodelistLibrary
from dart.store.generate.events import DAY, as_days, pick_codes, spread, years_before


def _treatment_shares(cond: pd.DataFrame, age: np.ndarray) -> dict[str, np.ndarray]:
    """Probability that each patient is on each drug class."""
    c = {name: cond[name].to_numpy() for name in cond.columns if not name.endswith("_onset")}
    t2, t1 = c["t2dm"], c["t1dm"]
    cvd = c["chd"] | c["stroke_tia"]

    def p(*pairs, default=0.0):
        out = np.full(len(age), default)
        for mask, prob in reversed(pairs):
            out = np.where(mask, prob, out)
        return out

    return {
        "metformin": p((t2, 0.8)),
        "sulfonylurea": p((t2, 0.2)),
        "sglt2i": p((t2 & (c["ckd"] | c["heart_failure"]), 0.55), (t2, 0.3),
                    (c["heart_failure"], 0.3)),
        "dpp4i": p((t2, 0.15)),
        "pioglitazone": p((t2, 0.03)),
        "insulin": p((t1, 1.0), (t2, 0.12)),
        "statins": p((cvd, 0.85), (t2 & (age >= 40), 0.7), (t1 & (age >= 40), 0.6),
                     (c["ckd"], 0.5), (c["hypertension"], 0.35), (age >= 65, 0.08)),
        "antihypertensives": p((c["hypertension"], 0.85), (c["heart_failure"], 0.8),
                               (c["ckd"], 0.4)),
        "anticoagulants": p((c["af"], 0.7)),
        "inhaled_corticosteroids": p((c["asthma"], 0.6), (c["copd"], 0.5)),
        "bisphosphonates": p((c["osteoporosis"], 0.55)),
        "antidepressants": p((c["depression"], 0.45), (age >= 18, 0.03)),
    }


def make_prescriptions(rng: np.random.Generator, people: pd.DataFrame, cond: pd.DataFrame,
                       library: CodelistLibrary) -> pd.DataFrame:
    """Every prescription row for ``people``."""
    n = len(people)
    age = people["age"].to_numpy()
    ids = people["patient_id"].to_numpy()
    end = as_days(people["end"])
    start = np.maximum(as_days(people["registration_start"]), years_before(end, 1))
    onset = {name: as_days(cond[f"{name}_onset"]) for name in
             ("t2dm", "t1dm", "af", "osteoporosis", "asthma", "copd")}
    first_day = {
        "metformin": onset["t2dm"], "sulfonylurea": onset["t2dm"], "sglt2i": onset["t2dm"],
        "dpp4i": onset["t2dm"], "pioglitazone": onset["t2dm"],
        "anticoagulants": onset["af"], "bisphosphonates": onset["osteoporosis"],
    }
    parts = []
    for setname, prob in _treatment_shares(cond, age).items():
        treated = rng.random(n) < prob
        lo = start
        if setname in first_day:
            began = first_day[setname]
            lo = np.where(np.isnat(began), start, np.maximum(start, began))
        interval = np.where(rng.random(n) < 0.6, 28, 56)
        span = np.where(end >= lo, (end - lo).astype(np.int64), -1)
        issues = np.where(treated & (span >= 0), span // interval + 1, 0)
        codes = pick_codes(rng, library[setname].codes, n, first=0.6)
        # One random first issue in the first interval; later issues follow at the interval.
        who, first = spread(rng, np.minimum(issues, 1), lo,
                            np.minimum(end, lo + (interval - 1) * DAY))
        count = np.zeros(n, dtype=np.int64)
        count[who] = 1 + (end[who] - first).astype(np.int64) // interval[who]
        rep = np.repeat(np.arange(len(who)), count[who])
        step = np.arange(len(rep)) - np.repeat(np.cumsum(count[who]) - count[who], count[who])
        person = who[rep]
        dates = first[rep] + step * interval[person] * DAY
        quantity = 1.0 if setname == "inhaled_corticosteroids" else interval[person] * 1.0
        parts.append(pd.DataFrame({
            "patient_id": ids[person], "issue_date": dates, "code": codes[person],
            "quantity": np.broadcast_to(quantity, len(person)).astype(float),
        }))
    return pd.concat(parts, ignore_index=True)
