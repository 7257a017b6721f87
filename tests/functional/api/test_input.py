"""Bad input: one error shape everywhere, clear 400s, size limits, nothing written, and
injection strings in every text field treated as plain data."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from dart.store.app_tables import invitations, studies, study_versions
from dart.store.schema import invitation, patient
from dart.web import create_app
from tests.functional.api.conftest import CRITERIA, TODAY
from tests.functional.api.helpers import assert_error

INJECTIONS = [
    "'; DROP TABLE patient; --",
    "\" OR 1=1 --",
    "1 UNION SELECT nhs_number FROM patient",
    "Robert'); DELETE FROM users;--",
    "%' OR '%'='",
    "\\'; SELECT pg_sleep(5); --",
    "<script>alert(1)</script>",
    "{{7*7}} ${jndi:ldap://x}",
    "=cmd|' /C calc'!A0",
    "\u202e\ufeffé漢字🙂",
]


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in (patient, invitation, invitations, studies, study_versions)}


@pytest.fixture
def approved(api):
    study = api.services.create_study(api.user("sponsor"), CRITERIA)
    api.services.approve_study(api.user("admin"), study.study_id)
    return api


@pytest.mark.parametrize("path,method", [
    ("/api/v1/nowhere", "GET"), ("/nowhere", "GET"), ("/api/v1/studies/1/nothing", "GET"),
])
def test_unknown_paths_answer_404_in_the_shape(api, path, method):
    assert_error(api.client.open(path, method=method), 404, "not_found")


@pytest.mark.parametrize("path,method", [
    ("/api/v1/feasibility", "GET"), ("/api/v1/studies", "DELETE"),
    ("/api/v1/studies/1", "PUT"), ("/api/v1/audit", "POST"),
])
def test_wrong_methods_answer_405_in_the_shape(api, path, method):
    response = api.client.open(path, method=method, headers=api.headers("admin"))
    assert_error(response, 405, "method_not_allowed")


def test_an_unexpected_error_answers_500_without_a_traceback(sqlite_engine, library):
    app = create_app({"ENGINE": sqlite_engine, "CODELISTS": library})

    def boom():
        raise RuntimeError("secret driver detail")

    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom")
    error = assert_error(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True) and "Traceback" not in str(error)


@pytest.mark.parametrize("raw,code", [
    (b"{", "bad_json"), (b"[]", "bad_json"), (b'"text"', "bad_json"), (b"", "bad_json"),
    (b'{"criteria": NaN}', "bad_json"), (b"\xff\xfe", "bad_json"),
    (b'{"criteria": 5}', "bad_type"), (b'{"criteria": true}', "bad_type"),
    (b'{"criteria": ["a"]}', "bad_type"), (b'{}', "missing_field"),
    (b'{"criteria": "x", "extra": 1}', "unknown_field"),
    (b'{"criteria": "a\\u0000b"}', "bad_value"), (b'{"criteria": "\\ud800"}', "bad_value"),
])
@pytest.mark.parametrize("path", ["/api/v1/criteria/check", "/api/v1/feasibility",
                                  "/api/v1/studies"])
def test_malformed_bodies_are_400_and_write_nothing(api, path, raw, code):
    before = table_counts(api.engine)
    response = api.client.post(path, data=raw, content_type="application/json",
                               headers=api.headers("sponsor"))
    assert_error(response, 400, code)
    assert table_counts(api.engine) == before


@pytest.mark.parametrize("body,code", [
    ({"criteria": CRITERIA, "fatigue_months": "6"}, "bad_type"),
    ({"criteria": CRITERIA, "fatigue_months": -1}, "bad_value"),
    ({"criteria": CRITERIA, "fatigue_months": 1.5}, "bad_type"),
    ({"criteria": CRITERIA, "title": "x" * 201}, "bad_value"),
    ({"criteria": "include age >= "}, "criteria_error"),
    ({"criteria": 'include "Adults": age >= 18'}, "bad_request"),  # no title anywhere
])
def test_bad_study_fields(api, body, code):
    before = table_counts(api.engine)
    response = api.post("/api/v1/studies", "sponsor", body)
    assert_error(response, 400, code)
    assert table_counts(api.engine) == before


def test_criteria_errors_carry_line_and_column(api):
    text = 'include "Adults": age >= 18\ninclude "HbA1c": latest hba1c between and 110\n'
    body = api.post("/api/v1/criteria/check", "researcher", {"criteria": text}).get_json()
    assert body["valid"] is False
    assert body["errors"][0]["line"] == 2 and body["errors"][0]["column"] > 1
    error = assert_error(api.post("/api/v1/feasibility", "researcher", {"criteria": text}),
                         400, "criteria_error")
    assert error["details"]["errors"][0]["line"] == 2


def test_size_limits(api):
    big = "# " + "x" * (64 * 1024) + "\n" + CRITERIA
    assert_error(api.post("/api/v1/criteria/check", "sponsor", {"criteria": big}), 413,
                 "too_large")
    huge = b'{"criteria": "' + b"x" * (300 * 1024) + b'"}'
    response = api.client.post("/api/v1/feasibility", data=huge,
                               content_type="application/json", headers=api.headers("sponsor"))
    assert_error(response, 413, "too_large")


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", "99999999999", "1e3", "%20",
                                 "١", "1;DROP TABLE studies"])
def test_bad_ids_are_400(approved, bad):
    for method, suffix in [("GET", ""), ("GET", "/invites"), ("POST", "/close")]:
        response = approved.client.open(f"/api/v1/studies/{bad}{suffix}", method=method,
                                        headers=approved.headers("admin"))
        assert_error(response, 400, "bad_id")


@pytest.mark.parametrize("query", ["?format=xml", "?format=csv&format=json",
                                   "?practice=T00002", "?practice_id=2"])
def test_bad_query_parameters_are_400(approved, query):
    response = approved.get(f"/api/v1/studies/1/invites{query}", "practice")
    assert_error(response, 400)


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_plain_data(approved, text):
    api = approved
    before = table_counts(api.engine)
    for path in ("/api/v1/criteria/check", "/api/v1/feasibility", "/api/v1/representativeness"):
        response = api.post(path, "sponsor", {"criteria": text})
        assert response.status_code in (200, 400), response.get_data(as_text=True)
    for path in ("/api/v1/studies", "/api/v1/studies/1/versions"):
        assert_error(api.post(path, "sponsor", {"criteria": text}), 400, "criteria_error")
    response = api.post("/api/v1/studies", "sponsor", {"criteria": CRITERIA, "title": text})
    assert response.status_code == 201 and response.get_json()["title"] == text.strip()
    for who, url in [("sponsor", f"/api/v1/studies?status={text}"),
                     ("practice", f"/api/v1/studies/1/invites?format={text}"),
                     ("admin", f"/api/v1/audit?action={text}"),
                     ("admin", f"/api/v1/audit?limit={text}")]:
        assert_error(api.get(url, who), 400)
    # A "/" in the id makes it another path: 404 then, else 400.
    response = api.get(f"/api/v1/studies/{quote(text, safe='')}", "admin")
    assert_error(response, 404 if "/" in text else 400)
    assert_error(api.post("/api/v1/studies/1/invitations", "practice", {"patient_ids": [text]}),
                 400, "bad_type")
    after = table_counts(api.engine)
    assert after == {**before, "studies": before["studies"] + 1,
                     "study_versions": before["study_versions"] + 1}
    assert api.get("/api/v1/studies/1/invites", "practice").get_json()["count"] == 13


def test_list_date_is_fixed_for_tests(approved):
    assert approved.get("/api/v1/studies/1/invites", "practice").get_json()["list_date"] \
        == TODAY.isoformat()


def test_check_returns_warnings_in_their_own_field(api):
    # The hand store's extract date is 2026-06-30 (tests.support.tables).
    text = ("index date 2029-01-01\ndefine unused = age > 3\n"
            "include latest hba1c between 7.5 and 12\n")
    body = api.post("/api/v1/criteria/check", "researcher", {"criteria": text}).get_json()
    assert body["valid"] is True and body["errors"] == []
    assert [(w["code"], w["line"]) for w in body["warnings"]] == [
        ("index-after-extract", 1), ("unused-define", 2), ("implausible-value", 3)]
