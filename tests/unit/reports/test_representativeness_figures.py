"""The representativeness figures (shared by the HTML report and the dashboard), drawn from
the JSON of results built by hand: titles, axes, palette, bands and suppressed groups."""

from __future__ import annotations

import json

import pytest

from dart.analysis.disclosure import DisclosurePolicy
from dart.reports import representativeness_figures as figures
from tests.unit.analysis.test_representativeness_build import SMALL, result

PALETTE = set(figures.OKABE_ITO.values())


@pytest.fixture
def exact() -> dict:
    """Exact counts (no disclosure): F 30 / M 70 against target 500 / 500."""
    return json.loads(json.dumps(result().to_json()))


@pytest.fixture
def disclosed() -> dict:
    """Disclosure on: the Black group (5 in the cohort) is suppressed."""
    return json.loads(json.dumps(result(DisclosurePolicy(), SMALL).to_json()))


def test_every_figure_has_a_title_and_axis_titles(exact):
    for fig in (figures.composition_figure(exact, "sex"),
                figures.ratio_figure(exact, "target"),
                figures.ratio_figure(exact, "uk", ["sex"]),
                figures.rule_impact_figure(exact)):
        assert fig.layout.title.text
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


def test_composition_bars_cohort_beside_each_reference(exact):
    fig = figures.composition_figure(exact, "sex")
    assert [t.name for t in fig.data] == ["Eligible cohort", "Target population",
                                          "Base population", "UK population"]
    assert list(fig.data[0].x) == ["Female", "Male"]
    assert list(fig.data[0].y) == [30.0, 70.0]
    assert list(fig.data[1].y) == [50.0, 50.0]
    assert fig.layout.barmode == "group"
    assert fig.layout.title.text.startswith("Sex: eligible cohort compared")
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == (
        "Sex", "Share of population (%)")
    only = figures.composition_figure(exact, "sex", ("target", "uk"))
    assert [t.name for t in only.data] == ["Eligible cohort", "Target population",
                                           "UK population"]


def test_composition_leaves_out_the_unknown_group(exact):
    fig = figures.composition_figure(exact, "ethnicity")
    assert "Unknown" not in list(fig.data[0].x)


def test_colours_are_colour_blind_safe(exact, disclosed):
    bars = figures.composition_figure(exact, "sex")
    assert {t.marker.color for t in bars.data} <= PALETTE
    ratio = figures.ratio_figure(exact, "target")
    assert set(ratio.data[0].marker.color) <= PALETTE | {figures.NEUTRAL}
    # F 0.6 is under-represented (vermillion), M 1.4 over (blue)
    assert list(ratio.data[0].marker.color)[:2] == [figures.OKABE_ITO["vermillion"],
                                                    figures.OKABE_ITO["blue"]]
    heat = figures.rule_impact_figure(disclosed).data[0]
    assert {c for _, c in heat.colorscale} <= PALETTE | {"#F7F7F7"}
    assert heat.zmid == 0


def test_ratio_band_is_the_thresholds_with_intervals(exact):
    fig = figures.ratio_figure(exact, "target", ["sex"])
    band = fig.layout.shapes[0]
    assert (band.x0, band.x1) == (0.8, 1.25)
    assert fig.layout.shapes[1].x0 == 1.0  # the line at "in proportion"
    trace = fig.data[0]
    assert list(trace.y) == ["Female", "Male"]
    assert list(trace.x) == [0.6, 1.4]
    female = exact["dimensions"][0]["groups"][0]["ratios"]["target"]
    assert trace.error_x.arrayminus[0] == pytest.approx(0.6 - female["lower"])
    assert trace.error_x.array[0] == pytest.approx(female["upper"] - 0.6)
    assert "target population" in fig.layout.title.text
    assert "0.8–1.25" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == ("Cohort share ÷ target population share "
                                           "(shaded: in proportion, 0.8–1.25)")
    assert not fig.layout.annotations  # nothing written over the points
    uk = figures.ratio_figure(exact, "uk", ["sex"])
    assert "against the UK population" in uk.layout.title.text  # not "uk population"
    every = figures.ratio_figure(exact, "target")
    assert "Ethnic group: Black" in list(every.data[0].y)


