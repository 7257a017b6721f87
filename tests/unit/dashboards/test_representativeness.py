"""The representativeness view's model: groups excluded by design, the gaps that matter."""

from __future__ import annotations

from dashboards.representativeness import ids
from dashboards.representativeness.layout import summary
from dashboards.representativeness.model import excluded_by_design, main_gaps, mark_by_design
from tests.unit.dashboards.helpers import find, text_of


def group(code: str, ratio: float | None, flag: str | None, lower: float | None = None,
          upper: float | None = None, structural: bool = False, count: int | None = 10):
    cohort = {"count": count, "share": 0.1, "suppressed": count is None}
    if structural:
        cohort["structural"] = True
    return {"group": code, "label": code, "known": True, "cohort": cohort,
            "references": {"target": {"count": 50, "share": 0.1, "suppressed": False}},
            "ratios": {"target": {"ratio": ratio, "lower": lower, "upper": upper,
                                  "flag": flag, "suppressed": count is None}}}


REPORT = {
    "study": "S", "cohort": {"total": 100, "suppressed": False},
    "age_range": {"low": 40, "high": 80, "rules": ["Aged 40 to 80"]},
    "references": [{"key": "target", "label": "Target population", "available": True}],
    "disclosure": {"marker": "<8"},
    "dimensions": [
        {"key": "age_band", "label": "Age band", "groups": [
            # outside the rules' ages, but the engine did not mark it: the view does
            group("35-39", 0.0, "under", 0.0, 0.0, count=0),
            group("40-44", 0.9, "ok", 0.7, 1.1),
            group("75-79", 0.5, "under", 0.3, 0.8),      # a real, certain gap
            group("80-84", 0.0, "under", 0.0, 5.4, count=0),  # inside the range: a gap
            group("85-89", 0.0, "under", 0.0, 0.0, count=0)]},
        {"key": "sex", "label": "Sex", "groups": [
            group("Male", 0.0, "under", 0.0, 0.0, structural=True, count=0),  # the engine's
            group("Female", 1.6, "over", 1.3, 1.9),
            group("Unknown", None, None, count=None)]},
    ],
    "summary": ["Engine sentence."],
}


def test_groups_excluded_by_design_are_marked_and_never_flagged():
    marked = mark_by_design(REPORT)
    bands = {g["group"]: g for g in marked["dimensions"][0]["groups"]}
    assert bands["35-39"]["cohort"]["structural"] and bands["85-89"]["cohort"]["structural"]
    assert bands["35-39"]["ratios"]["target"]["flag"] is None
    assert "structural" not in bands["80-84"]["cohort"]  # 80 is allowed: a real zero
    assert bands["75-79"]["ratios"]["target"]["flag"] == "under"
    male = marked["dimensions"][1]["groups"][0]
    assert male["ratios"]["target"]["flag"] is None
    assert REPORT["dimensions"][0]["groups"][0]["ratios"]["target"]["flag"] == "under"  # a copy
    assert excluded_by_design(marked) == ["Age band: 35-39, 85-89", "Sex: Male"]


def test_the_summary_leads_with_the_gaps_that_matter():
    gaps = main_gaps(mark_by_design(REPORT))
    # certain gaps first (largest first), then one whose interval includes 1
    assert [g.split(": ", 1)[1].split(" (")[0] for g in gaps] == [
        "Age band 75-79", "Sex Female", "Age band 80-84"]  # 0.5 is further from 1 than 1.6
    assert gaps[0] == ("Under-represented against the target population: Age band 75-79 "
                       "(ratio 0.50, 95% CI 0.30–0.80).")
    assert gaps[1].startswith("Over-represented")
    assert "may be chance" in gaps[2] and "may be chance" not in gaps[1]
    shown = summary(mark_by_design(REPORT))
    assert text_of(find(shown, ids.GAPS)).startswith("Under-represented")
    assert "Sex: Male" in text_of(find(shown, ids.BY_DESIGN))
