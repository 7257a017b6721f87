"""Bearer-token authentication for the API.

Every ``/api/v1`` request except the OpenAPI document must carry
``Authorization: Bearer <token>``; the token's sha256 is looked up among active users.
No token, a malformed header, an unknown or revoked token: 401 in the shared error shape,
with the same message for each, so the answer says nothing about which tokens exist.
"""

from __future__ import annotations

from flask import current_app, g, request

from dart.web.accounts import User
from dart.web.errors import Unauthorized

PUBLIC_ENDPOINTS = {"api.openapi"}


def services():
    """The app's ``Services`` (see ``create_app``)."""
    return current_app.extensions["dart"]


def bearer_token() -> str | None:
    """The token of the request's ``Authorization: Bearer`` header, if well formed."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or " " in token.strip():
        return None
    return token.strip()


def authenticate_request() -> None:
    """``before_request`` hook of the API blueprint: sets ``g.user`` or answers 401."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = bearer_token()
    user = services().authenticate(token) if token else None
    if user is None:
        raise Unauthorized("a valid bearer token is required "
                           "(Authorization: Bearer <token>)")
    g.user = user


def current_user() -> User:
    """The authenticated user of this request."""
    return g.user
