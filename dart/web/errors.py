"""One JSON error shape for every failure the API can give, 404, 405 and 500 included.

    {"error": {"status": 404, "code": "not_found", "message": "...", "details": {}}}

``ServiceError`` and its kinds are raised by the application layer (``dart.app.errors``, no
Flask there), so the dashboard can catch the same errors the API turns into responses. A 500
never shows a traceback or a driver message; it is logged instead.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from dart.app.errors import ServiceError, TooCostly
from dart.store.limits import QueryTooCostly

log = logging.getLogger("dart.web")

# Werkzeug's names for HTTP errors, as stable snake_case codes.
HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "too_large",
    415: "unsupported_media_type", 429: "too_many_requests", 500: "internal_error",
    501: "not_implemented",
}


def error_response(status: int, code: str, message: str, details: dict | None = None) -> Response:
    """The shared error body, with ``status`` as the HTTP status."""
    response = jsonify({"error": {"status": status, "code": code, "message": message,
                                  "details": details or {}}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dart"'
    if status == 429 and details and details.get("retry_after"):
        response.headers["Retry-After"] = str(details["retry_after"])
    return response


def _service_error(exc: ServiceError) -> Response:
    response = error_response(exc.status, exc.code, exc.message, exc.details)
    if isinstance(exc, TooCostly):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = exc.description or exc.name
    if status == 404:
        message = "no such resource"
    elif status == 413:
        message = "the request body is too large"
    response = error_response(status, HTTP_CODES.get(status, "http_error"), message)
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def _unexpected(exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal_error", "an unexpected error occurred; it was logged")


def _too_costly(exc: QueryTooCostly) -> Response:
    # A statement outside the services' own handling (authentication) stopped at a limit.
    return _service_error(TooCostly(str(exc), details={"limit": exc.limit}))


def register_error_handlers(app: Flask) -> None:
    """Every error, expected or not, answers in the shared shape."""
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(QueryTooCostly, _too_costly)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
