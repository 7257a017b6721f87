"""The workbench's model, figures and layout as plain functions."""

from __future__ import annotations

import csv
import io

from dashboards.backend import CheckError
from dashboards.theme import OKABE_ITO
from dashboards.workbench import figures, ids, layout
from dashboards.workbench.model import count_of, from_json, to_csv
from tests.unit.dashboards.fake import FEASIBILITY
from tests.unit.dashboards.helpers import find, labels_point_at_inputs, text_of


def test_count_of_never_turns_suppressed_into_zero():
    assert count_of(12) == 12
    assert count_of(0) == 0
    assert count_of(None) is None
    assert count_of({"count": 5, "suppressed": True}) is None
    assert count_of({"count": 9}) == 9
    assert count_of(True) is None


def test_view_reads_the_disclosed_json():
    view = from_json(FEASIBILITY)
    assert (view.base, view.eligible) == (300, 150)
    assert [(s.label, s.count) for s in view.funnel] == [
        ("Base population", 300), ("Aged 40 to 80", 200), ("Rare", None)]
    assert [(s.label, s.count) for s in view.impact] == [("Aged 40 to 80", 75), ("Rare", None)]
    # empty groups are left out; suppressed ones stay (as None), structural zeros too
    assert [s.label for s in view.regions] == ["London", "Wales", "Scotland",
                                               "Northern Ireland"]
    assert view.regions[-1].structural and view.marker == "<8"
    assert view.practices[1] == {"practice": "Practice two", "ods_code": "T00002",
                                 "eligible": None, "percent": None}


def test_csv_marks_suppressed_counts_blank():
    rows = list(csv.DictReader(io.StringIO(to_csv(from_json(FEASIBILITY)))))
    assert rows[1] == {"section": "summary", "label": "eligible", "count": "150",
                       "suppressed": "no", "shown": "150"}
    rare = next(r for r in rows if r["section"] == "funnel" and r["label"] == "Rare")
    assert (rare["count"], rare["suppressed"], rare["shown"]) == ("", "yes", "<8")
    ni = next(r for r in rows if r["label"] == "Northern Ireland")
    assert (ni["count"], ni["shown"]) == ("0", "0 (structural)")


def test_figures_have_titles_axes_and_safe_colours():
    view = from_json(FEASIBILITY)
    for build in (figures.funnel_figure, figures.impact_figure, figures.region_figure,
                  figures.nation_figure):
        fig = build(view)
        assert fig.layout.title.text
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
        assert fig.data[0].marker.color in OKABE_ITO.values()


def test_funnel_keeps_file_order_and_annotates_suppressed():
    fig = figures.funnel_figure(from_json(FEASIBILITY))
    assert list(fig.data[0].y) == ["Base population", "Aged 40 to 80", "Rare"]
    assert list(fig.data[0].x) == [300, 200, None]
    assert [a.text for a in fig.layout.annotations] == ["<8"]


def test_region_bars_are_ordered_largest_first_suppressed_last():
    fig = figures.region_figure(from_json(FEASIBILITY))
    assert list(fig.data[0].y) == ["Wales", "London", "Northern Ireland", "Scotland"]


def test_marker_structural_zero_and_count_are_drawn_distinctly():
    fig = figures.region_figure(from_json(FEASIBILITY))
    notes = {a.y: a.text for a in fig.layout.annotations}
    assert notes == {"Scotland": "<8", "Northern Ireland": "0 (structural)"}
    bars = dict(zip(fig.data[0].y, fig.data[0].text, strict=True))
    assert bars["London"] == "40" and bars["Scotland"] == ""


def test_empty_result_draws_a_titled_placeholder():
    view = from_json({"base": 5, "eligible": None})
    fig = figures.region_figure(view)
    assert fig.layout.title.text == "Eligible patients by region"
    assert fig.layout.annotations[0].text == "Nothing to show"


def test_check_message_shows_line_column_and_caret():
    error = CheckError(3, 20, "expected a number after 'between'",
                       source_line='include "Aged": age between and 80')
    shown = layout.check_message(error)
    assert "Line 3, column 20:" in text_of(shown)
    assert find(shown, "wb-check-message").children.startswith("expected a number")
    caret = error.caret().splitlines()[1]
    assert caret.index("^") == 19
    assert text_of(layout.check_message(None)) == "Criteria are valid."


def test_cards_show_suppressed_not_zero():
    view = from_json({"base": 300, "eligible": None, "study": "T", "index_date": "x"})
    cards = layout.cards(view)
    assert find(cards, ids.ELIGIBLE_COUNT).children == "<8"
    assert find(cards, ids.BASE_COUNT).children == "300"


def test_page_labels_every_input():
    page = layout.page({"first": "include age >= 18"})
    assert find(page, ids.TEXT).value == "include age >= 18"
    assert labels_point_at_inputs(page) == {ids.EXAMPLE, ids.TEXT}
