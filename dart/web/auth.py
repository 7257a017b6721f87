"""Bearer-token authentication for the API.

Every ``/api/v1`` request except the OpenAPI document must carry
``Authorization: Bearer <token>``; the token's sha256 is looked up among active users.
No token or a malformed header, and an unknown or revoked token: 401 in the shared error
shape. The two messages say which of those it was (the caller knows what they sent);
unknown and revoked share one, so the answer says nothing about which tokens exist. The
second names the usual cause on a first run: a user added to another store than the one
served.
"""

from __future__ import annotations

from flask import current_app, g, request

from dart.app.accounts import User
from dart.app.errors import Unauthorized

PUBLIC_ENDPOINTS = {"api.openapi"}
UNKNOWN_TOKEN = ("the bearer token is not an active user's token on this server's store "
                 "(unknown or revoked; 'dart users add' adds a user to the store of its --db, "
                 "which must be the store 'dart serve' was given)")


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
    if token is None:
        raise Unauthorized("a valid bearer token is required "
                           "(Authorization: Bearer <token>)")
    user = services().user_for_token(token)
    if user is None:
        raise Unauthorized(UNKNOWN_TOKEN)
    g.user = user


def current_user() -> User:
    """The authenticated user of this request."""
    return g.user
