"""Chronic kidney disease: the stage of each CKD 3-5 patient and the eGFR results behind it.

Figures (NHS England QOF 2019/20 and 2023-24 prevalence unless said otherwise):

* Most CKD 3-5 in primary care is stage 3 (3a more than 3b) and a minority, ~12% of the
  register, has eGFR < 30 (stage 4-5) [assumption: 10-15%].
* Stage 4-5 is more common in South Asians: among hypertensives CKD stage 4-5 OR 1.53 and
  stage 3 OR 0.77 against White (Hull et al. 2011 [verified]), so the odds of a CKD patient
  being stage 4-5 are ~1.53 / 0.77 = 2.0 times White [derived]; Black patients were similar
  to White (Hull 2011 [verified]), but minorities are 17.8% of renal replacement against 11%
  of the population [verified], so a small OR 1.2 [assumption].
* Diabetic kidney disease progresses more often (OR 2.0 [assumption]); CKD found young is
  more often advanced (OR 1.25 per decade younger [assumption]; older people's stage 3a is
  mostly age-related decline); deprivation raises progression (q1/q5 OR 1.4 [assumption,
  direction as the deprivation gradient after age adjustment in s6]).
* eGFR is tested at least yearly in CKD and diabetes (QOF annual reviews), so ~92% of them
  have a result in the last 12 months [assumption: QOF achievement ~90%]; earlier results
  go back up to five years, higher the further back (eGFR falls ~1-4 mL/min/1.73m2 a year in
  CKD, faster in later stages [assumption]), and never after the latest reading's stage.
"""

from __future__ import annotations

import numpy as np

from dart.store.generate.events import DAY, spread, years_before

# Stage: (eGFR low, eGFR high, SNOMED code from the ckd codelist, yearly decline).
STAGES = ((45.0, 59.4, "700378005", 1.0), (30.0, 44.9, "700379002", 2.0),
          (15.0, 29.9, "431857002", 3.0), (5.0, 14.9, "433146000", 4.0))
SEVERE_SHARE = 0.14  # stage 4-5 among CKD 3-5
STAGE5_SHARE = 0.2  # stage 5 among stage 4-5 [assumption]
STAGE3B_SHARE = 0.3  # 3b among stage 3 [assumption: most CKD in primary care is 3a]
SEVERE_OR = {"diabetes": 3.0, "asian": 2.0, "black": 1.2, "imd_q1_q5": 1.6,
             "per_decade_younger": 1.4}
REVIEWED = 0.92  # share of CKD or diabetic patients with an eGFR in the last 12 months


def _calibrated_logistic(logit: np.ndarray, target: float) -> np.ndarray:
    """Probabilities ``sigmoid(logit + b)`` with ``b`` chosen so that their mean is
    ``target`` (bisection; the mean is monotone in ``b``)."""
    if len(logit) == 0:
        return np.zeros(0)
    lo, hi = -20.0, 20.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if (1 / (1 + np.exp(-(logit + mid)))).mean() < target:
            lo = mid
        else:
            hi = mid
    return 1 / (1 + np.exp(-(logit + (lo + hi) / 2)))


def draw_stages(rng: np.random.Generator, ckd: np.ndarray, age: np.ndarray, eth: np.ndarray,
                imd: np.ndarray, diabetic: np.ndarray, asian: int, black: int) -> np.ndarray:
    """Stage index into ``STAGES`` (0 = 3a ... 3 = 5) for everyone; -1 without CKD.
    ``eth`` holds group indexes, ``asian`` and ``black`` say which are which."""
    who = np.flatnonzero(ckd)
    q = np.nan_to_num(imd[who], nan=3.0)
    logit = (np.log(SEVERE_OR["diabetes"]) * diabetic[who]
             + np.log(SEVERE_OR["asian"]) * (eth[who] == asian)
             + np.log(SEVERE_OR["black"]) * (eth[who] == black)
             + np.log(SEVERE_OR["imd_q1_q5"]) * (3 - q) / 4
             + np.log(SEVERE_OR["per_decade_younger"]) * (70 - age[who]) / 10)
    severe = rng.random(len(who)) < _calibrated_logistic(logit, SEVERE_SHARE)
    sub = rng.random(len(who))
    stage = np.where(severe, np.where(sub < STAGE5_SHARE, 3, 2),
                     np.where(sub < STAGE3B_SHARE, 1, 0))
    out = np.full(len(ckd), -1)
    out[who] = stage
    return out


def egfr_results(rng: np.random.Generator, stage: np.ndarray, diabetic: np.ndarray,
                 tested: np.ndarray, age: np.ndarray, onset: np.ndarray, start: np.ndarray,
                 end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """eGFR results (person index, date, value) for people with CKD (``stage >= 0``),
    diabetes, or otherwise ``tested``. Without CKD values stay >= 60 and fall with age; with
    CKD the latest value lies in the stage's range and earlier ones are higher (< 60)."""
    n = len(stage)
    ckd = stage >= 0
    s = np.maximum(stage, 0)
    low = np.array([x[0] for x in STAGES])[s]
    high = np.array([x[1] for x in STAGES])[s]
    decline = np.array([x[3] for x in STAGES])[s]
    level = np.where(ckd, rng.uniform(low, high),
                     (128 - 0.9 * age + rng.normal(0, 9, n)).clip(61, 125))
    last_year = np.maximum(start, years_before(end, 1))
    # CKD is coded after 3 months of eGFR < 60: low results start ~90 days before onset.
    ckd_from = np.maximum(np.maximum(start, years_before(end, 5)), onset - 90 * DAY)
    lo = np.where(ckd, ckd_from, np.maximum(start, years_before(end, 3)))
    reviewed = (ckd | diabetic) & (rng.random(n) < REVIEWED)
    # The annual review: one result in the last 12 months, the latest of the person's.
    rev_who, rev_date = spread(rng, reviewed.astype(np.int64), last_year, end)
    rev_value = np.clip(level[rev_who] + rng.normal(0, 2.5, len(rev_who)),
                        np.where(ckd[rev_who], low[rev_who], 60.5),
                        np.where(ckd[rev_who], high[rev_who], 130))
    # Earlier results: before the review (if any), else anywhere in the window.
    hi = np.where(reviewed, np.minimum(last_year, end) - 30 * DAY, end)
    count = np.where(ckd, 1 + rng.poisson(1.5, n),
                     np.where(diabetic, rng.poisson(1.2, n),
                              np.where(tested, 1 + rng.poisson(0.5, n), 0)))
    old_who, old_date = spread(rng, count, lo, hi)
    years_ago = (end[old_who] - old_date).astype(np.int64) / 365.25
    noise = rng.normal(0, 2.5, len(old_who))
    # Without a review the latest of these is the latest result: keep them in the stage.
    top = np.where(reviewed[old_who], 59.4, high[old_who])
    old_ckd = np.clip(level[old_who] + decline[old_who] * years_ago + noise, low[old_who], top)
    old_value = np.where(ckd[old_who], old_ckd,
                         np.clip(level[old_who] + 2 * noise, 60.5, 130))
    return (np.concatenate([rev_who, old_who]), np.concatenate([rev_date, old_date]),
            np.concatenate([rev_value, old_value]))
