"""Sign-in, page routing by role and the server-side role checks, with a fake backend."""

from __future__ import annotations

import json

import flask
import pytest
from dash import dcc, no_update
from dash.exceptions import PreventUpdate

from dashboards import init_dashboard
from dashboards.app import route, views_for
from dashboards.auth import SESSION_KEY, require
from dashboards.invites import callbacks as invite_callbacks
from dashboards.workbench import callbacks as wb_callbacks
from dashboards.workbench import ids as wb_ids
from tests.unit.dashboards.fake import FakeBackend
from tests.unit.dashboards.helpers import csrf_token, find, text_of, walk


@pytest.fixture
def server():
    app = flask.Flask("test")
    app.config["SECRET_KEY"] = "test"
    app.fake = FakeBackend()
    init_dashboard(app, backend=app.fake)
    return app


def as_user(server, name: str | None):
    """A request context in which ``name`` is signed in."""
    ctx = server.test_request_context("/dashboard/_dash-update-component", method="POST")
    ctx.push()
    if name:
        flask.session[SESSION_KEY] = name
    return ctx


def test_each_role_has_exactly_its_view():
    assert {role: [v.path for v in views_for(role)] for role in
            ("sponsor", "researcher", "practice", "admin")} == {
        "sponsor": ["workbench", "studies"], "researcher": ["representativeness"],
        "practice": ["invites"], "admin": ["admin"]}


def test_login_sets_a_session_and_wrong_secret_fails(server):
    client = server.test_client()
    assert client.get("/dashboard/").headers["Location"].endswith("/dashboard/login")
    token = csrf_token(client)
    assert client.post("/dashboard/login", data={"name": "sponsor1", "secret": "nope",
                                                 "csrf_token": token}).status_code == 401
    ok = client.post("/dashboard/login", data={"name": "sponsor1", "secret": "sponsor1-token",
                                               "csrf_token": token})
    assert ok.status_code == 302
    assert any(c.startswith("session=") for c in ok.headers.getlist("Set-Cookie"))
    assert client.get("/dashboard/").status_code == 200
    client.post("/dashboard/logout", data={"csrf_token": csrf_token(client, "/dashboard/")})
    assert client.get("/dashboard/workbench").status_code == 302


def test_api_bearer_tokens_do_not_open_the_dashboard(server):
    client = server.test_client()
    page = client.get("/dashboard/", headers={"Authorization": "Bearer sponsor1-token"})
    assert page.status_code == 302


def test_route_refuses_other_roles_views(server):
    ctx = as_user(server, "practice1")
    try:
        assert "cannot open" in text_of(route("/dashboard/workbench", "/dashboard/"))
        assert "Invite lists" in text_of(route("/dashboard/", "/dashboard/"))
        assert "no page" in text_of(route("/dashboard/nothing", "/dashboard/"))
    finally:
        ctx.pop()


def test_callbacks_check_the_role_on_the_server(server):
    ctx = as_user(server, "practice1")
    try:
        with pytest.raises(PreventUpdate):
            wb_callbacks.run(1, "include age >= 18")
        assert server.fake.calls == []
        rows, columns, summary, criteria = invite_callbacks.show(1)
        assert rows[0]["patient_id"] == 5
        assert require("practice").practice_id == 1
    finally:
        ctx.pop()
    ctx = as_user(server, None)
    try:
        with pytest.raises(PreventUpdate):
            invite_callbacks.show(1)
    finally:
        ctx.pop()


