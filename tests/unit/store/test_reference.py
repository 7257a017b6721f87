"""Reference populations: every table loads, cites its source, and its shares add up."""

from __future__ import annotations

import pytest

from dart.store import reference
from dart.store.reference import ETHNIC_COLUMNS, ReferenceError
from dart.store.schema import ENGLISH_REGIONS, NATIONS, REGIONS
from dart_vocab import AGE_BANDS


def test_every_table_cites_source_and_year():
    found = reference.sources()
    assert {s.name for s in found} >= {"nations", "regions", "uk_age_sex",
                                      "ethnicity_by_nation", "imd_quintiles"}
    for s in found:
        assert s.source and s.year.isdigit(), s


def test_load_reference_carries_attrs():
    frame = reference.load_reference("nations")
    assert frame.attrs["year"] == "2023" and "ONS" in frame.attrs["source"]


def test_unknown_table():
    with pytest.raises(ReferenceError, match="no reference table"):
        reference.load_reference("nope")


def test_nations():
    frame = reference.nations()
    assert tuple(frame["nation"]) == ("England", "Wales", "Scotland", "Northern Ireland")
    assert set(frame["nation"]) == set(NATIONS)
    assert frame["share"].sum() == pytest.approx(1, abs=0.002)
    assert frame["population"].sum() == pytest.approx(68_265_209, rel=0.001)


def test_regions():
    frame = reference.regions()
    assert tuple(frame["region"]) == ENGLISH_REGIONS
    assert frame["share_of_england"].sum() == pytest.approx(1, abs=0.002)
    uk = reference.uk_regions()
    assert set(uk["region"]) == set(REGIONS)
    assert uk["share"].sum() == pytest.approx(1)
    assert uk.set_index("region").loc["Scotland", "share"] == pytest.approx(0.080, abs=0.002)


def test_age_sex():
    frame = reference.uk_age_sex()
    assert tuple(frame["age_band"]) == AGE_BANDS
    assert frame["share"].sum() == pytest.approx(1)
    assert (frame["female"] + frame["male"]).sum() == pytest.approx(1)
    assert frame["female"].sum() == pytest.approx(0.51, abs=0.005)
    by_band = frame.set_index("age_band")["female_share"]
    assert by_band["90+"] > by_band["65-69"] > by_band["0-4"]


def test_ethnicity_tables():
    nation = reference.ethnicity_by_nation()
    assert set(nation.index) == set(NATIONS) and tuple(nation.columns) == ETHNIC_COLUMNS
    assert nation.sum(axis=1).to_numpy() == pytest.approx(1)
    assert nation.loc["England", "white"] == pytest.approx(0.817, abs=0.002)
    region = reference.ethnicity_by_region()
    assert set(region.index) == set(ENGLISH_REGIONS)
    assert region.loc["London", "white"] < 0.6 < 0.9 < region.loc["North East", "white"]


def test_imd_quintiles():
    frame = reference.imd_quintiles()
    assert tuple(frame["quintile"]) == (1, 2, 3, 4, 5)
    assert frame["share"].sum() == pytest.approx(1)
    assert frame["minority_weight"].is_monotonic_decreasing


def test_qof_prevalence():
    frame = reference.qof_prevalence()
    assert frame.loc["diabetes", "prevalence"] == pytest.approx(0.0707)
    assert frame.loc["copd", "imd_d1"] > frame.loc["copd", "imd_d10"]


def test_chinese_share_by_nation():
    share = reference.chinese_share_by_nation()
    assert set(share.index) == set(NATIONS)
    # Census 2021 TS022: 445,619 Chinese of 59,597,542 usual residents in England and Wales.
    assert share["England"] == pytest.approx(445_619 / 59_597_542, abs=0.0002)
    assert ((share > 0) & (share < 0.02)).all()
    assert "TS022" in share.attrs["source"]


def test_median_age_by_region():
    median = reference.median_age_by_region()
    assert set(median.index) == set(REGIONS)
    assert median["London"] == 35 and median["South West"] == 44
    assert median["London"] == median.min() and median["South West"] == median.max()
