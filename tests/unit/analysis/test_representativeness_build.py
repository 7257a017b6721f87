"""Shares, ratios, rule impact and suppression from counts written by hand (no SQL)."""

from __future__ import annotations

import json
import re

import pytest

from criteria_grammar import parse
from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.representativeness import GroupCounts
from dart.analysis.representativeness.compute import result_from_counts
from dart.analysis.representativeness.intervals import Thresholds
from dart.analysis.representativeness.uk import UkReference
from dart.compiler import RuleInfo
from dart.reports.representativeness_html import render_html
from dart.reports.representativeness_text import render_text

CRITERIA = parse('population "Everyone": age >= 0\ninclude "Rule A": age >= 0\n')
RULES = (RuleInfo("Rule A", "include", "age >= 0"),)
UK = UkReference({"sex": {"F": 0.5, "M": 0.5},
                  "ethnicity": {"white": 0.8, "black": 0.1, "asian": 0.1}}, (), ())


def G(base, target, cohort, without):  # noqa: N802 - a table-like constructor
    return GroupCounts(base, target, cohort, (without,))


# cohort 100 = F 30 + M 70; target 1000 = 500 + 500; base 2000; without Rule A: 50 + 50
# ethnicity: cohort white 60, black 20, unknown 20; target white 700, black 100, unknown 200
COUNTS = {
    "sex": {"F": G(1000, 500, 30, 50), "M": G(1000, 500, 70, 50)},
    "ethnicity": {"white": G(1600, 700, 60, 80), "black": G(200, 100, 20, 10),
                  "unknown": G(200, 200, 20, 10)},
}


def result(policy=None, counts=COUNTS):
    return result_from_counts(counts, RULES, criteria=CRITERIA, index_date=None, age_range=None,
                              uk=UK, policy=policy or DisclosurePolicy(enabled=False),
                              thresholds=Thresholds())


def test_shares_and_ratios_by_hand():
    res = result()
    female = res.dimension("sex").row("F")
    assert female.cohort.count == 30 and female.cohort.share == pytest.approx(0.30)
    assert female.references["target"].share == pytest.approx(0.50)
    # 0.30 / 0.50 = 0.6; Katz SE = sqrt(1/30 - 1/100 + 1/500 - 1/1000) = 0.155992
    # -> 0.6 * exp(-/+ 1.959964 * 0.155992) = 0.44194, 0.81458
    target = female.ratios["target"]
    assert target.value == pytest.approx(0.6)
    assert (target.lower, target.upper) == pytest.approx((0.44194, 0.81458), abs=1e-5)
    assert target.flag == "under" and target.method == "katz"
    # against the base: 0.30 / (1000/2000) = 0.6 too
    assert female.ratios["base"].value == pytest.approx(0.6)
    # against the UK (fixed 0.5): Wilson 30/100 = (0.21895, 0.39585) / 0.5
    uk = female.ratios["uk"]
    assert (uk.value, uk.lower, uk.upper) == pytest.approx((0.6, 0.4379, 0.7917), abs=1e-4)
    assert res.dimension("sex").row("M").ratios["target"].flag == "over"  # 0.7/0.5 = 1.4


def test_ethnicity_shares_are_of_known_ethnicity():
    eth = result().dimension("ethnicity")
    # cohort known = 80: white 60/80 = 0.75, black 20/80 = 0.25
    # target known = 800: white 0.875, black 0.125 -> ratios 0.857, 2.0
    assert eth.row("black").cohort.share == pytest.approx(0.25)
    assert eth.row("black").ratios["target"].value == pytest.approx(2.0)
    assert eth.row("white").ratios["target"].value == pytest.approx(0.75 / 0.875)
    # UK: black 0.25 / 0.1 = 2.5
    assert eth.row("black").ratios["uk"].value == pytest.approx(2.5)
    unknown = eth.row("unknown")
    assert not unknown.known and unknown.ratios == {}
    assert unknown.cohort.share == pytest.approx(0.2)  # 20 of all 100
    assert "known" in eth.note


def test_rule_impact_by_hand():
    impact = result().rule_impacts[0]
    # without Rule A: F 50 of 100 -> 0.5 / 0.5 = 1.0; with it 0.6: the rule lowers F by 0.4
    female = next(c for c in impact.changes if (c.dimension, c.group) == ("sex", "F"))
    assert female.ratio_without == pytest.approx(1.0)
    assert female.change == pytest.approx(-0.4)
    assert (impact.worst.dimension, impact.worst.group) == ("sex", "F")
    assert "Rule A" in " ".join(result().summary)


def test_no_population_statement_means_no_target():
    criteria = parse('include "Rule A": age >= 0\n')
    res = result_from_counts(COUNTS, RULES, criteria=criteria, index_date=None,
                             age_range=None, uk=UK, policy=DisclosurePolicy(enabled=False),
                             thresholds=Thresholds())
    assert not res.reference("target").available
    assert "target" not in res.dimension("sex").row("F").ratios
    assert res.rule_reference == "base"
    assert "no population statement" in " ".join(res.summary)


