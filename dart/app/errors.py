"""The errors the application layer raises: a stable code, a message for people and the
HTTP status the API answers with (the dashboard shows the message; ``dart.web.errors``
renders the shared JSON error shape)."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the services refuse: an HTTP status, a stable code, a message for people."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class TooLarge(ServiceError):
    status, code = 413, "too_large"


class TooCostly(ServiceError):
    """A query the engine stopped at its time or memory limit (``dart.store.limits``)."""

    status, code = 503, "query_too_costly"
    retry_after = 30  # seconds: the limit is per query, so a retry later may pass


class TooManyRequests(ServiceError):
    """Refused for now; ``details["retry_after"]`` says in how many seconds to try again."""

    status, code = 429, "too_many_requests"
