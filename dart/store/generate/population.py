"""Patients: age and sex, ethnicity, deprivation, registration history, deaths, opt-outs.

Figures come from the reference tables (``sample_data/reference``): the ONS age-sex pyramid
(older bands more female), ethnicity by English region or by nation, IMD quintiles with
Asian and Black residents over-represented in the most deprived quintile. Dates are held
as numpy ``datetime64[D]``; NaT means null.

Two adjustments make the draw look like GP records rather than a census:

* Ethnicity is *recorded* with the 2001-census grouping GP systems use (PRIMIS/OpenSAFELY
  ``eth2001``, ONS Census 2001 ethnic groups [verified]), which puts Chinese under "Other"; the
  census tables put Chinese under "Asian", so the nation's Chinese share
  (``chinese_by_nation.csv``) of those drawn Asian is recorded as 'other'.
* Age is tied to region and ethnic group: London (median 35) is younger than the South West
  (44) (Census 2021 [verified], ``median_age_by_region.csv``) and ethnic-minority groups are
  younger than White (NISRA Census 2011 bulletin: under 45 were 93% of Mixed, 87% of Black,
  82% of Asian, 76% of Other and 61% of White residents [verified, direction only]). The
  ages drawn from the UK pyramid are *re-dealt* among the chunk's patients by a "youth
  score" (a Gaussian copula), so the UK pyramid (and its sex split) is kept exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dart.store import reference
from dart.store.generate.names import GROUPS, names
from dart_vocab import region_nation

DAY = np.timedelta64(1, "D")
YEAR_DAYS = 365.25
# Share of patients whose ethnicity is not recorded. GP records leave roughly 5-10% without
# an ethnicity code [assumption: no published figure found].
UNKNOWN_ETHNICITY = 0.07
UNKNOWN_IMD = 0.03  # no postcode match: IMD unknown [assumption]
OPT_OUT = 0.03  # research opt-out (National Data Opt-out is ~3-5% [unverified])
LEAVERS = 0.03  # left the practice in the last three years [assumption]
# Regional tilt of deprivation: positive means more of the region is in quintile 1. The
# North East, North West and West Midlands hold more of England's most deprived LSOAs and
# the South East and East the fewest (IoD2019 direction [unverified]); other nations' own
# indices are cut into quintiles of their own population, so no tilt there.
IMD_TILT = {
    "North East": 0.9, "North West": 0.8, "Yorkshire and The Humber": 0.6,
    "West Midlands": 0.6, "London": 0.4, "East Midlands": 0.1, "South West": -0.3,
    "East of England": -0.5, "South East": -0.8,
}
# Youth score (in standard deviations of the copula's noise) by ethnic group, in GROUPS order
# (asian, black, mixed, white, other, unknown): ordered as the NISRA shares under 45 above;
# sizes tuned [assumption] so that minority medians come out ~10-15 years below White (E&W
# Census 2021 medians ~ White 43, Asian 31, Black 30, Mixed 21, Other 32 [unverified]).
ETH_YOUTH = np.array([0.25, 0.27, 0.55, 0.0, 0.22, 0.08])
# Youth score per year of a region's census median age below 40 [assumption, tuned so the
# generated regional medians land within ~2 years of the table, ethnicity included].
REGION_YOUTH_PER_YEAR = 0.025
BAND_LOW = np.arange(0, 95, 5)
GROUP_INDEX = {g: i for i, g in enumerate(GROUPS)}


def _draw_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of ``probs`` (rows sum to 1), by inverse CDF."""
    cdf = probs.cumsum(axis=1)
    cdf /= cdf[:, -1:]
    return (rng.random(len(probs))[:, None] > cdf).sum(axis=1)


def _ethnicity_table(regions: list[str]) -> np.ndarray:
    by_region = reference.ethnicity_by_region()
    by_nation = reference.ethnicity_by_nation()
    rows = [by_region.loc[r] if r in by_region.index else by_nation.loc[r] for r in regions]
    # Columns follow GROUPS order (asian, black, mixed, white, other).
    return np.array([[row[g] for g in GROUPS[:5]] for row in rows])