# Disclosure on: black 5 and unknown 3 in the cohort are suppressed (0..7); mixed 12 is
# perturbed (the hand-written counts carry key sums of 0).
SMALL = {
    "sex": {"F": G(1000, 500, 100, 100)},
    "ethnicity": {"white": G(800, 380, 80, 80), "black": G(100, 50, 5, 5),
                  "mixed": G(50, 30, 12, 12), "unknown": G(50, 40, 3, 3)},
}


def test_suppressed_group_shows_no_count_share_or_ratio_in_json():
    data = json.loads(json.dumps(result(DisclosurePolicy(), SMALL).to_json()))
    eth = next(d for d in data["dimensions"] if d["key"] == "ethnicity")
    black = next(g for g in eth["groups"] if g["group"] == "black")
    assert black["cohort"] == {"count": None, "share": None, "suppressed": True,
                               "structural": False}
    assert all(r["ratio"] is None and r["lower"] is None and r["suppressed"]
               for r in black["ratios"].values())
    mixed = next(g for g in eth["groups"] if g["group"] == "mixed")
    # mixed 12 of known 97 (80 + 5 + 12), each published; the share from the published two.
    # The known 97 are all but 3 of the cohort's 100: a nested cell, published as the total.
    policy = DisclosurePolicy()
    shown, known = policy.disclose(12, 0), policy.disclose(100, 0)
    assert mixed["cohort"]["count"] == shown and abs(shown - 12) <= 4
    assert mixed["cohort"]["share"] == pytest.approx(shown / known, abs=1e-4)
    impacts = data["rule_impact"]["rules"][0]["changes"]
    assert next(c for c in impacts if c["group"] == "black")["ratio_with"] is None


def test_suppressed_group_shows_nothing_in_text_and_html():
    res = result(DisclosurePolicy(), SMALL)
    text = render_text(res)
    black_line = next(ln for ln in text.splitlines() if ln.startswith("Black "))
    # cohort n reads "<8" and the three ratios "suppressed"; the only shares are the
    # references'
    assert black_line.split()[1] == "<8"
    assert black_line.count("suppressed") == 3 and black_line.count("%") == 3
    assert "Black" not in " ".join(res.summary)
    html = render_html(res)
    row = re.search(r"<tr><td>Black</td>(.*?)</tr>", html).group(1)
    cohort_n, cohort_share, _, target_ratio = re.findall(r"<td>(.*?)</td>", row)[:4]
    assert (cohort_n, cohort_share, target_ratio) == ("&lt;8", "", "suppressed")
    # self-contained: plotly.js inline (no script fetched), each figure drawn inline
    assert 'src="http' not in html and html.count("Plotly.newPlot") >= 8


def K(n, key):  # noqa: N802 - one population's count and key sum, as the SQL gives them
    return GroupCounts(n, n, n, (n,), {p: key for p in ("base", "target", "cohort",
                                                         "without_0")})


def test_the_same_patients_in_two_tables_are_published_identically():
    # Wales is a nation and a region: the same patients, the same count and key sum.
    counts = {"sex": {"F": K(300, 17), "M": K(200, 9)},
              "nation": {"England": K(460, 20), "Wales": K(40, 6)},
              "region": {"London": K(460, 20), "Wales": K(40, 6)}}
    for secret in ("a", "b", "c"):
        res = result(DisclosurePolicy(secret=secret), counts)
        nation = res.dimension("nation").row("Wales").cohort.count
        assert nation == res.dimension("region").row("Wales").cohort.count
        assert abs(nation - 40) <= 4


def test_structural_zeros_and_a_withheld_cohort():
    criteria = parse('include "Women": sex is female\ninclude "Adults": age >= 18\n')
    rules = (RuleInfo("Women", "include", "sex is female"),
             RuleInfo("Adults", "include", "age >= 18"))
    counts = {"sex": {"F": GroupCounts(900, 900, 300, (300, 300))},
              "age_band": {"40-44": GroupCounts(900, 900, 300, (300, 300))}}

    def run(c):
        return result_from_counts(c, rules, criteria=criteria, index_date=None,
                                  age_range=None, uk=UK, policy=DisclosurePolicy(),
                                  thresholds=Thresholds())

    res = run(counts)
    male = res.dimension("sex").row("M").cohort
    assert (male.count, male.structural, male.suppressed) == (0, True, False)
    young = res.dimension("age_band").row("5-9").cohort
    assert (young.count, young.structural) == (0, True)
    assert res.dimension("age_band").row("90+").cohort.count is None  # may hold people
    # without "Women" (rule 0), men are possible: not structural in that population
    assert not res.to_json()["dimensions"][0]["groups"][1]["cohort"]["suppressed"]
    small = {"sex": {"F": GroupCounts(900, 900, 5, (5, 5))}}
    res = run(small)
    assert res.cohort_suppressed
    assert res.dimension("sex").row("M").cohort.count is None  # withheld with the total
