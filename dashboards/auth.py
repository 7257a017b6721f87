"""Signing in to the dashboard: a Flask session, separate from the API's bearer tokens.

The login page is a plain HTML form served by Flask at ``<base>login``: it checks the user
name and secret with the backend (the same users and roles as the API) and stores only the
user name in the signed session cookie. Every request then looks the user up again, so a
changed role or a removed user takes effect at once. Callbacks call ``require(role)``: the
check is on the server, not in which links are shown.
"""

from __future__ import annotations

import flask
from dash.exceptions import PreventUpdate

from dart.web.accounts import User
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
{% if error %}<p class="error" role="alert" id="login-error">{{ error }}</p>{% endif %}
<label for="login-name">User name</label>
<input id="login-name" name="name" autocomplete="username" required autofocus
       value="{{ name }}">
<label for="login-secret">Token</label>
<input id="login-secret" name="secret" type="password" autocomplete="current-password" required>
<button id="login-submit" type="submit">Sign in</button>
</form></main></body></html>"""


def backend() -> Backend:
    """The backend the dashboard was mounted with."""
    return flask.current_app.extensions[EXTENSION]["backend"]


def current_user() -> User | None:
    """The signed-in user of this request, or None."""
    name = flask.session.get(SESSION_KEY)
    if not name:
        return None
    return backend().get_user(name)


def require(*roles: str) -> User:
    """The signed-in user if their role is one of ``roles``; else the callback does nothing."""
    user = current_user()
    if user is None or user.role not in roles:
        raise PreventUpdate
    return user


def _login(base: str):
    def login() -> flask.Response | str:
        if flask.request.method == "GET":
            return flask.render_template_string(LOGIN_PAGE, base=base, error=None, name="")
        name = flask.request.form.get("name", "").strip()
        secret = flask.request.form.get("secret", "")
        user = backend().authenticate(name, secret) if name and secret else None
        if user is None:
            page = flask.render_template_string(
                LOGIN_PAGE, base=base, error="Unknown user name or wrong token.", name=name)
            return flask.Response(page, status=401)
        flask.session.clear()
        flask.session[SESSION_KEY] = user.name
        return flask.redirect(base)

    return login


def _logout(base: str):
    def logout() -> flask.Response:
        flask.session.pop(SESSION_KEY, None)
        return flask.redirect(f"{base}login")

    return logout


def _guard_pages(base: str):
    """Send anonymous visitors of a page (not Dash's own routes) to the login form."""

    def guard() -> flask.Response | None:
        path = flask.request.path
        if not path.startswith(base):
            return None
        first = path[len(base):].split("/", 1)[0]
        if first.startswith("_") or first in ("assets", "login", "logout"):
            return None
        if current_user() is None:
            return flask.redirect(f"{base}login")
        return None

    return guard


def install(server: flask.Flask, backend_: Backend, base: str) -> None:
    """Add the login and logout routes and the page guard to ``server``."""
    server.extensions[EXTENSION] = {"backend": backend_, "base": base}
    if not server.secret_key:
        # A development default only: create_app should set SECRET_KEY from its config.
        import secrets

        server.secret_key = secrets.token_hex(32)
    if not server.config.get("SESSION_COOKIE_SAMESITE"):
        # The session cookie is not sent on cross-site posts: no login CSRF.
        server.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    server.add_url_rule(f"{base}login", "dashboard_login", _login(base), methods=["GET", "POST"])
    server.add_url_rule(f"{base}logout", "dashboard_logout", _logout(base))
    server.before_request(_guard_pages(base))
