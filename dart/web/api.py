"""The JSON API under ``/api/v1``: thin views over ``dart.app.services``.

Each view reads and checks its input (``payloads``), calls one ``Services`` method with the
authenticated user and renders the result. Who may do what lives in the services, so the
dashboard, calling them in-process, obeys the same rules. The endpoints are described in
``openapi.py`` and docs/api.md.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, jsonify, request

from dart.app.audit import ACTIONS
from dart.app.errors import BadRequest
from dart.recruitment.lifecycle import MAX_REASON
from dart.reports.invite_list_csv import invite_list_csv
from dart.store.app_tables import STUDY_DESIGNS, STUDY_STATUSES
from dart.web.auth import authenticate_request, current_user, services
from dart.web.openapi import openapi_document
from dart.web.payloads import (
    MAX_PATIENT_IDS,
    MAX_TITLE,
    Field,
    clean_text,
    int_arg,
    json_body,
    parse_id,
    patient_ids,
    query_args,
)

api = Blueprint("api", __name__, url_prefix="/api/v1")
api.before_request(authenticate_request)

CRITERIA = Field(str, required=True)


def _created(body: dict) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


def _optional_body(fields: dict[str, Field]) -> dict:
    """A body that may be left out entirely (then it means ``{}``)."""
    if not request.get_data(cache=True).strip():
        return {}
    return json_body(fields)


@api.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@api.get("/me")
def me() -> Response:
    query_args(())
    return jsonify(current_user().to_json())


@api.post("/criteria/check")
def check_criteria() -> Response:
    query_args(())
    body = json_body({"criteria": CRITERIA})
    return jsonify(services().check_criteria(current_user(), body["criteria"]))


@api.post("/feasibility")
def feasibility() -> Response:
    query_args(())
    body = json_body({"criteria": CRITERIA, "up_to_standard": Field(bool)})
    return jsonify(services().feasibility(current_user(), body["criteria"],
                                          up_to_standard=body.get("up_to_standard", False)))


@api.post("/representativeness")
def representativeness() -> Response:
    query_args(())
    body = json_body({"criteria": Field(str), "study_id": Field(int, minimum=1)})
    return jsonify(services().representativeness(
        current_user(), text=body.get("criteria"), study_id=body.get("study_id")))


@api.get("/profile")
def profile() -> Response:
    query_args(())
    return jsonify(services().profile(current_user()))


@api.get("/studies")
def list_studies() -> Response:
    args = query_args(("status",))
    status = args.get("status")
    if status is not None and status not in STUDY_STATUSES:
        raise BadRequest(f"'status' must be one of {', '.join(STUDY_STATUSES)}",
                         code="bad_parameter")
    user = current_user()
    found = services().list_studies(user, status)
    return jsonify({"studies": [services().study_json(user, s) for s in found]})


@api.post("/studies")
def create_study() -> Response:
    query_args(())
    body = json_body({"criteria": CRITERIA, "title": Field(str, max_length=MAX_TITLE),
                      "fatigue_months": Field(int, minimum=0, maximum=60),
                      "design": Field(str)})
    design = body.get("design", "interventional")
    if design not in STUDY_DESIGNS:
        raise BadRequest(f"'design' must be one of {', '.join(STUDY_DESIGNS)}",
                         code="bad_value", details={"field": "design"})
    user = current_user()
    study = services().create_study(user, body["criteria"], body.get("title"),
                                    body.get("fatigue_months", 6), design)
    return _created(services().study_json(user, study))


@api.get("/studies/<study_id>")
def get_study(study_id: str) -> Response:
    query_args(())
    user = current_user()
    study = services().get_study(user, parse_id(study_id))
    return jsonify(services().study_json(user, study))


@api.post("/studies/<study_id>/versions")
def add_version(study_id: str) -> Response:
    query_args(())
    number = parse_id(study_id)
    body = json_body({"criteria": CRITERIA})
    user = current_user()
    study = services().add_version(user, number, body["criteria"])
    return _created(services().study_json(user, study))


@api.post("/studies/<study_id>/approve")
def approve_study(study_id: str) -> Response:
    query_args(())
    number = parse_id(study_id)
    body = _optional_body({"version": Field(int, minimum=1)})
    user = current_user()
    study = services().approve_study(user, number, body.get("version"))
    return jsonify(services().study_json(user, study))


@api.post("/studies/<study_id>/close")
def close_study(study_id: str) -> Response:
    query_args(())
    number = parse_id(study_id)
    _optional_body({})
    user = current_user()
    return jsonify(services().study_json(user, services().close_study(user, number)))


def _wants_csv(args: dict[str, str]) -> bool:
    fmt = args.get("format")
    if fmt is not None:
        if fmt not in ("json", "csv"):
            raise BadRequest("'format' must be json or csv", code="bad_parameter")
        return fmt == "csv"
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


def _date_or_fail(args: dict[str, str], name: str) -> dt.date | None:
    """An optional YYYY-MM-DD query parameter."""
    if name not in args:
        return None
    text = args[name]
    try:
        if len(text) == 10 and text.isascii():
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise BadRequest(f"'{name}' must be a date, YYYY-MM-DD", code="bad_parameter")


@api.get("/studies/<study_id>/invites")
def invite_list(study_id: str) -> Response:
    args = query_args(("format", "new_since"))
    number = parse_id(study_id)
    new_since = _date_or_fail(args, "new_since")
    csv_wanted = _wants_csv(args)
    user = current_user()
    found = services().invite_list(user, number, download=csv_wanted, new_since=new_since,
                                   only_new=new_since is not None)
    if not csv_wanted:
        return jsonify(found.to_json())
    name = f"dart-study-{number}-{user.practice_ods}-{found.list_date.isoformat()}.csv"
    return Response(invite_list_csv(found), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@api.post("/studies/<study_id>/invitations")
def record_invitations(study_id: str) -> Response:
    query_args(())
    number = parse_id(study_id)
    body = json_body({"patient_ids": Field(list, required=True),
                      "status": Field(str, max_length=20),
                      "channel": Field(str, max_length=20),
                      "reason": Field(str, max_length=MAX_REASON),
                      "correction": Field(bool)})
    done = services().record_invitations(
        current_user(), number, patient_ids(body["patient_ids"]),
        body.get("status", "invited"), body.get("channel"), body.get("reason"),
        body.get("correction", False))
    return _created(done.to_json())


@api.get("/admin/usage")
def admin_usage() -> Response:
    query_args(())
    return jsonify(services().usage(current_user()))


@api.post("/studies/<study_id>/outcomes")
def record_outcomes(study_id: str) -> Response:
    query_args(())
    number = parse_id(study_id)
    if request.mimetype != "text/csv":
        raise BadRequest("send the outcomes as a text/csv body", code="bad_content_type")
    try:
        text = request.get_data(cache=True).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("the CSV is not UTF-8 text", code="bad_csv") from None
    done = services().record_outcomes_csv(current_user(), number, clean_text("csv", text))
    return _created(done.to_json())


@api.get("/studies/<study_id>/newly-eligible")
def newly_eligible(study_id: str) -> Response:
    args = query_args(("since",))
    number = parse_id(study_id)
    since = _date_or_fail(args, "since")
    return jsonify(services().newly_eligible(current_user(), number, since))


@api.get("/studies/<study_id>/funnel")
def recruitment_funnel(study_id: str) -> Response:
    query_args(())
    return jsonify(services().funnel(current_user(), parse_id(study_id)))


@api.get("/studies/<study_id>/forecast")
def recruitment_forecast(study_id: str) -> Response:
    args = query_args(("target", "months"))
    number = parse_id(study_id)
    target = int_arg(args, "target", 0, 1, 10_000_000) or None
    months = int_arg(args, "months", 24, 1, 60)
    return jsonify(services().forecast(current_user(), number, target, months))


@api.get("/studies/<study_id>/representativeness")
def stage_representativeness(study_id: str) -> Response:
    args = query_args(("stage",))
    number = parse_id(study_id)
    return jsonify(services().stage_representativeness(current_user(), number,
                                                       args.get("stage", "eligible")))


@api.get("/studies/<study_id>/fair-invitations")
def fair_invitations(study_id: str) -> Response:
    args = query_args(("n",))
    number = parse_id(study_id)
    if "n" not in args:
        raise BadRequest("'n' (how many to invite) is required", code="missing_parameter")
    n = int_arg(args, "n", 0, 1, MAX_PATIENT_IDS)
    return jsonify(services().fair_invitations(current_user(), number, n))


@api.get("/audit")
def audit_log() -> Response:
    args = query_args(("limit", "before", "action"))
    action = args.get("action")
    if action is not None and action not in ACTIONS:
        raise BadRequest(f"'action' must be one of {', '.join(ACTIONS)}",
                         code="bad_parameter")
    entries = services().audit_log(
        current_user(), limit=int_arg(args, "limit", 100, 1, 1000),
        before=int_arg(args, "before", 0, 1, 2**31 - 1) or None, action=action)
    return jsonify({"entries": entries})
