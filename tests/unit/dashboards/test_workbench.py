"""The workbench's model, figures and layout as plain functions."""

from __future__ import annotations

import csv
import io

from dart_vocab import REGIONS
from dashboards.backend import CheckError
from dashboards.counts import format_count, format_share
from dashboards.theme import OKABE_ITO
from dashboards.workbench import figures, ids, layout
from dashboards.workbench.geography import FILE, boundaries
from dashboards.workbench.model import from_json, practice_rows, to_csv
from tests.unit.dashboards.fake import FEASIBILITY
from tests.unit.dashboards.helpers import find, labels_point_at_inputs, text_of


def test_counts_are_written_as_published():
    disclosure = {"marker": "<10", "threshold": 9}
    assert format_count(1234) == "1,234" and format_count(0) == "0"
    assert format_count(None) == "<8"  # the default marker
    assert format_count({"count": None, "suppressed": True}, disclosure) == "<10"
    assert format_count({"count": 5, "suppressed": True}, disclosure) == "<10"
    assert format_count({"count": 0, "structural": True}) == "0 (excluded by criteria)"
    assert format_count(None, {"threshold": 4}) == "<5"
    assert [format_share(p) for p in (8, 7.94, None)] == ["8.0%", "7.9%", ""]


def test_view_holds_every_breakdown_in_order():
    view = from_json(FEASIBILITY)
    assert (view.base, view.eligible) == (300, 150)
    assert [(s.label, s.count, s.percent) for s in view.funnel] == [
        ("Base population", 300, 100.0), ("Aged 40 to 80", 200, 66.7), ("Rare", None, None)]
    assert [b.key for b in view.breakdowns] == [
        "age_band", "sex", "ethnicity", "imd_quintile", "region", "nation", "practice"]
    age = view.breakdown("age_band").groups
    assert [(s.label, s.text) for s in age] == [
        ("35-39", "0 (excluded by criteria)"), ("40-44", "60"), ("45-49", "90")]
    assert [s.label for s in view.breakdown("sex").groups] == ["Female", "Male"]
    assert view.breakdown("imd_quintile").groups[1].text == "<10"  # the result's marker
    # zeros stay (drawn as 0), suppressed stay as None
    assert [s.count for s in view.breakdown("region").groups] == [40, 0, 110, None]
    assert practice_rows(view) == [
        {"practice": "Practice one", "ods_code": "T00001", "eligible": 40, "percent": 26.7},
        {"practice": "Practice two", "ods_code": "T00002", "eligible": None, "percent": None}]


def test_csv_holds_every_section_shown():
    rows = list(csv.DictReader(io.StringIO(to_csv(from_json(FEASIBILITY)))))
    assert rows[1] == {"section": "summary", "label": "eligible", "shown": "150",
                       "count": "150", "percent": "", "suppressed": "no", "structural": "no"}
    rare = next(r for r in rows if r["section"] == "funnel" and r["label"] == "Rare")
    assert (rare["count"], rare["shown"], rare["suppressed"]) == ("", "<10", "yes")
    sections = {r["section"] for r in rows}
    assert sections == {"summary", "funnel", "unique_impact", "age_band", "sex", "ethnicity",
                        "imd_quintile", "region", "nation", "practice"}
    band = next(r for r in rows if r["section"] == "age_band" and r["label"] == "35-39")
    assert band["structural"] == "yes" and band["shown"] == "0 (excluded by criteria)"
    assert next(r for r in rows if r["label"] == "Female")["percent"] == "53.3"


def all_figures(view):
    yield figures.funnel_figure(view)
    yield figures.impact_figure(view)
    yield figures.map_figure(view)
    for breakdown in view.breakdowns:
        yield figures.breakdown_figure(breakdown)


def test_figures_have_titles_axes_and_safe_colours():
    view = from_json(FEASIBILITY)
    for fig in all_figures(view):
        assert fig.layout.title.text
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
        if fig.layout.xaxis.visible is False:
            continue  # the map: its colours are tested below
        colours = fig.data[0].marker.color
        for colour in ([colours] if isinstance(colours, str) else colours):
            assert colour in OKABE_ITO.values() or colour == "rgba(0,0,0,0)"


