"""The OpenAPI 3 document of ``/api/v1``, served at ``/api/v1/openapi.json``.

Written by hand next to the views (api.py) and tested against them: every route of the
blueprint is described here and schemathesis drives the app from this document.
"""

from __future__ import annotations

from typing import Any

from dart.app.audit import ACTIONS
from dart.recruitment.lifecycle import MAX_REASON
from dart.store.app_tables import (
    CHANNELS,
    INVITATION_STATUSES,
    STUDY_DESIGNS,
    STUDY_STATUSES,
)
from dart.web.payloads import MAX_PATIENT_IDS, MAX_TITLE

CRITERIA_TEXT = {"type": "string", "maxLength": 65536,
                 "description": "criteria text (at most 64 KB of UTF-8)"}
OBJECT = {"type": "object"}
ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["status", "code", "message", "details"],
        "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                       "message": {"type": "string"}, "details": {"type": "object"}},
    }},
}
STUDY_ID = {"name": "study_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
ERRORS = {
    "400": "bad input (malformed JSON, wrong type, unknown field, bad id, bad criteria)",
    "401": "no valid bearer token",
    "403": "the caller's role may not do this",
    "404": "no such study, or one the caller may not see",
    "405": "method not allowed",
    "409": "the study's state does not allow this",
    "413": "body or criteria text too large",
    "429": "query budget spent, or rate limited (any route); Retry-After says when to retry",
}


def _date_param(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "format": "date"}}


def _int_param(name: str, low: int, high: int) -> dict:
    return {"name": name, "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": low, "maximum": high}}


def _body(properties: dict, required: list[str], optional: bool = False) -> dict:
    schema = {"type": "object", "properties": properties, "required": required,
              "additionalProperties": False}
    return {"required": not optional,
            "content": {"application/json": {"schema": schema}}}


def _op(summary: str, roles: str, ok: str = "200", errors: tuple[str, ...] = ("400", "401"),
        body: dict | None = None, params: list | None = None,
        content: dict | None = None) -> dict:
    responses: dict[str, Any] = {
        ok: {"description": "success",
             "content": content or {"application/json": {"schema": OBJECT}}},
    }
    for code in errors:
        responses[code] = {"description": ERRORS[code],
                           "content": {"application/json": {"schema": ERROR}}}
    op: dict[str, Any] = {"summary": summary, "description": f"Roles: {roles}.",
                          "responses": responses}
    if body:
        op["requestBody"] = body
    if params:
        op["parameters"] = params
    if "401" not in errors:
        op["security"] = []
    return op


CHECKED = ("400", "401", "403", "413")
IN_STUDY = ("400", "401", "403", "404")