def test_workbench_run_draws_everything(server):
    ctx = as_user(server, "sponsor1")
    try:
        data, results, status, intro_hidden, ran = wb_callbacks.run(1, "include age >= 18")
        assert intro_hidden and status == "" and ran["text"] == "include age >= 18"
        assert data["eligible"] == 150 and "150" in text_of(results)
        graphs = [c for c in walk(results) if isinstance(c, dcc.Graph)]
        # funnel, impact, map and the breakdown picked; the seven breakdowns sent with them
        assert len(graphs) == 4 and all(g.figure.layout.title.text for g in graphs)
        drawn = find(results, wb_ids.BREAKDOWNS).data
        assert list(drawn) == ["age_band", "sex", "ethnicity", "imd_quintile", "region",
                               "nation", "practice"]
        assert find(results, wb_ids.BREAKDOWN).figure is drawn["age_band"]
        assert [o["value"] for o in find(results, wb_ids.DIMENSION).options] == list(drawn)
        assert find(results, "wb-practices").data[0]["ods_code"] == "T00001"
        # the data-quality panel is filled from what was run, after the counts
        assert find(results, "wb-profile") is not None
        panel = text_of(wb_callbacks.profile(ran))
        assert "99999999" in panel and "T00002" in panel
        message, gutter, band_hidden, band = wb_callbacks.check_text("a\noops")
        assert "Line 2, column 1" in text_of(message)
        assert [n.className for n in gutter] == ["ln", "ln err"] and not band_hidden
        # a failing run keeps the last results and says so; export before a run says why
        kept = wb_callbacks.run(2, "oops", data)
        assert kept[0] is no_update and kept[1] is no_update
        assert "last run that worked" in text_of(kept[2])
        download, note = wb_callbacks.export(1, 0, None, "wb-export-csv")
        assert download is no_update and "press Run first" in text_of(note)
        saved = text_of(wb_callbacks.save(1, "include age >= 18"))
        assert "Saved as study 7" in saved
    finally:
        ctx.pop()


def test_representativeness_run_and_draw(server):
    from dashboards.representativeness import callbacks as rep_callbacks

    ctx = as_user(server, "researcher1")
    try:
        (report, figures, status, summary, intro_hidden, controls_hidden, dims, dim, refs,
         ref) = rep_callbacks.run(1, "text", None, "include age >= 18")
        assert (intro_hidden, controls_hidden) == (True, False)
        assert (dim, ref) == ("sex", "target")
        # every chart the browser may switch to is built here, once
        assert set(figures["ratio"]) == {"sex|target"} and set(figures["shares"]) == {"sex"}
        assert server.fake.calls[-1] == ("representativeness", "researcher1", None,
                                         "include age >= 18")
    finally:
        ctx.pop()
    ctx = as_user(server, "sponsor1")
    try:
        with pytest.raises(PreventUpdate):
            rep_callbacks.run(1, "text", None, "include age >= 18")
    finally:
        ctx.pop()


def test_invite_errors_are_shown_not_raised(server):
    ctx = as_user(server, "practice1")
    try:
        rows, _columns, message, _criteria = invite_callbacks.show(99)  # not visible
        assert rows == [] and message == "no such study"
        assert invite_callbacks.mark(1, 1, [], []) == "Select patients in the table first."
        assert invite_callbacks.mark(1, 1, [0], [{"patient_id": 5}]).startswith("Marked 1")
        refused = invite_callbacks.mark(1, 1, [0], [{"patient_id": 5}], "enrolled")
        assert "cannot move" in refused
    finally:
        ctx.pop()


def test_researcher_picks_an_approved_study(server):
    from dashboards.representativeness import callbacks as rep_callbacks
    from dashboards.representativeness import ids as rep_ids

    ctx = as_user(server, "researcher1")
    try:
        page = route("/dashboard/representativeness", "/dashboard/")
        assert find(page, rep_ids.STUDY).options[0]["value"] == 3
        assert not find(page, rep_ids.STUDY_ROW).hidden
        assert rep_callbacks.choose_study(3) == "study"
        report, _, status, *_ = rep_callbacks.run(1, "study", 3, "ignored text")
        assert report["study"] == "Test" and status == ""
        assert server.fake.calls[-1] == ("representativeness", "researcher1", 3, None)
        report, _, status, *_ = rep_callbacks.run(1, "study", 4, None)  # not visible
        assert report is None and "no such study" in text_of(status)
    finally:
        ctx.pop()
    ctx = as_user(server, "practice1")
    try:
        with pytest.raises(PreventUpdate):
            rep_callbacks.choose_study(3)
    finally:
        ctx.pop()


