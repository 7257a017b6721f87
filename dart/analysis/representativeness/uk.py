"""The UK reference population (ONS/census tables of ``dart.store.reference``) as shares
per dimension, restricted to the trial's age range where the tables allow it.

* Age band and sex come from the UK age-by-sex table, restricted to the trial's ages (a band
  cut by the range counts for the share of its years inside it).
* Ethnic group, IMD quintile, nation and region tables have no age breakdown: they are
  shares of all ages, and the result says so.
* Ethnic group is harmonised to the GP-record grouping (Chinese moved from Asian to
  Other by ``dart.store.reference.chinese_share_by_nation``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dart.analysis.representativeness.groups import AgeRange
from dart_vocab import KNOWN_ETHNIC_GROUPS

# GP records group ethnicity by the 2001-census five groups (the PRIMIS/OpenSAFELY `eth2001`
# list), which put Chinese under "Other"; the 2011/2021/2022 censuses put Chinese under
# "Asian". A store holds only the five groups, so DART moves the Chinese share of each
# nation's census population from Asian to Other in the reference instead. The shares are
# the reference table `chinese_by_nation` (`dart.store.reference.chinese_share_by_nation`,
# which cites its sources: Census 2021 TS022 for England and Wales).


@dataclass(frozen=True)
class UkReference:
    """UK shares: ``shares[dimension][group]``; ``notes`` say how they were made."""

    shares: Mapping[str, Mapping[str, float]]
    notes: tuple[str, ...]
    sources: tuple[str, ...]


def _normalise(values: Mapping[str, float]) -> dict[str, float]:
    total = sum(values.values())
    return {k: (v / total if total else 0.0) for k, v in values.items()}


def harmonise_ethnicity(shares: Mapping[str, float], chinese: float) -> dict[str, float]:
    """Census five-group shares (Chinese within Asian) regrouped as GP records group them
    (Chinese within Other): ``chinese`` (a share of the same population) moves across."""
    moved = min(chinese, shares.get("asian", 0.0))
    out = {g: float(shares.get(g, 0.0)) for g in KNOWN_ETHNIC_GROUPS}
    out["asian"] -= moved
    out["other"] += moved
    return _normalise(out)


def uk_shares(age_range: AgeRange | None) -> UkReference:
    """The UK reference shares for every dimension (``dart.store.reference`` tables)."""
    from dart.store import reference as ref  # imported late: the tables are read on demand

    notes: list[str] = []
    age = ref.uk_age_sex()
    weights = [age_range.band_fraction(b) if age_range else 1.0 for b in age["age_band"]]
    persons = {b: s * w for b, s, w in zip(age["age_band"], age["share"], weights, strict=True)}
    female = sum(f * w for f, w in zip(age["female"], weights, strict=True))
    male = sum(m * w for m, w in zip(age["male"], weights, strict=True))
    if age_range:
        notes.append(f"UK age and sex shares are of people {age_range.describe()}, the ages "
                     "the rules allow; other UK shares are of all ages (the tables have no "
                     "age breakdown).")

    nations = ref.nations().set_index("nation")["share"]
    by_nation = ref.ethnicity_by_nation()
    chinese = ref.chinese_share_by_nation()
    ethnicity = {g: 0.0 for g in KNOWN_ETHNIC_GROUPS}
    for nation, row in by_nation.iterrows():
        weight = float(nations.get(nation, 0.0))
        harmonised = harmonise_ethnicity(row.to_dict(), float(chinese.get(str(nation), 0.0)))
        for group, share in harmonised.items():
            ethnicity[group] += weight * share
    notes.append("UK ethnic-group shares: each nation's census shares weighted by its "
                 "population, with Chinese moved from Asian to Other to match GP records.")

    regions = ref.uk_regions()
    imd = ref.imd_quintiles()
    shares = {
        "sex": _normalise({"F": female, "M": male}),
        "age_band": _normalise(persons),
        "ethnicity": _normalise(ethnicity),
        "imd_quintile": _normalise({str(int(q)): float(s)
                                    for q, s in zip(imd["quintile"], imd["share"], strict=True)}),
        "nation": _normalise({str(n): float(s) for n, s in nations.items()}),
        "region": _normalise({str(r): float(s)
                              for r, s in zip(regions["region"], regions["share"], strict=True)}),
    }
    sources = tuple(f"{s.name}: {s.source} ({s.year})" for s in ref.sources())
    return UkReference(shares, tuple(notes), sources)
