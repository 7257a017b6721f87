"""The representativeness, invite-list and admin layouts as plain functions."""

from __future__ import annotations

from dashboards.admin import layout as admin_layout
from dashboards.invites import ids as invite_ids
from dashboards.invites import layout as invite_layout
from dashboards.representativeness import ids as rep_ids
from dashboards.representativeness import layout as rep_layout
from tests.unit.dashboards.fake import REPORT
from tests.unit.dashboards.helpers import find, labels_point_at_inputs, text_of


def test_charts_use_the_shared_builders_in_the_dashboard_theme():
    # The figures themselves are tested in tests/unit/analysis/test_representativeness_figures
    shares, ratio, heatmap = rep_layout.charts(REPORT, "sex", "target")
    assert [g.id for g in (shares, ratio, heatmap)] == [rep_ids.SHARES, rep_ids.RATIO,
                                                        rep_ids.HEATMAP]
    assert [t.name for t in shares.figure.data] == ["Eligible cohort", "Target population"]
    assert list(shares.figure.data[0].x) == ["Female", "Male"]  # the unknown group left out
    assert list(ratio.figure.data[0].y) == ["Female", "Male"]
    assert (ratio.figure.layout.shapes[0].x0, ratio.figure.layout.shapes[0].x1) == (0.8, 1.25)
    assert "Target population".lower() in ratio.figure.layout.title.text
    assert list(heatmap.figure.data[0].x) == ["Female", "Male"]
    for graph in (shares, ratio, heatmap):
        layout = graph.figure.layout
        assert layout.title.text and layout.xaxis.title.text and layout.yaxis.title.text
        assert layout.font.family.startswith("system-ui")  # the dashboard's theme


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
