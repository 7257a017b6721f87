"""The disclosure engine: the perturbation table, the policy and a feasibility result."""

from __future__ import annotations

import dataclasses
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
    published_funnel,
)
from dart.analysis.disclosure import keys as keys_module
from dart.analysis.disclosure.ptable import SHAPE, row
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


def test_each_row_follows_the_published_shape():
    full = Counter(row(500, 4, 7))
    assert full == Counter(SHAPE)  # 8, 20, 36, 48, 32, 48, 36, 20, 8 of the 256 keys
    assert sum(v * c for v, c in full.items()) == 0  # unbiased
    assert set(row(8, 4, 7)) == set(range(0, 5))  # never published at 7 or below
    assert row(500, 4, 7) != row(501, 4, 7)  # rows are shuffled independently
    with pytest.raises(ValueError):
        row(7, 4, 7)


def test_same_count_and_key_same_number_one_more_patient_another_draw():
    assert POLICY.disclose(120, 33) == POLICY.disclose(120, 33)
    # Over every cell key, a set of 120 and the same set with one more patient (key r)
    # get perturbations that agree as often as two independent draws from the shape would.
    agree = sum(POLICY.disclose(120, k) - 120 == POLICY.disclose(121, (k + r) % KEY_BASE) - 121
                for k in range(KEY_BASE) for r in range(KEY_BASE))
    chance = sum((c / KEY_BASE) ** 2 for c in SHAPE.values())  # 0.14
    assert agree / KEY_BASE**2 == pytest.approx(chance, abs=0.01)


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


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(0, 400), min_size=1, max_size=8), st.integers(0, 400),
       st.lists(st.integers(0, KEY_BASE - 1), min_size=9, max_size=9),
       st.sampled_from([100, 220]))
def test_the_funnel_never_increases_ends_at_eligible_and_stays_within_5_percent(
        drops, eligible, keys, accurate_from):
    """Within 8 of the truth (two pieces of their own), and within 5 % from 100 patients
    under ``copies_accurate_from=100``, from 220 under the default."""
    policy = dataclasses.replace(POLICY, copies_accurate_from=accurate_from)
    steps = [eligible + sum(drops[i + 1:]) for i in range(len(drops))]
    base = steps[0] + drops[0]
    step_keys = [(n, keys[i + 1]) for i, n in enumerate(steps)]
    keyed = [(n, keys[i] - keys[i + 1]) for i, n in enumerate(drops)]
    shown_base, shown_eligible = policy.disclose(base, keys[0]), policy.disclose(eligible,
                                                                                keys[len(steps)])
    step_keys[-1] = (eligible, keys[len(steps)])
    remaining, dropped = published_funnel(policy, shown_base, shown_eligible, step_keys, keyed)
    assert remaining[-1] == shown_eligible
    numbers = [n for n in remaining if n is not None]
    assert numbers == sorted(numbers, reverse=True) and all(n > 7 for n in numbers)
    if shown_base is not None and shown_eligible is not None:
        assert all(n <= max(shown_base, shown_eligible) for n in numbers)
    # a step is the marker exactly when its true count is small, as any count
    assert [r is None for r in remaining] == [n <= 7 for n in steps]
    assert dropped == [policy.disclose(n, k) for n, k in keyed]
    for i, n in enumerate(steps):  # two pieces: within 8; from then on within 5 %
        if remaining[i] is not None:
            bound = n // 20 if n >= accurate_from else 8
            assert abs(remaining[i] - n) <= bound, (i, n, remaining)


