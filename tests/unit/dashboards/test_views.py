"""The representativeness, invite-list and admin layouts as plain functions."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc

from dashboards.admin import layout as admin_layout
from dashboards.invites import ids as invite_ids
from dashboards.invites import layout as invite_layout
from dashboards.representativeness import ids as rep_ids
from dashboards.representativeness import layout as rep_layout
from dashboards.representativeness.model import all_figures
from tests.unit.dashboards.fake import REPORT
from tests.unit.dashboards.helpers import find, labels_point_at_inputs, text_of, walk


def test_charts_use_the_shared_builders_in_the_dashboard_theme():
    # The figures themselves are tested in tests/unit/reports/test_representativeness_figures
    built = all_figures(REPORT)
    # one template for the browser to give every figure, none in the figures themselves:
    # plotly_white with the dashboard's theme as its defaults
    assert built["template"]["layout"]["font"]["family"].startswith("system-ui")
    assert built["template"]["layout"]["plot_bgcolor"] == "white"
    assert "layout" not in built["ratio"]["sex|target"]["layout"].get("template", {})
    shares = go.Figure(built["shares"]["sex"])
    ratio = go.Figure(built["ratio"]["sex|target"])
    heatmap = go.Figure(built["heatmap"]["sex|target"])
    assert [t.name for t in shares.data] == ["Eligible cohort", "Target population"]
    assert list(shares.data[0].x) == ["Female", "Male"]  # the unknown group left out
    assert list(ratio.data[0].y) == ["Female", "Male"]
    assert (ratio.layout.shapes[0].x0, ratio.layout.shapes[0].x1) == (0.8, 1.25)
    assert "target population" in ratio.layout.title.text
    assert list(heatmap.data[0].x) == ["Female", "Male"]
    for fig in (shares, ratio, heatmap):
        assert fig.layout.title.text and fig.layout.xaxis.title.text
        assert fig.layout.yaxis.title.text
        assert fig.layout.font.family is None  # the theme comes with the template
    page = rep_layout.page([])
    assert {g.id for g in walk(page) if isinstance(g, dcc.Graph)} == {
        rep_ids.SHARES, rep_ids.RATIO, rep_ids.HEATMAP}


def test_representativeness_page_and_summary():
    page = rep_layout.page([{"id": 3, "title": "S", "status": "approved"}], {"ex": "x"})
    source = find(page, rep_ids.SOURCE)
    assert [o["value"] for o in source.options] == ["study", "text"]
    assert source.value == "study"
    picker = find(page, rep_ids.STUDY)
    assert picker.options == [{"label": "S (#3, approved)", "value": 3}] and picker.value == 3
    assert not find(page, rep_ids.STUDY_ROW).hidden
    assert labels_point_at_inputs(page) >= {rep_ids.TEXT, rep_ids.STUDY, rep_ids.EXAMPLE}
    no_studies = rep_layout.page([])
    assert [o["value"] for o in find(no_studies, rep_ids.SOURCE).options] == ["text"]
    assert find(no_studies, rep_ids.STUDY_ROW).hidden
    text = text_of(rep_layout.summary(REPORT))
    assert "150 patients" in text and "holds 150" in text
    assert rep_layout.reference_options(REPORT) == [{"label": "Target population",
                                                     "value": "target"}]


def test_invite_columns_put_identifiers_first():
    rows = [{"sex": "F", "extra": 1, "nhs_number": "1", "patient_id": 5}]
    assert [c["id"] for c in invite_layout.columns(rows)] == [
        "patient_id", "nhs_number", "sex", "extra"]
    assert invite_layout.table_rows([{"checklist": ["a", "b"]}]) == [{"checklist": "a; b"}]


def test_invite_page_without_studies_says_so():
    assert "No approved study" in text_of(invite_layout.page([]))
    page = invite_layout.page([{"id": 4, "title": "T"}])
    assert find(page, invite_ids.STUDY).value == 4
    assert labels_point_at_inputs(page) == {invite_ids.STUDY, invite_ids.SEARCH,
                                            invite_ids.STATUS}


def test_nhs_numbers_are_shown_3_3_4():
    assert invite_layout.nhs_display("9991234567") == "999 123 4567"
    assert invite_layout.nhs_display("123") == "123"
    assert invite_layout.matches({"nhs_number": "9991234567"}, "999 123")
    assert invite_layout.matches({"family_name": "Smith"}, "smi")
    assert not invite_layout.matches({"family_name": "Smith"}, "jones")


def test_admin_rows_keep_only_shown_columns():
    rows = admin_layout.audit_rows([{"id": 1, "action": "x", "secret": "no"}])
    assert "secret" not in rows[0] and rows[0]["action"] == "x"
    assert admin_layout.study_rows([{"id": 2, "title": "P", "versions": [{}, {}]}])[0][
        "versions"] == 2
