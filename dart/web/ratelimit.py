"""Rate limits and lockout (Flask-Limiter), each answered with 429 and ``Retry-After``.

- ``RATE_LIMIT_API`` (default 300 per minute): every API request, per bearer token (per
  client address when there is none);
- ``RATE_LIMIT_BAD_TOKEN`` (default 20 per 10 minutes): failed authentications (401), per
  client address and per token. Once spent, the address (or token) is locked out of the API
  until the window moves on, even with a good token: a guesser cannot tell when it succeeded;
- ``RATE_LIMIT_SIGN_IN`` (default 10 per 15 minutes): failed dashboard sign-ins, per client
  address and per user name.

The counters live in the process (``RATELIMIT_STORAGE_URI``, default ``memory://``): right
for one ``dart serve`` process; several processes need a shared store such as
``redis://...`` (docs/security.md).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from flask import Blueprint, Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from dart.web.errors import error_response
from dart.web.request_audit import client_address

DEFAULTS = {
    "RATE_LIMIT_API": "300 per minute",
    "RATE_LIMIT_BAD_TOKEN": "20 per 10 minutes",
    "RATE_LIMIT_SIGN_IN": "10 per 15 minutes",
}
EXTENSION = "dart_limiter"


def _address_key() -> str:
    return f"address:{client_address()}"


def _token_key() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        # A digest, so that no token is kept in the limiter's storage.
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return _address_key()


def _name_key() -> str:
    return "name:" + request.form.get("name", "").strip().lower()[:64]


def _unauthorized(response: Response) -> bool:
    return response.status_code == 401


def _too_many(exc: RateLimitExceeded) -> Response:
    limiter: Limiter = _limiter_of_app()
    current = limiter.current_limit
    wait = 60
    if current:
        # reset_at is whole seconds, rounded up: never say more than the window itself
        wait = max(1, min(math.ceil(current.reset_at - time.time()),
                          current.limit.get_expiry()))
    return error_response(429, "rate_limited",
                          f"too many requests ({exc.description}); try again in {wait} s",
                          {"retry_after": wait, "limit": exc.description})


def _limiter_of_app() -> Limiter:
    from flask import current_app

    return current_app.extensions[EXTENSION]


def install(app: Flask) -> Limiter:
    """The app's limiter (made once; register it after ``request_audit.install``)."""
    if EXTENSION in app.extensions:
        return app.extensions[EXTENSION]
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter = Limiter(_address_key, app=app, headers_enabled=False)
    app.extensions[EXTENSION] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many)
    return limiter


def limit_api(app: Flask, blueprint: Blueprint) -> None:
    """Apply the API's limits to ``blueprint`` (before it is registered)."""
    limiter, config = install(app), app.config
    # Shared: one counter across all routes of the API, not one per route.
    limiter.shared_limit(config["RATE_LIMIT_API"], "api", key_func=_token_key)(blueprint)
    for name, key in (("address", _address_key), ("token", _token_key)):
        limiter.shared_limit(config["RATE_LIMIT_BAD_TOKEN"], f"api-bad-token-{name}",
                             key_func=key, deduct_when=_unauthorized)(blueprint)


def limit_sign_in(app: Flask, view: Callable) -> Callable:
    """``view`` (the dashboard's sign-in) with its lockout on failed sign-ins."""
    limiter, config = install(app), app.config
    for key in (_address_key, _name_key):
        view = limiter.limit(config["RATE_LIMIT_SIGN_IN"], key_func=key, methods=["POST"],
                             deduct_when=_unauthorized)(view)
    return view
