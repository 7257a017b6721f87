"""Disclosure control is a pure function of a result and a policy."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dart.analysis.disclosure import DisclosedResult, DisclosurePolicy, apply_disclosure
from dart.analysis.feasibility import Cell, FeasibilityResult, FunnelStep, RuleImpact

POLICY = DisclosurePolicy(threshold=7, rounding=5)
NO_ROUNDING = DisclosurePolicy(threshold=7, rounding=1)


def make_result(base=100, funnel=(60, 40), impacts=(10, 5), breakdowns=None,
                population=None) -> FeasibilityResult:
    """A result by hand; ``eligible`` is the last funnel step."""
    steps, before = [], base
    for i, n in enumerate(funnel):
        steps.append(FunnelStep(f"rule {i}", "include", n, before - n))
        before = n
    eligible = funnel[-1] if funnel else base
    if breakdowns is None:
        breakdowns = {"sex": (Cell("F", eligible // 2), Cell("M", eligible - eligible // 2))}
    return FeasibilityResult(
        study="Test", index_date=dt.date(2026, 6, 30), criteria_hash="x" * 64, base=base,
        eligible=eligible, population=base if population is None else population,
        population_label=None, funnel=tuple(steps),
        unique_impact=tuple(RuleImpact(f"rule {i}", "include", n)
                            for i, n in enumerate(impacts)),
        breakdowns=breakdowns, screens=("Willing to attend",))


@pytest.mark.parametrize(("n", "shown"), [
    (0, 0),      # a true zero is not disclosive: it stays 0
    (1, None),   # 1..7 suppressed
    (7, None),
    (8, 10),     # then rounded to the nearest 5
    (12, 10),
    (13, 15),
    (100, 100),
])
def test_boundaries(n, shown):
    assert POLICY.disclose(n) == shown


def test_other_thresholds_and_disabled():
    assert DisclosurePolicy(threshold=9, rounding=10).disclose(10) == 10
    assert DisclosurePolicy(threshold=9, rounding=10).disclose(9) is None
    assert DisclosurePolicy(threshold=9, rounding=10).disclose(15) == 20  # halves round up
    assert DisclosurePolicy(enabled=False).disclose(3) == 3
    with pytest.raises(ValueError):
        DisclosurePolicy(rounding=0)


def test_every_count_is_disclosed():
    result = make_result(base=1003, funnel=(503, 12), impacts=(3, 0), population=7,
                         breakdowns={"sex": (Cell("F", 9), Cell("M", 3))})
    out = apply_disclosure(result, POLICY)
    assert (out.base, out.eligible, out.population) == (1005, 10, None)
    assert [s.remaining for s in out.funnel] == [505, 10]
    # drops are disclosed from the exact drops: 1003-503 = 500, 503-12 = 491 -> 490
    assert [s.dropped for s in out.funnel] == [500, 490]
    assert [r.count for r in out.unique_impact] == [None, 0]
    # M (3) is suppressed, so F (9) is too: else F would give M away as 10 - 10.
    assert [c.count for c in out.breakdowns["sex"]] == [None, None]
    assert result.base == 1003  # pure: the exact result is untouched
    assert isinstance(out, DisclosedResult)
    with pytest.raises(TypeError):
        apply_disclosure(out, POLICY)


def test_json_shape_marks_suppression_and_never_shows_a_number():
    result = make_result(base=50, funnel=(20, 5), impacts=(4, 15),
                         breakdowns={"sex": (Cell("F", 5), Cell("M", 0))})
    data = json.loads(json.dumps(apply_disclosure(result, POLICY).to_json()))
    assert data["disclosure"] == {"threshold": 7, "rounding": 5, "applied": True}
    assert data["eligible"] is None and data["suppressed"] == ["eligible"]
    assert data["funnel"][1] == {"label": "rule 1", "kind": "include", "remaining": None,
                                 "dropped": None, "suppressed": True}
    assert data["unique_impact"][0] == {"label": "rule 0", "kind": "include", "count": None,
                                        "suppressed": True}
    female, male = data["breakdowns"]["sex"]
    assert female == {"group": "F", "count": None, "suppressed": True, "percent": None}
    assert male["count"] == 0 and male["percent"] is None  # no percentage of a hidden total
    assert data["screens"] == ["Willing to attend"]


def test_disabled_policy_keeps_exact_counts():
    result = make_result(base=50, funnel=(20, 5), impacts=(4, 15))
    data = apply_disclosure(result, DisclosurePolicy(enabled=False)).to_json()
    assert data["eligible"] == 5 and data["disclosure"]["applied"] is False
    assert data["breakdowns"]["sex"][0]["percent"] == 40.0


def test_funnel_drop_recoverable_only_without_rounding():
    # 30 -> 27: a drop of 3. Rounded (30, 25) it is only known to lie in 1..9.
    result = make_result(base=30, funnel=(27, 27), impacts=(3, 0),
                         breakdowns={"sex": (Cell("F", 27), Cell("M", 0))})
    assert [s.remaining for s in apply_disclosure(result, POLICY).funnel] == [25, 25]
    # Without rounding 30 - 27 would be exact: the later step (and so eligible) is hidden.
    out = apply_disclosure(result, NO_ROUNDING)
    assert out.base == 30 and out.funnel[0].remaining is None
    assert out.funnel[0].dropped is None


def test_regions_within_a_nation_are_protected():
    # London 3 is suppressed; South East 20 must go too, or England (23) gives it away.
    cells = {
        "nation": (Cell("England", 23), Cell("Wales", 40)),
        "region": (Cell("London", 3, "England"), Cell("South East", 20, "England"),
                   Cell("Wales", 40, "Wales")),
    }
    out = apply_disclosure(make_result(base=200, funnel=(63,), impacts=(1,),
                                       breakdowns=cells), NO_ROUNDING)
    region = {c.group: c.count for c in out.breakdowns["region"]}
    assert region["London"] is None and region["South East"] is None


def _feasible_values(published: list[int | None], total: int) -> list[set[int]]:
    """What a reader can deduce of each hidden cell from the others and the total."""
    hidden = [i for i, v in enumerate(published) if v is None]
    rest = total - sum(v for v in published if v is not None)
    options: list[set[int]] = [set() for _ in published]
    for combo in itertools.product(range(rest + 1), repeat=len(hidden)):
        if sum(combo) == rest:
            for i, v in zip(hidden, combo, strict=True):
                options[i].add(v)
    return options


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 25), min_size=2, max_size=5))
def test_no_hidden_cell_is_recoverable_by_subtraction(counts):
    total = sum(counts)
    cells = tuple(Cell(f"g{i}", n) for i, n in enumerate(counts))
    result = make_result(base=total + 50, funnel=(total,), impacts=(50,),
                         breakdowns={"sex": cells})
    for policy in (POLICY, NO_ROUNDING):
        out = apply_disclosure(result, policy)
        shown = [c.count for c in out.breakdowns["sex"]]
        assert shown.count(None) == 0 or out.eligible is None or shown.count(None) >= 2
        for c in out.to_json()["breakdowns"]["sex"]:
            assert c["suppressed"] == (c["count"] is None)
            if c["count"] is not None:
                assert c["count"] == 0 or c["count"] > policy.threshold
        if policy is NO_ROUNDING and out.eligible is not None and None in shown:
            for i, options in enumerate(_feasible_values(shown, out.eligible)):
                if shown[i] is None:
                    assert len(options) >= 2, (counts, shown)


def test_a_small_drop_is_suppressed_not_shown_as_a_rounded_difference():
    # 1003 -> 1005 and 1001 -> 1000 are shown, but the drop is 2: the difference of the
    # published ends (5) would put a number between 1 and 7 in front of a sponsor.
    result = make_result(base=1003, funnel=(1001,), impacts=(2,), population=1003,
                         breakdowns={})
    out = apply_disclosure(result, POLICY)
    assert [s.remaining for s in out.funnel] == [1000]
    assert out.funnel[0].dropped is None
