"""DART's dashboard: a Dash app on the Flask server of ``dart.web``, at ``/dashboard/``.

``init_dashboard(server)`` mounts it; ``create_app`` calls it when ``config["DASHBOARD"]``
is true. The dashboard reads and writes only through ``dart.app.services`` (see
``dashboards.backend``), so it applies the API's access rules and disclosure control.
"""

from __future__ import annotations

import flask

from dashboards.backend import Backend

BASE = "/dashboard/"


def init_dashboard(server: flask.Flask, backend: Backend | None = None, base: str = BASE):
    """Mount the dashboard on ``server``; returns the ``dash.Dash`` instance.

    ``backend`` defaults to ``ServicesBackend`` over ``dart.app.services``.
    """
    from dashboards import auth
    from dashboards.app import create_dash

    if backend is None:
        from dashboards.services_backend import ServicesBackend

        backend = ServicesBackend(server)
    auth.install(server, backend, base)
    if base != "/":
        # the server's root is where a newcomer types the address: send them to the dashboard
        server.add_url_rule("/", "dashboard_root", lambda: flask.redirect(base))
    return create_dash(server, base)
