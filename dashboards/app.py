"""The Dash instance: the page shell, the navigation and page routing by role.

Each view belongs to the roles listed in ``VIEWS``; the page callback renders a view only
for those roles (a server-side check), and each view's own callbacks check again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import flask
from dash import Dash, Input, Output, dcc, html
from flask_wtf.csrf import generate_csrf

from dart.app.accounts import User
from dashboards import admin, invites, representativeness, studies, workbench
from dashboards.auth import backend, current_user

URL = "app-url"
PAGE = "app-page"
NAV = "app-nav"


@dataclass(frozen=True)
class View:
    """A page of the dashboard: its path, its menu label, who may see it, how to draw it."""

    path: str
    label: str
    roles: tuple[str, ...]
    render: Callable[[User], object]


VIEWS = (
    View("workbench", "Criteria workbench", ("sponsor",),
         lambda user: workbench.layout.page(backend().examples(), backend().check)),
    View("studies", "My studies", ("sponsor",),
         lambda user: studies.layout.page(backend().my_studies(user))),
    View("representativeness", "Representativeness", ("researcher",),
         lambda user: representativeness.layout.page(backend().studies(user),
                                                        backend().examples())),
    View("invites", "Invite lists", ("practice",),
         lambda user: invites.layout.page(backend().invite_studies(user))),
    View("admin", "Administration", ("admin",),
         lambda user: admin.layout.page(backend().pending_studies(user),
                                        backend().audit_log(user), backend().usage(user))),
)


def views_for(role: str) -> list[View]:
    """The views a role may open, in menu order."""
    return [v for v in VIEWS if role in v.roles]


def shell(base: str) -> html.Div:
    """The page frame: header with the user's menu, and the page area (built per request)."""
    user = current_user() if flask.has_request_context() else None
    links = [dcc.Link(v.label, href=f"{base}{v.path}", className="nav-link")
             for v in (views_for(user.role) if user else [])]
    who = [html.Span(f"{user.name} ({user.role})", className="who", id="app-who"),
           sign_out_form(base)
           ] if user else [html.A("Sign in", href=f"{base}login", className="nav-link")]
    return html.Div([
        dcc.Location(id=URL),
        html.Header([html.Span("DART", className="brand"),
                     html.Nav(links, id=NAV, **{"aria-label": "Views"}),
                     html.Div(who, className="user")], className="topbar"),
        html.Main(id=PAGE, className="page"),
    ])


def sign_out_form(base: str) -> html.Form:
    """Sign out is a POST with the CSRF token (a link or a GET cannot sign anyone out)."""
    return html.Form([
        dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
        html.Button("Sign out", type="submit", className="nav-link link-button",
                    id="app-logout"),
    ], method="POST", action=f"{base}logout", className="sign-out")


def not_allowed(message: str) -> html.Div:
    """The page shown for a view the user may not open."""
    return html.Div([html.H2("Not available"), html.P(message)], className="denied",
                    id="app-denied", role="alert")


def route(pathname: str | None, base: str) -> object:
    """The page for ``pathname`` if the signed-in user's role allows it."""
    user = current_user()
    if user is None:
        return not_allowed("Please sign in.")
    name = (pathname or base)[len(base):].strip("/") if (pathname or "").startswith(base) else ""
    mine = views_for(user.role)
    if not name:
        return mine[0].render(user) if mine else not_allowed("Your role has no views.")
    for view in VIEWS:
        if view.path == name:
            if user.role in view.roles:
                return view.render(user)
            return not_allowed("Your role cannot open this view.")
    return not_allowed(f"There is no page called {name!r}.")


def create_dash(server: flask.Flask, base: str) -> Dash:
    """A Dash app on ``server`` under ``base`` with every view's callbacks."""
    app = Dash(
        __name__,
        server=server,
        url_base_pathname=base,
        assets_folder=str(Path(__file__).parent / "assets"),
        suppress_callback_exceptions=True,  # pages are built per request by ``route``
        title="DART",
        update_title=None,
    )
    # the page's language, for screen readers (WCAG 3.1.1)
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    app.layout = lambda: shell(base)

    @app.callback(Output(PAGE, "children"), Input(URL, "pathname"))
    def _page(pathname: str | None) -> object:
        return route(pathname, base)

    for feature in (workbench, studies, representativeness, invites, admin):
        feature.callbacks.register(app)
    # The page's inline scripts (Dash's renderer start-up) are allowed by hash, not by
    # 'unsafe-inline' (dart.web.headers).
    server.config["CSP_SCRIPT_HASHES"] = app.csp_hashes()
    return app
