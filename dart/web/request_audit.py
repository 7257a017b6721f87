"""Every request to the server is in the audit log, refused ones first of all.

A ``request`` start entry is written before anything else runs (before the rate limits and
before the bearer token is checked), and its end entry with the status once the answer is
ready, so a bad token, a refused input, a rate-limited call and a request that never
finishes all leave a row. Static files (scripts, styles) are not logged.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from dart.app.audit import AuditEntry, AuditLog
from dart.web.errors import HTTP_CODES
from dart.web.headers import is_static

MAX_DETAIL = 500


def client_address() -> str:
    """The client's address as the WSGI server saw it (behind a proxy: see docs/security.md)."""
    return request.remote_addr or "unknown"


def _outcome(response: Response) -> str:
    if response.status_code < 400:
        return "ok"
    if response.is_json:
        body = response.get_json(silent=True) or {}
        code = (body.get("error") or {}).get("code") if isinstance(body, dict) else None
        if code:
            return str(code)
    return HTTP_CODES.get(response.status_code, "http_error")


def install(app: Flask, log: AuditLog) -> None:
    """Log the start and end of every request to ``app`` (call before other hooks)."""

    def start() -> None:
        if is_static(request.path):
            return
        detail = f"{request.method} {request.full_path.rstrip('?')}"[:MAX_DETAIL]
        entry = AuditEntry("request", client=client_address(), detail=detail)
        g.audit_request = (log.start(None, entry), entry)

    def end(response: Response) -> Response:
        started = g.pop("audit_request", None)
        if started is not None:
            start_id, entry = started
            log.end(start_id, g.get("user"), entry, _outcome(response),
                    response.status_code)
        return response

    app.before_request(start)
    app.after_request(end)
