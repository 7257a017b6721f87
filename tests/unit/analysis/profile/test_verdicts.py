"""Verdict thresholds and the overall score."""

from __future__ import annotations

import datetime as dt

from dart.analysis.profile.model import Check, Completeness, Conformance, Ratio
from dart.analysis.profile.result import StoreProfile
from dart.analysis.profile.verdicts import Threshold


def test_most_and_least_thresholds_at_their_boundaries():
    most = Threshold("most", 0.0, 0.001)
    assert [most.verdict(v) for v in (0.0, 0.0005, 0.001, 0.0011)] == [
        "pass", "warn", "warn", "fail"]
    least = Threshold("least", 0.8, 0.6)
    assert [least.verdict(v) for v in (0.8, 0.79, 0.6, 0.59)] == [
        "pass", "warn", "warn", "fail"]
    assert most.verdict(None) == "pass"  # nothing to judge


def _profile(verdicts: list[str]) -> StoreProfile:
    checks = tuple(Check(f"x.{i}", "conformance", "t", v, "r") for i, v in enumerate(verdicts))
    none = Ratio(0, 0)
    return StoreProfile(dt.date(2026, 6, 30), 0, 0, checks,
                        Conformance((), (), none, none, {}, {}),
                        Completeness(none, none, none, none, ()), (), ())


def test_score_counts_passes_only_and_the_verdict_is_the_worst():
    assert (_profile(["pass", "pass", "warn", "fail"]).score,
            _profile(["pass", "pass", "warn", "fail"]).verdict) == (50.0, "fail")
    assert _profile(["pass", "warn"]).verdict == "warn"
    assert _profile(["pass"]).to_json()["counts"] == {"pass": 1, "warn": 0, "fail": 0}
