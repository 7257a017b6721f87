"""Coded observations: diagnoses, smoking status, measurements, vaccinations, events.

Measurements are consistent with the conditions drawn: HbA1c (mmol/mol) is higher in
diabetes, eGFR falls with age and is below 60 in CKD 3-5, in the range of the patient's
stage (``kidney.py``), BMI is 30+ in the obesity register, blood pressure is higher in
hypertension. Values are plausible
clinical ranges [assumption, typical UK primary-care values]; units come from the
codelist library.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dart.store.codelists import CodelistLibrary
from dart.store.generate import kidney
from dart.store.generate.events import as_days, pick_codes, spread, years_before
from dart.store.generate.names import GROUPS

DIAGNOSES = ("t2dm", "t1dm", "hypertension", "chd", "af", "heart_failure", "stroke_tia",
             "copd", "asthma", "depression", "osteoporosis", "dementia", "pregnancy")


class Rows:
    """Collects observation rows as arrays, joined once at the end."""

    def __init__(self, ids: np.ndarray):
        self.ids = ids
        self.parts: list[pd.DataFrame] = []

    def add(self, who: np.ndarray, dates: np.ndarray, codes, value=None, unit=None) -> None:
        n = len(who)
        self.parts.append(pd.DataFrame({
            "patient_id": self.ids[who], "obs_date": dates,
            "code": np.broadcast_to(np.asarray(codes, dtype=object), (n,)),
            "value": np.full(n, np.nan) if value is None else np.round(value, 1),
            "unit": np.full(n, unit, dtype=object),
        }))

    def frame(self) -> pd.DataFrame:
        return pd.concat(self.parts, ignore_index=True)


def draw_smoking(rng: np.random.Generator, age: np.ndarray, imd: np.ndarray) -> np.ndarray:
    """0 unrecorded, 1 current, 2 ex, 3 never. Adults ~13% current (ONS APS 2023 ~12%
    [unverified]), twice as common in IMD quintile 1 as in 5; ex-smokers rise with age."""
    n = len(age)
    q = np.nan_to_num(imd, nan=3.0)
    current = 0.13 * 1.6 ** ((3 - q) / 2) * np.interp(age, (15, 25, 45, 65, 80), (.7, 1.3, 1.2,
                                                                                   .8, .4))
    ex = np.interp(age, (15, 30, 50, 70, 90), (0.03, 0.15, 0.25, 0.40, 0.45))
    u = rng.random(n)
    status = np.where(u < current, 1, np.where(u < current + ex, 2, 3))
    recorded = (age >= 15) & (rng.random(n) < 0.9)
    return np.where(recorded, status, 0)


def make_observations(rng: np.random.Generator, people: pd.DataFrame, cond: pd.DataFrame,
                      smoking: np.ndarray, library: CodelistLibrary) -> pd.DataFrame:
    """Every observation row for ``people``."""
    n = len(people)
    rows = Rows(people["patient_id"].to_numpy())
    age = people["age"].to_numpy()
    end = as_days(people["end"])
    start = as_days(people["registration_start"])
    dob = as_days(people["date_of_birth"])
    ones = np.ones(n, dtype=np.int64)

    def recent(years: float) -> np.ndarray:
        return np.maximum(start, years_before(end, years))

    for name in DIAGNOSES:
        has = cond[name].to_numpy()
        who, _ = spread(rng, has.astype(np.int64), dob, end)
        rows.add(who, as_days(cond[f"{name}_onset"])[who],
                 pick_codes(rng, library[name].codes, len(who)))
    # CKD: a staged code at diagnosis; the stage also sets the eGFR values below.
    ckd = cond["ckd"].to_numpy()
    diabetic = (cond["t2dm"] | cond["t1dm"]).to_numpy()
    imd = people["imd_quintile"].to_numpy(dtype=float, na_value=np.nan)
    stage = kidney.draw_stages(rng, ckd, age, people["eth"].to_numpy(), imd, diabetic,
                               GROUPS.index("asian"), GROUPS.index("black"))
    who = np.flatnonzero(ckd)
    rows.add(who, as_days(cond["ckd_onset"])[who],
             np.array([s[2] for s in kidney.STAGES], dtype=object)[stage[who]])
    resolved = cond["t2dm"].to_numpy() & (rng.random(n) < 0.01)
    who, dates = spread(rng, resolved.astype(np.int64), as_days(cond["t2dm_onset"]), end)
    rows.add(who, dates, library["diabetes_resolved"].codes[0])

    # Smoking: the latest record gives the status; some have an older one too (ex-smokers'
    # older record says they smoked).
    for value, setname in ((1, "smoking_current"), (2, "smoking_ex"), (3, "smoking_never")):
        has = smoking == value
        who, dates = spread(rng, has.astype(np.int64), recent(3), end)
        rows.add(who, dates, pick_codes(rng, library[setname].codes, len(who)))
        older = has & (rng.random(n) < 0.4)
        hi = years_before(end, 3)
        who, dates = spread(rng, older.astype(np.int64), np.maximum(start, years_before(end, 10)),
                            hi)
        older_set = "smoking_current" if value == 2 else setname
        rows.add(who, dates, pick_codes(rng, library[older_set].codes, len(who)))

    adult = age >= 18
    _bmi(rng, rows, library, cond["obesity"].to_numpy(), diabetic, adult, recent, end)
    _bp(rng, rows, library, cond["hypertension"].to_numpy(), age, recent, end)

    # HbA1c: diabetics 1-4 in 3 years around a personal level (T2 ~56, T1 ~66 mmol/mol);
    # a third of other adults 40+ have one normal test (mostly < 42, a few 42-47).
    t1 = cond["t1dm"].to_numpy()
    level = np.where(t1, rng.normal(66, 12, n), np.where(diabetic, rng.normal(56, 12, n),
                                                         rng.normal(37, 3.5, n)))
    level = np.where(diabetic, level.clip(40, 130), level.clip(25, 47))
    count = np.where(diabetic, 1 + rng.poisson(1.5, n), (age >= 40) & (rng.random(n) < 0.35))
    who, dates = spread(rng, count, recent(3), end)
    value = level[who] + rng.normal(0, 3, len(who))
    value = np.where(diabetic[who], value.clip(35, 140), value.clip(25, 47.5))
    rows.add(who, dates, library["hba1c"].codes[0], value, library["hba1c"].unit)

    # eGFR (mL/min/1.73m2): yearly in CKD and diabetes, sometimes in other adults.
    tested = adult & (cond["hypertension"].to_numpy() | (age >= 65) | (rng.random(n) < 0.25))
    who, dates, value = kidney.egfr_results(rng, stage, diabetic & adult, tested, age,
                                            as_days(cond["ckd_onset"]), start, end)
    rows.add(who, dates, library["egfr"].codes[0], value, library["egfr"].unit)

    _events(rng, rows, library, people, cond, age, ones, recent, end, dob)
    return rows.frame()


def _bmi(rng, rows, library, obese, diabetic, adult, recent, end) -> None:
    # Obesity register = BMI 30+ recorded in the last 12 months (QOF): one reading there.
    # Clean readings stay within the adult plausible range (15-100, plausible_ranges.csv).
    n = len(obese)
    level = np.where(obese, 30 + rng.exponential(4.5, n), rng.normal(25.5, 3.2, n).clip(16, 29.5))
    count = np.where(adult, rng.poisson(0.8, n) + diabetic, 0)
    who, dates = spread(rng, count, recent(5), end)
    value = level[who] + rng.normal(0, 0.8, len(who))
    value = np.where(obese[who], np.maximum(value, 30.0), np.minimum(value, 29.9)).clip(15, 70)
    rows.add(who, dates, library["bmi"].codes[0], value, library["bmi"].unit)
    who, dates = spread(rng, obese.astype(np.int64), recent(1), end)
    rows.add(who, dates, library["bmi"].codes[0], np.maximum(level[who], 30.0),
             library["bmi"].unit)
    rows.add(who, dates, np.where(level[who] >= 40, "408512008", "162864005"))


def _bp(rng, rows, library, hyp, age, recent, end) -> None:
    # Systolic rises with age; hypertensives run higher; diastolic tracks systolic.
    n = len(hyp)
    sys_level = np.where(hyp, rng.normal(142, 14, n),
                         rng.normal(116 + 0.3 * np.maximum(age - 30, 0), 11, n).clip(90, 155))
    count = np.where(hyp, 2 + rng.poisson(1.5, n),
                     np.where(age >= 40, rng.poisson(0.9, n), np.where(age >= 18, rng.poisson(
                         0.3, n), 0)))
    who, dates = spread(rng, count, recent(5), end)
    systolic = (sys_level[who] + rng.normal(0, 6, len(who))).clip(85, 220).round()
    diastolic = (0.45 * systolic + 22 + rng.normal(0, 6, len(who))).clip(45, 130).round()
    rows.add(who, dates, library["systolic_bp"].codes[0], systolic, library["systolic_bp"].unit)
    rows.add(who, dates, library["diastolic_bp"].codes[0], diastolic, library["diastolic_bp"].unit)


def _events(rng, rows, library, people, cond, age, ones, recent, end, dob) -> None:
    n = len(age)
    # COPD exacerbations: ~0.7 a year-pair per COPD patient [assumption].
    copd = cond["copd"].to_numpy()
    who, dates = spread(rng, np.where(copd, rng.poisson(0.7, n), 0), recent(2), end)
    rows.add(who, dates, library["copd_exacerbation"].codes[0])
    # Influenza vaccination each of the last 3 autumns: ~78% of 65+, ~45% of at-risk
    # younger adults (UKHSA uptake figures [unverified]). Dates 1 Sep - 15 Dec.
    at_risk = (cond[["t2dm", "t1dm", "copd", "asthma", "chd", "ckd", "heart_failure"]]
               .any(axis=1).to_numpy())
    take = np.where(age >= 65, 0.78, np.where(at_risk & (age >= 18), 0.45, 0.0))
    last = end.max().astype(object).year
    for year in range(last - 3, last + 1):
        sept = np.datetime64(f"{year}-09-01")
        got = rng.random(n) < take
        who, dates = spread(rng, got.astype(np.int64), np.maximum(recent(5), sept),
                            np.minimum(end, sept + np.timedelta64(105, "D")))
        rows.add(who, dates, library["influenza_vaccination"].codes[0])
    # Shingles vaccination offered at 70-79: ~45% of those who reached 70 [unverified].
    lo = np.maximum(recent(10), dob + np.timedelta64(25568, "D"))  # 70 years
    hi = np.minimum(end, dob + np.timedelta64(29220, "D"))  # 80 years
    got = (age >= 70) & (rng.random(n) < 0.45)
    who, dates = spread(rng, got.astype(np.int64), lo, hi)
    rows.add(who, dates, pick_codes(rng, library["shingles_vaccination"].codes, len(who), 0.6))
    # Fragility fractures: a third of people with osteoporosis; ~2% of women and ~0.8% of
    # men over 65 otherwise [assumption], after age 50.
    female = (people["sex"] == "F").to_numpy()
    p = np.where(cond["osteoporosis"].to_numpy(), 0.35,
                 np.where(age >= 65, np.where(female, 0.02, 0.008), 0.0))
    lo = np.maximum(recent(10), dob + np.timedelta64(18263, "D"))  # 50 years
    who, dates = spread(rng, (rng.random(n) < p).astype(np.int64), lo, end)
    rows.add(who, dates, pick_codes(rng, library["fragility_fracture"].codes, len(who)))
