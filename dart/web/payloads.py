"""Reading request input strictly: JSON bodies, ids and query parameters.

Malformed JSON, a body that is not an object, a missing or unknown field, a value of the
wrong type (``true`` is not a number here), text with a NUL or a lone surrogate (no engine
can store them), a bad id or an unknown query parameter: each is a 400 with a message that
names the field, raised before anything runs or is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import request

from dart.app.errors import BadRequest

MAX_ID = 2**31 - 1
MAX_TITLE = 200
MAX_PATIENT_IDS = 5000


@dataclass(frozen=True)
class Field:
    """One body field: its JSON type(s), whether it is required, and bounds."""

    kind: type | tuple[type, ...]
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", list: "an array", dict: "an object",
             bool: "true or false"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def clean_text(name: str, value: str) -> str:
    """Refuse text no store can hold (NUL, lone surrogates)."""
    if "\x00" in value:
        raise BadRequest(f"'{name}' contains a NUL character", code="bad_value",
                         details={"field": name})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(f"'{name}' is not valid Unicode text", code="bad_value",
                         details={"field": name}) from None
    return value


def _check(name: str, value: Any, spec: Field) -> Any:
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        raise BadRequest(f"'{name}' must be {_type_name(spec.kind)}", code="bad_type",
                         details={"field": name})
    if isinstance(value, str):
        clean_text(name, value)
        if spec.max_length is not None and len(value) > spec.max_length:
            raise BadRequest(f"'{name}' is longer than {spec.max_length} characters",
                             code="bad_value", details={"field": name})
    if isinstance(value, int):
        low = spec.minimum if spec.minimum is not None else -MAX_ID
        high = spec.maximum if spec.maximum is not None else MAX_ID
        if not low <= value <= high:
            raise BadRequest(f"'{name}' must be between {low} and {high}", code="bad_value",
                             details={"field": name})
    return value


def json_body(fields: dict[str, Field]) -> dict[str, Any]:
    """The request's JSON object, checked against ``fields`` (unknown fields refused)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise BadRequest("the request needs a JSON object body", code="bad_json")
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}", code="bad_json") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", code="bad_json")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(unknown)}", code="unknown_field",
                         details={"fields": unknown, "allowed": sorted(fields)})
    for name, spec in fields.items():
        if name not in body or body[name] is None:
            if spec.required:
                raise BadRequest(f"'{name}' is required", code="missing_field",
                                 details={"field": name})
            body.pop(name, None)
            continue
        _check(name, body[name], spec)
    return body


def patient_ids(value: list) -> list[int]:
    """A non-empty list of positive integer patient ids."""
    if not value or len(value) > MAX_PATIENT_IDS:
        raise BadRequest(f"'patient_ids' must hold 1 to {MAX_PATIENT_IDS} ids",
                         code="bad_value", details={"field": "patient_ids"})
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 2**63 - 1:
            raise BadRequest("'patient_ids' must hold positive integers", code="bad_type",
                             details={"field": "patient_ids"})
    return value


def parse_id(text: str, what: str = "study id") -> int:
    """A positive integer id from a URL segment (400 if it is not one)."""
    if (len(text) > 10 or not text.isascii() or not text.isdigit()
            or not 1 <= int(text) <= MAX_ID):
        raise BadRequest(f"bad {what} {text[:40]!r}: expected a positive integer",
                         code="bad_id")
    return int(text)


def query_args(allowed: Iterable[str]) -> dict[str, str]:
    """The query parameters, refusing any not in ``allowed`` or given twice."""
    allowed = set(allowed)
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}",
                         code="unknown_parameter", details={"parameters": unknown})
    out = {}
    for key in request.args:
        values = request.args.getlist(key)
        if len(values) != 1:
            raise BadRequest(f"query parameter '{key}' given more than once",
                             code="bad_parameter")
        out[key] = clean_text(key, values[0])
    return out


def int_arg(args: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high]."""
    if name not in args:
        return default
    text = args[name]
    if (len(text) > 10 or not text.isascii() or not text.isdigit()
            or not low <= int(text) <= high):
        raise BadRequest(f"'{name}' must be an integer from {low} to {high}",
                         code="bad_parameter")
    return int(text)