def labels(fig) -> dict[str, str]:
    """Each bar's label: its text, or the note beside the axis when there is no bar."""
    bar = fig.data[0]
    out = {y: t for y, t in zip(bar.y, bar.text, strict=True) if t}
    out.update({a.y: a.text for a in fig.layout.annotations})
    return out


def test_every_bar_is_labelled_zeros_and_markers_included():
    view = from_json(FEASIBILITY)
    regions = labels(figures.breakdown_figure(view.breakdown("region")))
    assert regions == {"Wales": "110", "London": "40", "North East": "0", "Scotland": "<10"}
    age = labels(figures.breakdown_figure(view.breakdown("age_band")))
    assert age == {"35-39": "0 (excluded by criteria)", "40-44": "60 (40.0%)",
                   "45-49": "90 (60.0%)"}


def test_funnel_is_on_a_log_axis_in_file_order_with_shares_of_the_base():
    fig = figures.funnel_figure(from_json(FEASIBILITY))
    assert list(fig.data[0].y) == ["Base population", "Aged 40 to 80", "Rare"]
    assert list(fig.data[0].x) == [300, 200, None]
    assert fig.layout.xaxis.type == "log"
    assert labels(fig) == {"Base population": "300 (100.0%)", "Aged 40 to 80": "200 (66.7%)",
                           "Rare": "<10"}


def test_numeric_looking_groups_are_categories():
    fig = figures.breakdown_figure(from_json(FEASIBILITY).breakdown("imd_quintile"))
    assert fig.layout.yaxis.type == "category"  # "2" names a row, it is not row 2


def test_region_bars_are_ordered_largest_first_suppressed_last():
    fig = figures.breakdown_figure(from_json(FEASIBILITY).breakdown("region"))
    assert list(fig.data[0].y) == ["Wales", "London", "North East", "Scotland"]


def test_every_region_dart_knows_has_exactly_one_shape():
    shapes = boundaries().shapes
    assert list(shapes) == list(REGIONS)  # each once, nothing else
    codes = [s.code for s in shapes.values()]
    assert len(set(codes)) == len(codes)
    assert shapes["East of England"].code == "E15000006"  # the source's "Eastern"
    for shape in shapes.values():
        assert len(shape.lon) == len(shape.lat) >= 4
        # every ring closed, each ring between two breaks
        rings = " ".join("|" if x is None else f"{x},{y}" for x, y in zip(
            shape.lon, shape.lat, strict=True)).split("|")
        for ring in rings:
            points = ring.split()
            assert len(points) >= 4 and points[0] == points[-1]
        # the label sits within the region's extent
        lon = [x for x in shape.lon if x is not None]
        lat = [y for y in shape.lat if y is not None]
        assert min(lon) <= shape.label[0] <= max(lon)
        assert min(lat) <= shape.label[1] <= max(lat)


def test_the_boundary_file_is_small_and_carries_its_licence():
    assert FILE.stat().st_size < 300_000
    note = (FILE.parent / "README.md").read_text()
    for words in ("Open Government Licence v3.0", "github.com/martinjc/UK-GeoJSON",
                  "Crown copyright and database right", "commit"):
        assert words in note
    assert "Open Government Licence v3.0" in boundaries().attribution
    assert boundaries().attribution.startswith("Contains OS data ©")


def region_traces(fig) -> dict:
    """The map's region traces by region name (their hover text starts with it)."""
    return {t.text.split(":")[0]: t for t in fig.data if t.fill == "toself"}


def darkness(colour: str) -> int:
    """How dark an "rgb(r, g, b)" colour is (sum of what it lacks of white)."""
    r, g, b = (int(v) for v in colour[colour.index("(") + 1:-1].split(","))
    return 765 - r - g - b


def with_regions(*cells: dict) -> dict:
    """The fake result with these region cells."""
    return {**FEASIBILITY, "breakdowns": {**FEASIBILITY["breakdowns"], "region": list(cells)}}


