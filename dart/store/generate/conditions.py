"""Long-term conditions with QOF-like prevalence and gradients by age, sex, ethnicity, IMD.

Each condition's risk is an age curve times relative risks for sex, ethnic group,
deprivation, a shared cardiometabolic factor and earlier conditions; the product is then
scaled so that prevalence in the QOF age base matches the target
(``sample_data/reference/qof_prevalence.csv``, QOF 2019/20 England). Age curves and most
relative risks are shaped after common epidemiological rules of thumb [unverified]; the
T2D ethnic odds ratios are Pham et al. 2019 [verified], hypertension's are Hull et al.
2011 crude ratios [verified], IMD ratios are the QOF decile 1/decile 10 ratios [verified],
raised where age confounds the crude ratio (deprivation raises
nearly every condition after age adjustment).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dart.store import reference

YEAR_DAYS = 365.25
ETH_ORDER = ("asian", "black", "mixed", "white", "other", "unknown")


@dataclass(frozen=True)
class Condition:
    name: str
    target: float  # prevalence in the age base
    min_age: float  # QOF register age base
    ages: tuple[float, ...]  # age curve knots (years)
    risk: tuple[float, ...]  # relative risk at each knot
    male: float = 1.0  # male / female relative risk
    eth: tuple[float, ...] = (1, 1, 1, 1, 1, 1)  # by ETH_ORDER
    imd: float = 1.0  # quintile 1 / quintile 5 ratio
    latent: float = 0.0  # weight of the shared cardiometabolic factor
    years: float = 8.0  # mean years since diagnosis


def _qof(name: str) -> float:
    return float(reference.qof_prevalence().loc[name, "prevalence"])


def conditions() -> tuple[Condition, ...]:
    """The modelled conditions, in the order they are drawn (later may depend on earlier)."""
    return (
        Condition("obesity", _qof("obesity"), 18, (18, 30, 45, 60, 75, 90),
                  (0.6, 0.9, 1.2, 1.4, 1.1, 0.6), 0.95, (0.8, 1.4, 1.1, 1, 0.6, 1), 1.56, 0.5),
        # Diabetes 17+ 7.07% = T2D ~6.5% + T1D ~0.5% (T1 is ~8% of diabetes [unverified]).
        Condition("t2dm", _qof("diabetes") - 0.0055, 17, (17, 30, 40, 50, 60, 70, 80, 90),
                  (0.02, 0.1, 0.3, 0.7, 1.2, 1.7, 1.8, 1.5), 1.3, (2.36, 1.65, 1.17, 1, 1.17, 1),
                  1.46, 0.8),
        Condition("t1dm", 0.0055, 17, (0, 3, 10, 90), (0.0, 1, 1, 1), 1.15, years=15),
        Condition("hypertension", _qof("hypertension"), 0, (0, 20, 30, 40, 50, 60, 70, 80, 90),
                  (0, 0.01, 0.03, 0.07, 0.15, 0.27, 0.42, 0.55, 0.6), 1.1,
                  (1.38, 1.35, 1.1, 1, 1.1, 1), 1.15, 0.6),
        Condition("chd", _qof("chd"), 0, (0, 35, 45, 55, 65, 75, 85), (0, .002, .01, .03, .07, .12,
                  .16), 1.8, (1.5, 0.7, 1, 1, 1, 1), 1.4, 0.6),
        Condition("af", _qof("af"), 0, (0, 40, 50, 60, 70, 80, 90), (0, .002, .006, .02, .05, .1,
                  .13), 1.3, (0.5, 0.5, 0.8, 1, 0.7, 1), 1.05, 0.3, 5),
        Condition("heart_failure", _qof("heart_failure"), 0, (0, 45, 55, 65, 75, 85, 95),
                  (0, .001, .003, .01, .025, .06, .09), 1.4, imd=1.3, latent=0.5, years=4),
        Condition("stroke_tia", _qof("stroke_tia"), 0, (0, 40, 55, 65, 75, 85),
                  (0, .003, .01, .03, .06, .09), 1.1, (1, 1.3, 1, 1, 1, 1), 1.2, 0.4, 6),
        # CKD 3-5 (QOF 18+ 4.05% [verified]): <1% under 40, ~10% at 65-74, 30%+ at 75+
        # ([unverified]; with the QOF total the 75+ come out nearer 25%).
        # Diabetes and hypertension raise it strongly (LINKS). South Asians: stage 3 OR
        # 0.77 and stage 4-5 OR 1.53 (Hull 2011 [verified]), so CKD 3-5 overall ~0.86 with
        # ~12% at stage 4-5 [derived]; their diabetes raises it back (>40% of South Asians
        # with CKD have diabetes, Leicester PSP-CKD [verified]); stages in kidney.py. Black
        # similar to White (Hull 2011). IMD q1/q5 1.4 after age adjustment: the crude QOF
        # ratio 1.04 is flattened by younger deprived areas (s6) [assumption on the size].
        Condition("ckd", _qof("ckd"), 18, (18, 40, 50, 60, 70, 80, 90),
                  (.002, .005, .015, .04, .1, .3, .4), 0.8, (0.86, 1, 1, 1, 1, 1), 1.4,
                  latent=0.5, years=5),
        Condition("copd", _qof("copd"), 0, (0, 35, 45, 55, 65, 75, 85),
                  (0, .002, .008, .02, .045, .07, .07), 1.1, (0.5, 0.5, 0.8, 1, 0.7, 1), 1.74,
                  years=6),
        Condition("asthma", _qof("asthma"), 6, (0, 6, 15, 30, 60, 90), (0, 1.2, 1.1, 0.95, 1, 0.9),
                  0.85, (1.1, 1.1, 1.2, 1, 1, 1), 1.06, years=15),
        Condition("depression", _qof("depression"), 18, (18, 30, 45, 60, 75, 90),
                  (1.0, 1.1, 1.1, 0.95, 0.8, 0.8), 0.55, (0.7, 0.6, 1.2, 1, 0.8, 0.9), 1.29),
        Condition("osteoporosis", _qof("osteoporosis"), 50, (0, 49, 50, 60, 70, 80, 90),
                  (0, 0, .002, .005, .012, .025, .035), 0.2, (0.7, 0.4, 1, 1, 0.8, 1), 1.1,
                  years=6),
        # Dementia ~1% at 65-69, doubling every ~5 years [unverified].
        Condition("dementia", _qof("dementia"), 0, (0, 60, 65, 70, 75, 80, 85, 90),
                  (0, .002, .01, .02, .04, .08, .15, .3), 0.7, imd=1.1, latent=0.2, years=3),
    )


# Extra relative risk from an earlier condition (or current/ex smoking): (condition, cause, rr).
LINKS = (
    ("t2dm", "obesity", 2.5), ("hypertension", "obesity", 1.6), ("hypertension", "t2dm", 1.8),
    ("chd", "t2dm", 2.0), ("chd", "hypertension", 1.8), ("heart_failure", "chd", 3.0),
    ("heart_failure", "af", 3.0), ("stroke_tia", "af", 2.5), ("stroke_tia", "hypertension", 1.5),
    # Diabetes and hypertension are the main causes of CKD: RR ~3 and ~2 [assumption].
    ("ckd", "t2dm", 3.0), ("ckd", "t1dm", 3.0), ("ckd", "hypertension", 2.0),
    ("copd", "smoker", 4.0),
    ("chd", "smoker", 1.6), ("depression", "smoker", 1.5),
)


def calibrate(risk: np.ndarray, eligible: np.ndarray, target: float,
              basis: np.ndarray | None = None) -> np.ndarray:
    """Scale ``risk`` so that its mean (capped at 0.95) over ``eligible & basis`` is
    ``target``; zero outside ``eligible``. QOF divides by the current list, so ``basis``
    is the registered and living: the dead and departed, older and sicker, are left out."""
    measured = eligible if basis is None else eligible & basis
    if not measured.any():
        measured = eligible
    if not measured.any():
        return np.zeros_like(risk)
    scale = target / max(risk[measured].mean(), 1e-12)
    for _ in range(6):
        mean = np.minimum(risk * scale, 0.95)[measured].mean()
        if mean <= 0:
            break
        scale *= target / mean
    return np.where(eligible, np.minimum(risk * scale, 0.95), 0.0)


def draw_conditions(rng: np.random.Generator, people: pd.DataFrame,
                    smoker: np.ndarray) -> pd.DataFrame:
    """A boolean column per condition and an ``<name>_onset`` date column (NaT if absent)."""
    n = len(people)
    age = people["age"].to_numpy()
    male = (people["sex"] == "M").to_numpy()
    eth = people["eth"].to_numpy()
    imd = people["imd_quintile"].to_numpy(dtype=float, na_value=np.nan)
    end = people["end"].to_numpy().astype("datetime64[D]")
    dob = people["date_of_birth"].to_numpy().astype("datetime64[D]")
    current = people["registration_end"].isna().to_numpy()  # registered and alive now
    latent = rng.lognormal(0.0, 0.6, n)
    have: dict[str, np.ndarray] = {"smoker": smoker}
    out: dict[str, np.ndarray] = {}
    for cond in conditions():
        risk = np.interp(age, cond.ages, cond.risk)
        risk = risk * np.where(male, cond.male, 1.0) * np.asarray(cond.eth)[eth]
        # IMD: quintile q scales by ratio^((3-q)/4), so q1/q5 = ratio; unknown IMD = 1.
        risk = risk * np.where(np.isnan(imd), 1.0, cond.imd ** ((3 - np.nan_to_num(imd)) / 4))
        risk = risk * latent ** cond.latent
        for target, cause, rr in LINKS:
            if target == cond.name:
                risk = risk * np.where(have[cause], rr, 1.0)
        eligible = age >= cond.min_age
        if cond.name == "t1dm":
            eligible = age >= 0
        p = calibrate(risk, eligible, cond.target, current)
        if cond.name == "t2dm":
            p = np.where(have["t1dm"] if "t1dm" in have else False, 0.0, p)
        has = rng.random(n) < p
        have[cond.name] = has
        out[cond.name] = has
        span = np.maximum(age - max(cond.min_age, 1.0 if cond.name == "t1dm" else 18.0), 0.1)
        if cond.name in ("t1dm", "asthma"):
            span = np.maximum(age - 1.0, 0.1)
        years = np.minimum(rng.exponential(cond.years, n), span)
        onset = end - (years * YEAR_DAYS).astype(np.int64) * np.timedelta64(1, "D")
        out[f"{cond.name}_onset"] = np.where(has, np.maximum(onset, dob), np.datetime64("NaT"))
    # Pregnancy: women 16-45 with a pregnancy code in the last 9 months, ~4% of them
    # (about 600k births a year among ~12.5M women of those ages [unverified]).
    women = ~male & (age >= 16) & (age < 46)
    preg_risk = np.interp(age, (16, 20, 25, 30, 35, 40, 46), (0.3, 0.8, 1.2, 1.5, 1.1, 0.4, 0.05))
    pregnant = rng.random(n) < calibrate(preg_risk, women, 0.04, current)
    out["pregnancy"] = pregnant
    preg_day = end - (rng.random(n) * 270).astype(np.int64) * np.timedelta64(1, "D")
    out["pregnancy_onset"] = np.where(pregnant, np.maximum(preg_day, dob), np.datetime64("NaT"))
    return pd.DataFrame(out)
