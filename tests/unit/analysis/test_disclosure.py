"""The disclosure engine: the perturbation table, the policy and a feasibility result."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dart.analysis.disclosure import (
    KEY_BASE,
    DisclosedResult,
    DisclosurePolicy,
    RecordKeys,
    apply_disclosure,
    count_text,
    deployment_secret,
    monotone,
)
from dart.analysis.disclosure import keys as keys_module
from dart.analysis.disclosure.ptable import row
from dart.analysis.feasibility import Cell, FeasibilityResult, FunnelStep, RuleImpact

POLICY = DisclosurePolicy(secret="unit")
EXACT = DisclosurePolicy(enabled=False)


def test_small_counts_and_true_zeros_share_one_marker():
    for n in range(0, 8):
        assert {POLICY.disclose(n, k) for k in range(KEY_BASE)} == {None}
    assert POLICY.marker == "<8"
    assert POLICY.disclose(0, 5, structural=True) == 0
    # "structural" only ever publishes a 0: a non-empty cell is perturbed as any other.
    assert POLICY.disclose(50, 5, structural=True) != 0


def test_published_counts_stay_above_the_threshold_and_within_the_maximum():
    for n in range(8, 400):
        for k in range(KEY_BASE):
            shown = POLICY.disclose(n, k)
            assert shown >= 8 and abs(shown - n) <= 4
            if n >= 100:
                assert abs(shown - n) <= 0.05 * n


def test_each_row_spreads_its_perturbations_evenly():
    full = Counter(row(500, 4, 7))
    assert set(full) == set(range(-4, 5))
    assert max(full.values()) - min(full.values()) <= 1  # 256 cells over 9 values
    assert abs(sum(v * c for v, c in full.items()) / KEY_BASE) < 0.05  # mean about 0
    assert set(row(8, 4, 7)) == set(range(0, 5))  # never published at 7 or below
    assert row(500, 4, 7) != row(501, 4, 7)  # rows are shuffled independently
    with pytest.raises(ValueError):
        row(7, 4, 7)


def test_same_count_and_key_same_number_one_more_patient_another_draw():
    assert POLICY.disclose(120, 33) == POLICY.disclose(120, 33)
    # Over every cell key, a set of 120 and the same set with one more patient (key r)
    # get perturbations that agree no more often than chance (1/9) would.
    agree = sum(POLICY.disclose(120, k) - 120 == POLICY.disclose(121, (k + r) % KEY_BASE) - 121
                for k in range(KEY_BASE) for r in range(KEY_BASE))
    assert agree / KEY_BASE**2 == pytest.approx(1 / 9, abs=0.02)


def test_disabled_policy_is_exact():
    assert [EXACT.disclose(n, 3) for n in (0, 3, 8, 1234)] == [0, 3, 8, 1234]


@pytest.mark.parametrize("bad", [{"threshold": -1}, {"max_perturbation": -1},
                                 {"max_perturbation": 11}])
def test_policy_rejects_bad_parameters(bad):
    with pytest.raises(ValueError):
        DisclosurePolicy(**bad)


def test_record_keys_depend_on_the_secret_and_stay_in_range():
    a, b = RecordKeys.from_secret("one"), RecordKeys.from_secret("two")
    ids = range(1, 2001)
    assert [a.of(i) for i in ids] != [b.of(i) for i in ids]
    assert all(0 <= a.of(i) < KEY_BASE for i in (*ids, -7, 0, 2**31 - 1))
    counts = Counter(a.of(i) for i in range(1, 25601))  # ~100 per key if uniform
    assert min(counts.values()) > 50 and max(counts.values()) < 160
    with pytest.raises(ValueError):
        RecordKeys.from_secret("")


def test_the_secret_is_never_shown():
    policy = DisclosurePolicy(secret="very-secret-value")
    assert "very-secret-value" not in repr(policy) + json.dumps(policy.to_json())
    assert repr(policy.keys) == "RecordKeys()"  # nor what is derived from it


def test_the_deployment_secret_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("DART_DISCLOSURE_SECRET", raising=False)
    path = tmp_path / "dart" / "disclosure.secret"
    monkeypatch.setattr(keys_module, "secret_path", lambda: path)
    first = deployment_secret()
    assert len(first) == 64 and deployment_secret() == first  # stable across uses
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    monkeypatch.setenv("DART_DISCLOSURE_SECRET", "from-the-environment")
    assert deployment_secret() == "from-the-environment"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(8, 5000), min_size=1, max_size=8))
def test_monotone_never_increases_and_keeps_the_last_step(exact):
    steps = sorted(exact, reverse=True)
    shown = [POLICY.disclose(n, (n * 7) % KEY_BASE) for n in steps]
    out = monotone(shown)
    assert all(a >= b for a, b in zip(out, out[1:], strict=False))
    assert out[-1] == shown[-1]
    assert all(abs(o - n) <= 4 for o, n in zip(out, steps, strict=True))


def test_count_text():
    assert count_text(None, marker="<8") == "<8"
    assert count_text(0, marker="<8", structural=True) == "0 (structural)"
    assert count_text(1234, marker="<8") == "1,234"


def make_result(base, funnel, impacts, breakdowns, keys=None) -> FeasibilityResult:
    steps, before = [], base
    for i, n in enumerate(funnel):
        steps.append(FunnelStep(f"rule {i}", "include", n, before - n))
        before = n
    return FeasibilityResult(
        study="Test", index_date=dt.date(2026, 6, 30), criteria_hash="x" * 64, base=base,
        eligible=funnel[-1], population=base, population_label=None, funnel=tuple(steps),
        unique_impact=tuple(RuleImpact(f"rule {i}", "include", n)
                            for i, n in enumerate(impacts)),
        breakdowns=breakdowns, opt_outs=12, cell_keys=keys or {})


def test_a_result_is_published_count_by_count():
    cells = {"age_band": (Cell("0-4", 0, structural=True), Cell("40-44", 0),
                          Cell("45-49", 3), Cell("50-54", 197))}
    keys = {("base",): 11, ("funnel", 0): 40, ("funnel", 1): 99, ("eligible",): 99,
            ("age_band", "50-54"): 7, ("opt_outs",): 3}
    result = make_result(1000, (400, 200), (5, 300), cells, keys)
    out = apply_disclosure(result, POLICY)
    assert isinstance(out, DisclosedResult) and out.cell_keys == {}
    assert out.base == POLICY.disclose(1000, 11)
    assert out.eligible == out.funnel[-1].remaining == POLICY.disclose(200, 99)
    assert out.opt_outs == POLICY.disclose(12, 3)
    assert [r.count for r in out.unique_impact] == [None, POLICY.disclose(300, 0)]
    assert [s.dropped for s in out.funnel] == [out.base - out.funnel[0].remaining,
                                               out.funnel[0].remaining - out.eligible]
    age = {c.group: (c.count, c.structural) for c in out.breakdowns["age_band"]}
    assert age == {"0-4": (0, True), "40-44": (None, False), "45-49": (None, False),
                   "50-54": (POLICY.disclose(197, 7), False)}
    data = json.loads(json.dumps(out.to_json()))
    assert data["disclosure"] == {"method": "cell key perturbation", "threshold": 7,
                                  "marker": "<8", "max_perturbation": 4, "applied": True,
                                  "breakdowns_withheld": False}
    assert data["breakdowns"]["age_band"][0] == {"group": "0-4", "count": 0,
                                                 "suppressed": False, "structural": True,
                                                 "percent": 0.0}
    assert data["breakdowns"]["age_band"][1]["suppressed"] is True
    assert "cell_keys" not in data and result.base == 1000  # pure
    with pytest.raises(TypeError):
        apply_disclosure(out, POLICY)


def test_a_small_cohort_withholds_every_breakdown():
    cells = {"sex": (Cell("F", 5), Cell("M", 0, structural=True))}
    out = apply_disclosure(make_result(100, (5,), (95,), cells), POLICY)
    assert out.eligible is None and out.breakdowns_withheld
    assert [(c.count, c.structural) for c in out.breakdowns["sex"]] == [(None, False)] * 2
    assert out.funnel[0].dropped is None


def test_the_funnel_never_increases_after_perturbation():
    # 500 -> 499 -> 498: perturbations of up to 4 would often reverse the order.
    for key in range(KEY_BASE):
        keys = {("base",): key, ("funnel", 0): (key * 3) % KEY_BASE,
                ("funnel", 1): (key * 5 + 1) % KEY_BASE}
        out = apply_disclosure(make_result(500, (499, 498), (1, 1), {}, keys), POLICY)
        shown = [out.base, *(s.remaining for s in out.funnel)]
        assert shown == sorted(shown, reverse=True)
        assert out.eligible == POLICY.disclose(498, keys[("funnel", 1)])
        assert all(s.dropped >= 0 for s in out.funnel)


def test_exact_policy_keeps_every_count():
    cells = {"sex": (Cell("F", 5), Cell("M", 2))}
    out = apply_disclosure(make_result(50, (7,), (43,), cells), EXACT).to_json()
    assert (out["base"], out["eligible"], out["opt_outs"]) == (50, 7, 12)
    assert out["breakdowns"]["sex"][0]["percent"] == pytest.approx(71.4)
    assert out["disclosure"]["applied"] is False