def test_map_fills_each_region_by_its_count():
    # shares of the 150 eligible, as the engine writes them
    fig = figures.map_figure(from_json(with_regions(
        {"group": "London", "count": 40, "percent": 26.7},
        {"group": "North East", "count": 0, "percent": 0.0},
        {"group": "Wales", "count": 110, "percent": 73.3})))
    traces = region_traces(fig)
    assert list(traces) == list(REGIONS)
    # Wales 110, London 40, North East 0: darker for more
    assert darkness(traces["Wales"].fillcolor) > darkness(traces["London"].fillcolor) > \
        darkness(traces["North East"].fillcolor)
    assert traces["Wales"].x == boundaries().shapes["Wales"].lon
    # hover: region, count as published and share of the eligible (150)
    assert traces["London"].text == "London: 40 eligible (26.7% of the eligible)"
    assert traces["North East"].text == "North East: 0 eligible"
    assert traces["Northern Ireland"].text == "Northern Ireland: no count in the result"
    assert all(t.hoveron == "fills" for t in traces.values())
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert fig.layout.yaxis.scaleanchor == "x"
    assert abs(fig.layout.yaxis.scaleratio - 1 / 0.5807) < 0.001  # 1 / cos(54.5 degrees)


def test_map_marks_suppressed_and_structural_regions_apart_from_counts():
    fig = figures.map_figure(from_json(with_regions(
        *FEASIBILITY["breakdowns"]["region"],
        {"group": "South East", "count": 0, "structural": True})))
    traces = region_traces(fig)
    scotland, south_east = traces["Scotland"], traces["South East"]
    assert scotland.text == "Scotland: <10 eligible"  # the result's marker, no share
    assert south_east.text == "South East: 0 (excluded by criteria) eligible"
    # neither is coloured as a count: white, each with its own pattern and legend entry
    assert scotland.fillcolor == south_east.fillcolor == "white"
    assert scotland.fillpattern.shape != south_east.fillpattern.shape
    assert traces["London"].fillpattern.shape is None
    shown = [t.name for t in fig.data if t.showlegend]
    assert shown == ["Excluded by the criteria", "Too few to publish (shown as the marker)"]
    labels = {a.text for a in fig.layout.annotations}
    assert {"<10", "excluded", "40", "110", "0"} == labels


def test_map_without_regions_draws_a_titled_placeholder():
    fig = figures.map_figure(from_json({"base": 5, "eligible": None,
                                        "breakdowns": {"region": []}}))
    assert fig.layout.annotations[0].text == "The result has no regions to place"


def test_empty_result_draws_a_titled_placeholder():
    view = from_json({"base": 5, "eligible": None, "breakdowns": {"region": []}})
    fig = figures.breakdown_figure(view.breakdown("region"))
    assert fig.layout.title.text == "Eligible patients by region"
    assert fig.layout.annotations[0].text == "Nothing to show"


def test_gutter_numbers_lines_and_marks_the_error_line():
    numbers = layout.gutter("a\nb\nc", error_line=2)
    assert [n.children for n in numbers] == ["1", "2", "3"]
    assert [n.className for n in numbers] == ["ln", "ln err", "ln"]
    assert layout.band_style(3) == {"top": "calc(0.5rem + 2 * 1.5em)"}


def test_check_message_shows_line_column_and_caret():
    error = CheckError(3, 20, "expected a number after 'between'",
                       source_line='include "Aged": age between and 80')
    shown = layout.check_message(error)
    assert "Line 3, column 20:" in text_of(shown)
    assert find(shown, "wb-check-message").children.startswith("expected a number")
    caret = error.caret().splitlines()[1]
    assert caret.index("^") == 19
    assert text_of(layout.check_message(None)) == "Criteria are valid."


def test_cards_show_the_marker_not_zero():
    view = from_json({"base": 300, "eligible": None, "study": "T", "index_date": "x"})
    cards = layout.cards(view)
    assert find(cards, ids.ELIGIBLE_COUNT).children == "<8"
    assert find(cards, ids.BASE_COUNT).children == "300"


def test_page_labels_every_input():
    page = layout.page({"first": "include age >= 18"})
    assert find(page, ids.TEXT).value == "include age >= 18"
    assert labels_point_at_inputs(page) == {ids.EXAMPLE, ids.TEXT}