def test_ratio_band_follows_the_report_thresholds(exact):
    exact["thresholds"] = {"under": 0.5, "over": 2.0}
    band = figures.ratio_figure(exact, "target").layout.shapes[0]
    assert (band.x0, band.x1) == (0.5, 2.0)


def test_suppressed_groups_are_not_drawn(disclosed):
    bars = figures.composition_figure(disclosed, "ethnicity")
    labels = list(bars.data[0].x)
    black = labels.index("Black")
    assert bars.data[0].y[black] is None  # no cohort bar, not a bar of 0
    assert [a.text for a in bars.layout.annotations if a.x == "Black"] == ["<8"]
    ratio = figures.ratio_figure(disclosed, "target", ["ethnicity"])
    y = list(ratio.data[0].y)
    assert ratio.data[0].x[y.index("Black")] is None
    assert [a.text for a in ratio.layout.annotations if a.y == "Black"] == ["<8"]
    heat = figures.rule_impact_figure(disclosed, ["ethnicity"]).data[0]
    column = list(heat.x).index("Black")
    assert all(row[column] is None for row in heat.z)


def test_rule_impact_is_rules_by_groups(exact):
    fig = figures.rule_impact_figure(exact, ["sex"])
    heat = fig.data[0]
    assert list(heat.y) == ["include 'Rule A'"]
    assert list(heat.x) == ["Female", "Male"]
    # F: 0.6 with the rule, 1.0 without -> -0.4; M: 1.4 vs 1.0 -> +0.4
    assert list(heat.z[0]) == pytest.approx([-0.4, 0.4])
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("Group", "Rule")
    assert "target population" in heat.colorbar.title.text  # what the ratios compare with
    assert "Sex: Female" in list(figures.rule_impact_figure(exact).data[0].x)


def test_missing_data_gives_a_titled_placeholder(exact):
    assert figures.composition_figure(exact, "nothing").layout.annotations[0].text
    empty = figures.rule_impact_figure({"rule_impact": {"rules": []}})
    assert empty.layout.title.text and empty.layout.annotations[0].text


def test_groups_excluded_by_design_are_labelled_never_flagged(exact):
    female = exact["dimensions"][0]["groups"][0]
    female["cohort"].update(count=0, share=0.0, structural=True)
    female["ratios"]["target"].update(ratio=0.0, flag="under")
    ratio = figures.ratio_figure(exact, "target", ["sex"])
    y = list(ratio.data[0].y)
    assert ratio.data[0].x[y.index("Female")] is None  # no point, so no flag colour
    assert [a.text for a in ratio.layout.annotations] == ["excluded by criteria"]
    bars = figures.composition_figure(exact, "sex")
    assert [a.text for a in bars.layout.annotations] == ["excluded by criteria"]
    heat = figures.rule_impact_figure(exact, ["sex"]).data[0]
    assert list(heat.x) == ["Male"]  # a rule cannot change a group nobody can be in


def test_heatmap_text_is_readable_and_follows_the_reference(exact):
    rule = exact["rule_impact"]["rules"][0]
    for change in rule["changes"]:
        if change["group"] == "F":
            change["change"] = -0.001
    heat = figures.rule_impact_figure(exact, ["sex"]).data[0]
    assert list(heat.text[0]) == ["0.00", "+0.40"]  # never "-0.00"
    assert "(vs target population)" in heat.colorbar.title.text
    uk = figures.rule_impact_figure(exact, ["sex"], "uk").data[0]
    assert "(vs UK population)" in uk.colorbar.title.text
    male = exact["dimensions"][0]["groups"][1]["references"]
    # the same change in shares, over the UK's share of men instead of the target's
    expected = 0.4 * male["target"]["share"] / male["uk"]["share"]
    assert uk.z[0][1] == pytest.approx(expected)
