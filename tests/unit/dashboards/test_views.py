"""Representativeness figures and the invite-list and admin layouts as plain functions."""

from __future__ import annotations

from dashboards.admin import layout as admin_layout
from dashboards.invites import ids as invite_ids
from dashboards.invites import layout as invite_layout
from dashboards.representativeness import figures as rep_figures
from dashboards.representativeness import ids as rep_ids
from dashboards.representativeness import layout as rep_layout
from tests.unit.dashboards.fake import REPORT
from tests.unit.dashboards.helpers import find, labels_point_at_inputs, text_of


def test_shares_figure_groups_cohort_with_available_references():
    fig = rep_figures.shares_figure(REPORT, "sex")
    assert [t.name for t in fig.data] == ["Cohort", "Target population"]  # UK unavailable
    assert list(fig.data[0].x) == ["Female", "Male"]  # the unknown group is left out
    assert list(fig.data[0].y) == [60.0, 40.0]
    assert fig.layout.barmode == "group"
    assert fig.layout.yaxis.title.text == "Share of population (%)"


def test_ratio_figure_has_intervals_and_the_band():
    fig = rep_figures.ratio_figure(REPORT, "sex", "target")
    trace = fig.data[0]
    assert list(trace.y) == [1.2, 0.8]
    assert [round(v, 2) for v in trace.error_y.array] == [0.2, 0.2]
    assert [round(v, 2) for v in trace.error_y.arrayminus] == [0.1, 0.1]
    band = fig.layout.shapes[0]
    assert (band.y0, band.y1) == (0.8, 1.25)
    assert "Target population" in fig.layout.title.text


def test_heatmap_is_rules_by_groups_centred_on_zero():
    fig = rep_figures.heatmap_figure(REPORT, ["sex"])
    heat = fig.data[0]
    assert list(heat.y) == ["Aged 40 to 80"]
    assert list(heat.x) == ["Female", "Male"]
    assert heat.z[0] == (-0.3, 0.1) or list(heat.z[0]) == [-0.3, 0.1]
    assert heat.zmid == 0
    assert rep_figures.heatmap_figure({"rule_impact": {"rules": []}}).layout.title.text


def test_missing_dimension_gives_a_placeholder():
    assert rep_figures.shares_figure(REPORT, "ethnicity").layout.annotations[0].text


def test_representativeness_page_and_summary():
    page = rep_layout.page([{"id": 3, "title": "S", "status": "approved"}], {"ex": "x"})
    assert find(page, rep_ids.SOURCE).options[0]["value"] == "study"
    assert labels_point_at_inputs(page) >= {rep_ids.TEXT, rep_ids.STUDY, rep_ids.EXAMPLE}
    no_studies = rep_layout.page([])
    assert [o["value"] for o in find(no_studies, rep_ids.SOURCE).options] == ["text"]
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
    assert labels_point_at_inputs(page) == {invite_ids.STUDY}


def test_admin_rows_keep_only_shown_columns():
    rows = admin_layout.audit_rows([{"id": 1, "action": "x", "secret": "no"}])
    assert "secret" not in rows[0] and rows[0]["action"] == "x"
    assert admin_layout.study_rows([{"id": 2, "title": "P", "versions": [{}, {}]}])[0][
        "versions"] == 2
