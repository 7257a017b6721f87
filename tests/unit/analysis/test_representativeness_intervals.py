"""The statistics of representativeness: intervals against textbook and hand values."""

from __future__ import annotations

import pytest

from dart.analysis.representativeness.intervals import (
    Thresholds,
    ratio_of_proportions,
    ratio_vs_fixed,
    wilson,
)


@pytest.mark.parametrize("count,total,low,high", [
    # Newcombe (1998), Stat Med 17:857-872, Table I, method 3 (Wilson score, no correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe(count, total, low, high):
    got = wilson(count, total)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_katz_ratio_hand_computed():
    # (20/100) / (10/100) = 2; SE(log) = sqrt(1/20 - 1/100 + 1/10 - 1/100) = sqrt(0.13)
    # = 0.360555; 2 * exp(-/+ 1.959964 * 0.360555) = 0.98656, 4.05448
    est = ratio_of_proportions(20, 100, 10, 100)
    assert est.value == 2.0
    assert (est.lower, est.upper) == pytest.approx((0.98656, 4.05448), abs=1e-5)


def test_katz_zero_count_uses_haldane_correction():
    # a = 0: the ratio is 0, the lower bound 0; the upper bound from 0.5/(n1+1) and
    # (b+0.5)/(n2+1): log((0.5/11)/(10.5/101)) = -0.827297,
    # SE = sqrt(1/0.5 - 1/11 + 1/10.5 - 1/101) = 1.412242 -> exp(-0.827297 + 2.767945) = 6.9633
    est = ratio_of_proportions(0, 10, 10, 100)
    assert est.value == 0.0 and est.lower == 0.0
    assert est.upper == pytest.approx(6.9633, abs=1e-4)


def test_katz_undefined_without_reference_members():
    assert ratio_of_proportions(3, 10, 0, 100) is None
    assert ratio_of_proportions(0, 0, 5, 100) is None


def test_ratio_against_a_fixed_reference_is_wilson_over_the_share():
    # cohort 81/263 = 0.30798 against a fixed 0.25: 1.23194 (0.2553/0.25, 0.3662/0.25)
    est = ratio_vs_fixed(81, 263, 0.25)
    assert est.value == pytest.approx(81 / 263 / 0.25)
    assert (est.lower, est.upper) == pytest.approx((1.0212, 1.4648), abs=2e-4)
    assert ratio_vs_fixed(5, 10, 0.0) is None


@pytest.mark.parametrize("ratio,flag", [(0.79, "under"), (0.8, "ok"), (1.25, "ok"),
                                        (1.26, "over"), (None, None)])
def test_flags_at_the_default_thresholds(ratio, flag):
    assert Thresholds().flag(ratio) == flag


def test_thresholds_are_configurable_and_checked():
    assert Thresholds(0.9, 1.1).flag(0.85) == "under"
    with pytest.raises(ValueError):
        Thresholds(1.2, 1.1)