def _ages(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    pyramid = reference.uk_age_sex()
    cells = np.concatenate([pyramid["female"].to_numpy(), pyramid["male"].to_numpy()])
    cell = rng.choice(len(cells), size=n, p=cells / cells.sum())
    band = cell % len(pyramid)
    female = cell < len(pyramid)
    width = np.where(band == len(pyramid) - 1, 0.0, 5.0)
    # 90+: numbers fall steeply with age, roughly halving every 3 years.
    tail = np.minimum(rng.exponential(4.0, n), 14.9)
    age = BAND_LOW[band] + np.where(width > 0, rng.random(n) * 5.0, tail)
    return age, female


def _redeal_ages(rng: np.random.Generator, age: np.ndarray, female: np.ndarray,
                 youth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same (age, sex) pairs dealt out again so that a higher ``youth`` tends to get a
    younger age: ranks of ``youth + N(0, 1)`` take the ages in ascending order. The set of
    ages, and so the pyramid, is unchanged."""
    score = youth + rng.standard_normal(len(age))
    by_age = np.argsort(age, kind="stable")
    by_youth = np.argsort(-score, kind="stable")
    new_age = np.empty_like(age)
    new_female = np.empty_like(female)
    new_age[by_youth] = age[by_age]
    new_female[by_youth] = female[by_age]
    return new_age, new_female


def _chinese_fraction(regions: list[str]) -> np.ndarray:
    """For each region, the fraction of its census 'Asian' who are Chinese: the nation's
    Chinese share over the nation's Asian share (no regional breakdown is shipped)."""
    chinese = reference.chinese_share_by_nation()
    asian = reference.ethnicity_by_nation()["asian"]
    return np.array([chinese.get(n, 0.0) / asian[n] for n in map(region_nation, regions)])


def make_patients(rng: np.random.Generator, first_id: int, n: int, practices: pd.DataFrame,
                  extract: np.datetime64) -> pd.DataFrame:
    """``n`` patients with ids from ``first_id``, registered at ``practices`` by weight.

    Besides the store's columns the frame keeps ``age`` (years at the extract date, float),
    ``eth`` (index into GROUPS), ``region`` and ``end`` (the last day records can have:
    the extract date, the day they left or died)."""
    practice_row = rng.choice(len(practices), size=n, p=practices["weight"].to_numpy())
    region = practices["region"].to_numpy()[practice_row]
    age, female = _ages(rng, n)

    region_names = sorted(set(practices["region"]))
    region_idx = np.searchsorted(np.array(region_names), region)
    eth = _draw_rows(rng, _ethnicity_table(region_names)[region_idx])
    # Recorded as GP records group it: Chinese (census 'Asian') coded 'other'.
    chinese = (eth == GROUP_INDEX["asian"]) & (
        rng.random(n) < _chinese_fraction(region_names)[region_idx])
    eth = np.where(chinese, GROUP_INDEX["other"], eth)
    youth = ETH_YOUTH[eth]  # by the true group, before 'unknown' hides it
    eth = np.where(rng.random(n) < UNKNOWN_ETHNICITY, GROUP_INDEX["unknown"], eth)

    medians = reference.median_age_by_region()
    region_youth = np.array([40.0 - medians.get(r, 40.0) for r in region_names])
    youth = youth + REGION_YOUTH_PER_YEAR * region_youth[region_idx]
    age, female = _redeal_ages(rng, age, female, youth)
    dob = extract - np.floor(age * YEAR_DAYS).astype(np.int64) * DAY

    quint = reference.imd_quintiles()
    minority = np.isin(eth, [GROUP_INDEX["asian"], GROUP_INDEX["black"]])
    weight = np.where(minority[:, None], quint["minority_weight"].to_numpy()[None, :], 1.0)
    tilt = np.array([IMD_TILT.get(r, 0.0) for r in region_names])[region_idx]
    weight = weight * np.exp(tilt[:, None] * np.array([0.5, 0.25, 0.0, -0.25, -0.5])[None, :])
    imd = (_draw_rows(rng, weight * quint["share"].to_numpy()) + 1).astype(float)
    imd[rng.random(n) < UNKNOWN_IMD] = np.nan

    # Registration: time at the current practice is roughly exponential (mean ~10 years),
    # so there are recent joiners; a newborn registers at birth.
    years_registered = rng.exponential(10.0, n)
    start = np.maximum(dob, extract - np.floor(years_registered * YEAR_DAYS).astype(int) * DAY)

    # Deaths in the last two years with Gompertz-like annual mortality (~0.1% at 40,
    # ~5% at 80, ~25% at 95) [assumption, shaped after ONS life tables; unverified].
    annual = np.clip(np.exp(-10.2 + 0.094 * age), 0, 0.5)
    died = rng.random(n) < 1 - (1 - annual) ** 2
    death = extract - (rng.random(n) * 2 * YEAR_DAYS).astype(int) * DAY
    died &= death > start
    left = ~died & (rng.random(n) < LEAVERS)
    leave = extract - (rng.random(n) * 3 * YEAR_DAYS).astype(int) * DAY
    left &= leave > start
    nat = np.datetime64("NaT", "D")
    date_of_death = np.where(died, death, nat)
    # A patient's registration ends when they leave or die.
    registration_end = np.where(died, death, np.where(left, leave, nat))
    end = np.where(died | left, registration_end, extract)

    given, family = names(rng, female, eth)
    return pd.DataFrame({
        "patient_id": np.arange(first_id, first_id + n),
        "practice_id": practices["practice_id"].to_numpy()[practice_row],
        "given_name": given,
        "family_name": family,
        "date_of_birth": dob,
        "sex": np.where(female, "F", "M"),
        "ethnicity": np.array(GROUPS)[eth],
        "imd_quintile": pd.array(imd, dtype="Int64"),
        "registration_start": start,
        "registration_end": registration_end,
        "date_of_death": date_of_death,
        "research_opt_out": rng.random(n) < OPT_OUT,
        "age": age,
        "eth": eth,
        "region": region,
        "end": end,
    })