def test_the_invite_list_searches_marks_new_and_records_statuses(server):
    ctx = as_user(server, "practice1")
    try:
        rows, _columns, summary, criteria = invite_callbacks.show(1)
        assert [r["nhs_number"] for r in rows] == ["999 000 0050", "999 000 0069"]
        assert rows[0]["new"] == "new" and rows[0]["reasons"] == "Adults: age 56"
        assert "1 new since 2026-01-31" in summary and "index date 2026-06-30" in summary
        assert text_of(criteria[0]) == "include age >= 18"
        assert [r["patient_id"] for r in invite_callbacks.show(1, None, "999 000 0069")[0]] \
            == [6]
        assert [r["patient_id"] for r in invite_callbacks.show(1, None, None, ["new"])[0]] \
            == [5]
        assert invite_callbacks.select(1, 0, [1, 0], "inv-select-all") == [1, 0]
        assert invite_callbacks.select(1, 1, [1, 0], "inv-select-none") == []
        message = invite_callbacks.mark(1, 1, [0, 1], rows, "screened_out", "letter", " frail ")
        assert message == "Marked 2 patient(s) as screened out."
        assert server.fake.calls[-1] == ("record_status", 1, [5, 6], "screened_out", None,
                                         "frail")
    finally:
        ctx.pop()


def test_my_studies_shows_the_funnel_and_draws_the_forecast(server):
    from dashboards.studies import callbacks as study_callbacks
    from dashboards.studies import layout as study_layout

    rows = study_layout.study_rows(server.fake.my_studies(None))
    assert rows[0]["eligible"] == 150 and rows[0]["invited"] == "<8"
    assert rows[1] == {"id": 4, "title": "Draft", "status": "draft", "version": ""}
    ctx = as_user(server, "sponsor1")
    try:
        figure, message = study_callbacks.draw(3, 100)
        assert message == "" and list(figure.data[0].y) == [10]
        # the dashboard's look, titles on both axes, no template copied in
        assert figure.layout.title.text == "Patients newly meeting the criteria per month"
        assert figure.layout.xaxis.title.text and figure.layout.yaxis.title.text == "patients"
        assert figure.layout.template.layout.to_plotly_json() == {}
        assert figure.layout.font.family.startswith("system-ui")
        assert study_callbacks.draw(9, 100) == ({}, "no such study")
    finally:
        ctx.pop()
    ctx = as_user(server, "practice1")
    try:
        with pytest.raises(PreventUpdate):
            study_callbacks.draw(3, 100)
    finally:
        ctx.pop()


def test_the_admin_reviews_a_study_before_approving(server):
    from dashboards.admin import callbacks as admin_callbacks

    ctx = as_user(server, "admin1")
    try:
        shown = text_of(admin_callbacks.show_review(2))
        for part in ("Sponsor sponsor1", "version 2 of 2", "include age >= 18",
                     "aged at least 18", "eligible 800", "+include age >= 18"):
            assert part in shown
        assert admin_callbacks.show_review(9) == ["no such study"]
        assert "Choose a study" in text_of(admin_callbacks.show_review(None))
    finally:
        ctx.pop()


def test_a_run_whose_result_is_shown_redraws_nothing(server):
    ctx = as_user(server, "sponsor1")
    try:
        data, *_ = wb_callbacks.run(1, "include age >= 18")
        # as the browser sends it back: whole floats come back as integers
        back = json.loads(json.dumps(data).replace(".0,", ",").replace(".0}", "}"))
        again = wb_callbacks.run(2, "include age >= 18", back)
        assert again[0] is no_update and again[1] is no_update
        assert "the same as shown" in text_of(again[2])
    finally:
        ctx.pop()
