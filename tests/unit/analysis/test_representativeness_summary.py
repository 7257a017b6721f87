"""A rule's effect is reported in every dimension, not only on its single worst group."""

from dart.analysis.representativeness.model import RuleChange, RuleImpact
from dart.reports.representativeness_text import lowered_by_dimension


def change(dimension, group, without, with_):
    return RuleChange(dimension, group, group, with_, without)


def test_most_lowered_group_in_each_dimension():
    changes = (
        change("age_band", "60-64", 1.78, 1.72),   # -0.06: worst overall
        change("age_band", "55-59", 1.77, 1.75),   # -0.02
        change("ethnicity", "asian", 1.12, 1.10),  # -0.02: the ethnic group lowered most
        change("ethnicity", "black", 1.05, 1.04),  # -0.01
        change("ethnicity", "white", 0.95, 0.97),  # raised: never listed
        change("imd_quintile", "1", 1.010, 1.008),  # -0.002: below the 0.005 floor
        change("sex", "F", None, 0.9),             # no ratio without: unknown change
    )
    impact = RuleImpact(2, "eGFR below 30", "exclude", "latest egfr < 30", 100, changes,
                        changes[0])
    got = {(c.dimension, c.group) for c in lowered_by_dimension(impact)}
    assert got == {("age_band", "60-64"), ("ethnicity", "asian")}


def test_an_interval_that_includes_one_is_called_uncertain():
    from types import SimpleNamespace

    from dart.analysis.representativeness.summary import _includes_one

    assert _includes_one(SimpleNamespace(lower=0.0, upper=5.35))      # 0 of a small group
    assert not _includes_one(SimpleNamespace(lower=0.32, upper=0.41))  # a real gap
    assert not _includes_one(SimpleNamespace(lower=None, upper=None))  # no interval
