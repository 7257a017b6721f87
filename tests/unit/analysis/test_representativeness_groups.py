"""The trial's age range from the rules, and the UK reference restricted to it."""

from __future__ import annotations

import pytest

from criteria_grammar import parse
from dart.analysis.representativeness.groups import AgeRange, derive_age_range
from dart.analysis.representativeness.uk import harmonise_ethnicity, uk_shares
from dart.store import reference


def age_range(rules: str) -> tuple[int | None, int | None] | None:
    found = derive_age_range(parse("codelist dm = snomed(\"44054006\")\n" + rules))
    return None if found is None else (found.low, found.high)


@pytest.mark.parametrize("rules,expected", [
    ("include age >= 18", (18, None)),
    ("include age > 17.5", (18, None)),
    ("include age between 40 and 80", (40, 80)),
    ("include age < 66", (None, 65)),
    ("include age >= 18 and has dm", (18, None)),
    ("include age >= 18\ninclude age <= 65", (18, 65)),
    ("exclude age > 65", (None, 65)),
    ("exclude age < 18 or age > 80", (18, 80)),
    ("include not (age < 18)", (18, None)),
    ("define adult = age >= 18\ninclude adult", (18, None)),
    ("include age between 18 and 90\nexclude age >= 66", (18, 65)),
    # not recognised: an or of includes, an exclude of a closed range, an and of excludes
    ("include age < 18 or has dm", None),
    ("exclude age between 40 and 50", None),
    ("exclude age > 65 and has dm", None),
    ("include has dm", None),
])
def test_age_range_from_rules(rules, expected):
    assert age_range(rules) == expected


def test_band_fraction_counts_the_years_inside_the_range():
    ages = AgeRange(18, 65)
    assert ages.band_fraction("15-19") == pytest.approx(2 / 5)  # 18, 19
    assert ages.band_fraction("65-69") == pytest.approx(1 / 5)  # 65
    assert ages.band_fraction("40-44") == 1.0
    assert ages.band_fraction("0-4") == 0.0
    assert AgeRange(95, None).band_fraction("90+") == pytest.approx(5 / 10)  # 90+ = 90-99


def test_uk_age_and_sex_shares_are_restricted_to_the_trial_ages():
    table = reference.uk_age_sex().set_index("age_band")
    uk = uk_shares(AgeRange(18, 65)).shares
    weights = {b: AgeRange(18, 65).band_fraction(b) for b in table.index}
    denominator = sum(table.loc[b, "share"] * w for b, w in weights.items())
    assert uk["age_band"]["0-4"] == 0.0 and uk["age_band"]["70-74"] == 0.0
    assert uk["age_band"]["15-19"] == pytest.approx(table.loc["15-19", "share"] * 0.4
                                                   / denominator)
    assert uk["age_band"]["65-69"] == pytest.approx(table.loc["65-69", "share"] * 0.2
                                                   / denominator)
    assert sum(uk["age_band"].values()) == pytest.approx(1.0)
    female = sum(table.loc[b, "female"] * w for b, w in weights.items()) / denominator
    assert uk["sex"]["F"] == pytest.approx(female)
    # without an age range: the table's own shares
    assert uk_shares(None).shares["age_band"]["0-4"] == pytest.approx(table.loc["0-4", "share"])


def test_uk_ethnicity_moves_chinese_from_asian_to_other():
    # Census grouping (Chinese in Asian) -> GP grouping (Chinese in Other)
    got = harmonise_ethnicity({"asian": 0.093, "black": 0.04, "mixed": 0.029, "white": 0.817,
                               "other": 0.021}, chinese=0.007)
    assert got["asian"] == pytest.approx(0.086)
    assert got["other"] == pytest.approx(0.028)
    assert got["white"] == pytest.approx(0.817)
    uk = uk_shares(None).shares["ethnicity"]
    assert sum(uk.values()) == pytest.approx(1.0)
