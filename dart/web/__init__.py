"""DART's web server: a Flask app with the JSON API under ``/api/v1``.

``create_app(config)`` builds it over one store. Config keys (all optional):

- ``DATABASE_URL``: the record store, opened read only (default:
  ``dart.store.engine.default_url()``), or ``ENGINE``: an open SQLAlchemy engine to use
  instead;
- ``APP_DATABASE_URL``: DART's own database (users, studies, audit, invitations; default:
  ``dart.store.app_db.default_app_url()``), or ``APP_ENGINE``: an open engine; with an
  ``ENGINE`` and neither, DART's tables live in that engine's database;
- ``CODELISTS``: a codelist folder or a ready ``Mapping`` (default: the shipped library);
- ``TODAY``: a callable returning the list date for invite lists (default ``date.today``);
- ``DISCLOSURE``: a ``DisclosurePolicy`` (default: 0-7 as "<8", the rest perturbed by at
  most 4 with the deployment's secret; docs/disclosure.md);
- ``DASHBOARD``: true to mount ``dashboards.init_dashboard`` at ``/dashboard/``, or a
  callable ``init(app)`` to mount something else;
- ``QUERY_LIMITS``: a ``dart.store.limits.QueryLimits`` every statement runs under
  (default: ``QueryLimits.from_env()``); a statement past it answers 503
  ``query_too_costly``;
- ``SECRET_KEY`` (the dashboard's session cookie), ``MAX_CONTENT_LENGTH`` (bytes);
- ``QUERY_BUDGET``: a ``QueryBudget`` (default: 50 answers per 7 days for sponsors and
  researchers; docs/query-budget.md), ``CLOCK``: a callable returning naive UTC now (the
  audit log's times and the budget's window);
- ``RATE_LIMIT_API``, ``RATE_LIMIT_BAD_TOKEN``, ``RATE_LIMIT_SIGN_IN``,
  ``RATELIMIT_STORAGE_URI`` (``dart.web.ratelimit``), ``SECURE_COOKIES`` (cookies only over
  HTTPS; docs/security.md).

The app's ``Services`` (``dart.app.services``) is ``app.extensions["dart"]``: the dashboard
calls it in-process with the signed-in user, under the same access rules as the API.
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask

from dart.app.services import Services
from dart.store.app_db import open_app_db
from dart.store.codelists import load_library
from dart.store.engine import open_engine
from dart.store.limits import QueryLimits, apply_limits
from dart.web import headers, ratelimit, request_audit
from dart.web.errors import register_error_handlers

MAX_BODY_BYTES = 256 * 1024


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app over one store (see the module docstring for ``config``)."""
    config = dict(config or {})
    app = Flask("dart.web")
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, JSON_SORT_KEYS=False)
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.json.sort_keys = False

    engine = config.get("ENGINE") or open_engine(config.get("DATABASE_URL"), read_only=True,
                                                 create=False)
    app_engine = config.get("APP_ENGINE")
    if app_engine is None and (config.get("APP_DATABASE_URL") or not config.get("ENGINE")):
        app_engine = open_app_db(config.get("APP_DATABASE_URL"))
    apply_limits(engine, config.get("QUERY_LIMITS") or QueryLimits.from_env())
    library = config.get("CODELISTS")
    if library is None or not isinstance(library, Mapping):
        library = load_library(library)
    options = {key.lower(): config[key] for key in ("TODAY", "CLOCK") if config.get(key)}
    services = Services(engine, library, app=app_engine, policy=config.get("DISCLOSURE"),
                        budget=config.get("QUERY_BUDGET"), **options)
    app.extensions["dart"] = services

    from dart.web.api import api

    register_error_handlers(app)
    # The audit's start hook first: a request refused by any later hook is still logged.
    request_audit.install(app, services.log)
    headers.install(app)
    ratelimit.limit_api(app, api)
    app.register_blueprint(api)
    _mount_dashboard(app, config.get("DASHBOARD"))
    return app


def _mount_dashboard(app: Flask, hook: Any) -> None:
    if not hook:
        return
    if callable(hook):
        hook(app)
        return
    # Looked up by name: the dashboard is the layer above this one, so dart.web must not
    # import it; it is a plug-in of the server.
    importlib.import_module("dashboards").init_dashboard(app)


__all__ = ["Services", "create_app"]