def test_a_copy_beyond_5_percent_is_the_funnels_last_step_too():
    """Under ``copies_accurate_from=220`` (the default) the eligible cohort of 100 may read
    as a set 7 patients away published as 111 (11 off): the funnel's last step is that
    same 111, not moved back into 5 % (105 would say the cohort holds exactly 100)."""
    relaxed = DisclosurePolicy(secret="funnel", copies_accurate_from=220)
    steps, drops = [(130, 17), (100, 40)], [(20, 3), (30, 200)]
    remaining, _ = published_funnel(relaxed, 160, 111, steps, drops)
    assert remaining[-1] == 111
    assert remaining[0] >= 111 and remaining == sorted(remaining, reverse=True)
    # copies_accurate_from=100 keeps every step of 100 or more within 5 %: the same
    # pieces are moved
    strict = DisclosurePolicy(secret="funnel", copies_accurate_from=100)
    moved, _ = published_funnel(strict, 160, 111, steps, drops)
    assert moved[-1] == 105


def test_many_small_drops_no_longer_add_up_their_errors():
    # 60 rules each removing 2 patients (a drop of 2 is the marker): summed from the
    # bottom, each marker counted as 4 and the top step read 120 too high.
    steps = [(300 + 2 * (59 - i), (11 * i) % KEY_BASE) for i in range(60)]
    drops = [(2, 11) for _ in range(60)]
    base = POLICY.disclose(422, 5)
    remaining, _ = published_funnel(POLICY, base, POLICY.disclose(*steps[-1]), steps, drops)
    assert all(abs(r - n) <= n // 20 for r, (n, _) in zip(remaining, steps, strict=True))


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
    # step 0 = eligible + the patients of step 0 that rule 1 removes (400 - 200, key
    # 40 - 99), then within 5 % of 400
    assert out.funnel[0].remaining == max(380, min(420, out.eligible + POLICY.disclose(
        200, 40 - 99)))
    assert out.opt_outs == POLICY.disclose(12, 3)
    assert [r.count for r in out.unique_impact] == [None, POLICY.disclose(300, 0)]
    assert [s.dropped for s in out.funnel] == [POLICY.disclose(600, 11 - 40),
                                               POLICY.disclose(200, 40 - 99)]
    age = {c.group: (c.count, c.structural) for c in out.breakdowns["age_band"]}
    # 50-54 holds all but 3 of the 200 eligible: a nested cell, published as its total
    assert age == {"0-4": (0, True), "40-44": (None, False), "45-49": (None, False),
                   "50-54": (out.eligible, False)}
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
    assert out.funnel[0].dropped == POLICY.disclose(95, 0)  # a drop is a cell of its own


def test_two_chains_differing_by_one_group_differ_by_one_number():
    # The differencing chain: the same rules with a group T of 3 kept in every step. Both
    # funnels share every step's patients that later rules remove, so every step differs
    # by the same amount (one look at T's size through noise, however many steps).
    def chain(t: int, t_key: int):
        steps = [900 + t, 700 + t, 650 + t, 300 + t]
        keys = {("base",): 5, ("funnel", 0): 17 + t_key, ("funnel", 1): 90 + t_key,
                ("funnel", 2): 3 + t_key, ("funnel", 3): 201 + t_key, ("eligible",): 201 + t_key}
        return apply_disclosure(make_result(1000, steps, (1, 1, 1, 1), {}, keys), POLICY)

    plain, with_t = chain(0, 0), chain(3, 77)
    differences = {b.remaining - a.remaining for a, b in zip(plain.funnel, with_t.funnel,
                                                               strict=True)}
    assert len(differences) == 1
    assert [s.dropped for s in plain.funnel[1:]] == [s.dropped for s in with_t.funnel[1:]]


def test_exact_policy_keeps_every_count():
    cells = {"sex": (Cell("F", 5), Cell("M", 2))}
    out = apply_disclosure(make_result(50, (7,), (43,), cells), EXACT).to_json()
    assert (out["base"], out["eligible"], out["opt_outs"]) == (50, 7, 12)
    assert out["breakdowns"]["sex"][0]["percent"] == pytest.approx(71.4)
    assert out["disclosure"]["applied"] is False


def test_a_file_without_rules_has_an_empty_published_funnel():
    from dart.analysis.disclosure.feasibility import published_funnel

    assert published_funnel(DisclosurePolicy(), 40, 40, [], []) == ([], [])
