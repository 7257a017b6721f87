"""Security headers on every response of the server (API and dashboard alike).

- ``Content-Security-Policy``: scripts only from this server (plus the hashes of the few
  inline scripts Dash writes into its page, listed in ``CSP_SCRIPT_HASHES``); styles from
  this server and inline ``style`` attributes, which Dash components and Plotly set on
  every element; no plug-ins, no framing, forms post only here (docs/security.md).
- ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``: no page can be framed (an
  Approve button under someone else's page, clickjacking).
- ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: same-origin`` (no URL leaves for
  another site; same-origin referrers stay, which CSRF checks over HTTPS rely on).
- ``Cache-Control: no-store`` on everything but static files: answers carry counts, invite
  lists and NHS numbers, and must not stay in a browser's or proxy's cache.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

STATIC_PARTS = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
POLICY = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def is_static(path: str) -> bool:
    """A static file (scripts, styles): cacheable, carries no data, not audited."""
    return any(part in path for part in STATIC_PARTS)


def content_security_policy() -> str:
    """The policy, with the app's allowed inline-script hashes."""
    # Dash's csp_hashes() come quoted already: 'sha256-...'.
    hashes = "".join(f" {h}" for h in current_app.config.get("CSP_SCRIPT_HASHES", ()))
    return POLICY.format(hashes=hashes)


def _secure(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy()
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if not is_static(request.path):
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        headers.pop("ETag", None)
    return response


def install(app: Flask) -> None:
    """Add the headers to every response of ``app`` (once)."""
    if app.extensions.get("dart_headers"):
        return
    app.extensions["dart_headers"] = True
    app.after_request(_secure)
