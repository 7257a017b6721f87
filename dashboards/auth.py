"""Signing in to the dashboard: a server-side session, separate from the API's bearer tokens.

The login page is a plain HTML form served by Flask at ``<base>login``: it checks the user
name and secret with the backend (the same users and roles as the API), opens a session on
the server and keeps only its random id in the signed session cookie. Every request looks
the session up again, so a changed role, a removed user or a sign-out takes effect at once;
signing out (a POST) deletes the session, and a replayed copy of the cookie opens nothing.

CSRF: every POST under the dashboard (the sign-in and sign-out forms, every Dash callback)
must carry the session's CSRF token (Flask-WTF): the forms as a hidden field, Dash's own
requests as the ``X-CSRFToken`` header that its renderer copies from the ``_csrf_token``
cookie; a POST whose ``Origin`` is another site is refused too. Callbacks call
``require(role)``: the check is on the server, not in which links are shown.
"""

from __future__ import annotations

import flask
from dash.exceptions import PreventUpdate
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from dart.app.accounts import User
from dart.web import headers, ratelimit
from dart.web.errors import error_response
from dart.web.request_audit import client_address
from dashboards.backend import Backend

SESSION_KEY = "dart_dashboard_user"
EXTENSION = "dart_dashboard"

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · DART</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{{ base }}assets/style.css"></head>
<body><main class="login">
<h1>DART</h1><p class="muted">Clinical-trial feasibility over GP records</p>
<form method="post" action="{{ base }}login">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
{% if error %}<p class="error" role="alert" id="login-error">{{ error }}</p>{% endif %}
<label for="login-name">User name</label>
<input id="login-name" name="name" autocomplete="username" required autofocus
       value="{{ name }}">
<label for="login-secret">Token</label>
<input id="login-secret" name="secret" type="password" autocomplete="current-password" required>
<button id="login-submit" type="submit">Sign in</button>
</form></main></body></html>"""


CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads (it sends it as X-CSRFToken)


def backend() -> Backend:
    """The backend the dashboard was mounted with."""
    return flask.current_app.extensions[EXTENSION]["backend"]


def current_user() -> User | None:
    """The signed-in user of this request, or None (the session must be open on the
    server, not only present in the cookie)."""
    if "user" not in flask.g:
        session_id = flask.session.get(SESSION_KEY)
        flask.g.user = backend().session_user(session_id) if session_id else None
    return flask.g.user


def require(*roles: str) -> User:
    """The signed-in user if their role is one of ``roles``; else the callback does nothing."""
    user = current_user()
    if user is None or user.role not in roles:
        raise PreventUpdate
    return user


def _page(base: str, error: str | None = None, name: str = "", status: int = 200):
    page = flask.render_template_string(LOGIN_PAGE, base=base, error=error, name=name)
    return flask.Response(page, status=status)


def _login(base: str):
    def login() -> flask.Response:
        if flask.request.method == "GET":
            return _page(base)
        name = flask.request.form.get("name", "").strip()
        secret = flask.request.form.get("secret", "")
        user = backend().authenticate(name, secret, client_address()) \
            if name and secret else None
        if user is None:
            return _page(base, "Unknown user name or wrong token.", name, 401)
        flask.session.clear()
        flask.g.pop("csrf_token", None)  # a new CSRF token with the new session
        flask.session[SESSION_KEY] = backend().open_session(user)
        flask.g.user = user
        return flask.redirect(base)

    return login


def _logout(base: str):
    def logout() -> flask.Response:
        session_id = flask.session.get(SESSION_KEY)
        if session_id:
            backend().close_session(session_id, current_user())
        flask.session.clear()
        flask.g.user = None
        return flask.redirect(f"{base}login")

    return logout


def _same_origin() -> bool:
    origin = flask.request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == flask.request.host_url.rstrip("/")


def _guard(base: str, csrf: CSRFProtect):
    """CSRF and Origin checks on every dashboard POST; anonymous page visitors are sent to
    the login form (Dash's own routes answer nothing useful without a session)."""

    def guard() -> flask.Response | None:
        path = flask.request.path
        if not path.startswith(base):
            return None
        if flask.request.method == "POST":
            if not _same_origin():
                return error_response(403, "cross_origin", "cross-site requests are refused")
            csrf.protect()
        first = path[len(base):].split("/", 1)[0]
        if first.startswith("_") or first in ("assets", "login", "logout"):
            return None
        if current_user() is None:
            return flask.redirect(f"{base}login")
        return None

    return guard


def _csrf_cookie(base: str):
    def set_cookie(response: flask.Response) -> flask.Response:
        if flask.request.path.startswith(base) and not headers.is_static(flask.request.path):
            response.set_cookie(CSRF_COOKIE, generate_csrf(), path=base, samesite="Strict",
                                secure=bool(flask.current_app.config["SECURE_COOKIES"]))
        return response

    return set_cookie


def _csrf_refused(exc: CSRFError) -> flask.Response:
    return error_response(403, "csrf_failed", f"refused: {exc.description}")


def install(server: flask.Flask, backend_: Backend, base: str) -> None:
    """Add the login and logout routes, the CSRF checks and the page guard to ``server``."""
    server.extensions[EXTENSION] = {"backend": backend_, "base": base}
    if not server.secret_key:
        # A development default only: create_app should set SECRET_KEY from its config.
        import secrets

        server.secret_key = secrets.token_hex(32)
    secure = bool(server.config.setdefault("SECURE_COOKIES", False))
    # Strict: the session cookie never rides on a request started by another site.
    server.config.update(SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True,
                         SESSION_COOKIE_SECURE=secure, WTF_CSRF_CHECK_DEFAULT=False,
                         WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_HEADERS=["X-CSRFToken"])
    csrf = CSRFProtect(server)
    server.register_error_handler(CSRFError, _csrf_refused)
    headers.install(server)
    server.add_url_rule(f"{base}login", "dashboard_login",
                        ratelimit.limit_sign_in(server, _login(base)), methods=["GET", "POST"])
    server.add_url_rule(f"{base}logout", "dashboard_logout", _logout(base), methods=["POST"])
    server.before_request(_guard(base, csrf))
    server.after_request(_csrf_cookie(base))