def openapi_document() -> dict:
    """The whole OpenAPI 3.0 document."""
    criteria_body = _body({"criteria": CRITERIA_TEXT}, ["criteria"])
    paths = {
        "/openapi.json": {"get": _op("this document", "anyone", errors=())},
        "/me": {"get": _op("the caller's name, role and practice", "every role",
                           errors=("401",))},
        "/criteria/check": {"post": _op(
            "parse and check criteria: valid, or errors with line and column", "every role",
            errors=("400", "401", "413"), body=criteria_body)},
        "/feasibility": {"post": _op(
            "feasibility counts (disclosure-controlled; exact for admins)",
            "sponsor, researcher, admin (sponsors and researchers: within their query "
            "budget, else 429 with Retry-After)", errors=(*CHECKED, "429"),
            body=_body({"criteria": CRITERIA_TEXT, "up_to_standard": {
                "type": "boolean", "default": False,
                "description": "count only acceptable patients of practices up to "
                               "standard on the index date"}}, ["criteria"]))},
        "/representativeness": {"post": _op(
            "representativeness report for criteria text or a study the caller may see "
            "(disclosure-controlled; exact for admins)",
            "sponsor, researcher, admin (within the query budget, as feasibility)",
            errors=(*CHECKED, "404", "429"),
            body=_body({"criteria": CRITERIA_TEXT,
                        "study_id": {"type": "integer", "minimum": 1}}, []))},
        "/profile": {"get": _op(
            "the store's data-quality profile: verdicts, per practice, per measurement code "
            "(aggregates; disclosure-controlled; exact for admins)",
            "sponsor, researcher, admin", errors=("400", "401", "403"))},
        "/studies": {
            "get": _op("studies the caller may see", "sponsor (own), practice and researcher "
                       "(approved), admin (all)", errors=("400", "401"),
                       params=[{"name": "status", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": list(STUDY_STATUSES)}}]),
            "post": _op("create a draft study (criteria version 1)", "sponsor", ok="201",
                        errors=CHECKED, body=_body({
                            "criteria": CRITERIA_TEXT,
                            "title": {"type": "string", "maxLength": MAX_TITLE},
                            "fatigue_months": {"type": "integer", "minimum": 0,
                                               "maximum": 60},
                            "design": {"type": "string", "enum": list(STUDY_DESIGNS)}},
                            ["criteria"])),
        },
        "/studies/{study_id}": {"get": _op(
            "one study with its criteria versions", "sponsor (own), practice and "
            "researcher (approved: the frozen version only), admin",
            errors=("400", "401", "404"), params=[STUDY_ID])},
        "/studies/{study_id}/versions": {"post": _op(
            "add a criteria version to a draft study", "sponsor (own)", ok="201",
            errors=(*IN_STUDY, "409", "413"), params=[STUDY_ID], body=criteria_body)},
        "/studies/{study_id}/approve": {"post": _op(
            "approve a draft study, freezing one version (default: the latest)", "admin",
            errors=(*IN_STUDY, "409"), params=[STUDY_ID],
            body=_body({"version": {"type": "integer", "minimum": 1}}, [], optional=True))},
        "/studies/{study_id}/close": {"post": _op(
            "close a study", "sponsor (own), admin", errors=(*IN_STUDY, "409"),
            params=[STUDY_ID], body=_body({}, [], optional=True))},
        "/studies/{study_id}/invites": {"get": _op(
            "the caller's practice's invite list for an approved study (JSON or CSV), each "
            "patient with the reasons per include rule and whether new since the last list",
            "practice", errors=IN_STUDY,
            params=[STUDY_ID, {"name": "format", "in": "query", "required": False,
                               "schema": {"type": "string", "enum": ["json", "csv"]}},
                    _date_param("new_since", "only the patients not eligible at this date")],
            content={"application/json": {"schema": OBJECT},
                     "text/csv": {"schema": {"type": "string"}}})},
        "/studies/{study_id}/invitations": {"post": _op(
            "record a lifecycle status (invited, responded, declined, screened_out, "
            "enrolled) for ids from the caller's list; idempotent, all or nothing",
            "practice", ok="201", errors=(*IN_STUDY, "409"), params=[STUDY_ID],
            body=_body({"patient_ids": {"type": "array", "minItems": 1,
                                        "maxItems": MAX_PATIENT_IDS,
                                        "items": {"type": "integer", "minimum": 1}},
                        "status": {"type": "string", "enum": list(INVITATION_STATUSES)},
                        "channel": {"type": "string", "enum": list(CHANNELS)},
                        "reason": {"type": "string", "maxLength": MAX_REASON},
                        "correction": {"type": "boolean"}},
                       ["patient_ids"]))},
        "/admin/usage": {"get": _op(
            "each sponsor's and researcher's query-budget use in the current window",
            "admin", errors=("400", "401", "403"))},
        "/studies/{study_id}/outcomes": {"post": _op(
            "record outcomes from a CSV file (patient_id or nhs_number, status, channel, "
            "reason), all or nothing", "practice", ok="201", errors=(*IN_STUDY, "409"),
            params=[STUDY_ID],
            body={"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}})},
        "/studies/{study_id}/newly-eligible": {"get": _op(
            "per practice, how many became eligible since a date (default: each practice's "
            "last list); disclosure-controlled", "sponsor (own), admin", errors=IN_STUDY,
            params=[STUDY_ID, _date_param("since", "count from this index date")])},
        "/studies/{study_id}/funnel": {"get": _op(
            "eligible, invited, responded, enrolled by practice; disclosure-controlled",
            "sponsor (own), admin", errors=IN_STUDY, params=[STUDY_ID])},
        "/studies/{study_id}/forecast": {"get": _op(
            "newly eligible per month (and, for an acute-presentation trial, those presenting "
            "with the trigger rule's record) and the projected months to a target enrolment",
            "sponsor (own), admin", errors=IN_STUDY,
            params=[STUDY_ID, _int_param("target", 1, 10_000_000),
                    _int_param("months", 1, 60)])},
        "/studies/{study_id}/representativeness": {"get": _op(
            "representativeness of the study's eligible, invited or enrolled patients against "
            "the eligible, the target population, the base and the UK (disclosure-controlled; "
            "exact for admins)", "sponsor (own), admin", errors=IN_STUDY,
            params=[STUDY_ID, {"name": "stage", "in": "query", "required": False,
                               "schema": {"type": "string",
                                          "enum": ["eligible", "invited", "enrolled"],
                                          "default": "eligible"}}])},
        "/studies/{study_id}/fair-invitations": {"get": _op(
            "a proposal of n patients of the caller's list to invite, matching the target "
            "population, with its representativeness beside a random choice's", "practice",
            errors=IN_STUDY,
            params=[STUDY_ID, {**_int_param("n", 1, MAX_PATIENT_IDS), "required": True}])},
        "/audit": {"get": _op(
            "audit log, newest first", "admin", errors=("400", "401", "403"),
            params=[
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                {"name": "before", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
                {"name": "action", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": list(ACTIONS)}},
            ])},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "DART API", "version": "1",
                 "description": "Trial feasibility and recruitment over UK GP records. "
                                "Errors: {\"error\": {status, code, message, details}}."},
        "servers": [{"url": "/api/v1"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": {"Error": ERROR}},
        "security": [{"bearer": []}],
        "paths": paths,
    }
