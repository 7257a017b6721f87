"""DART's web server: a Flask app with the JSON API under ``/api/v1``.

``create_app(config)`` builds it over one store. Config keys (all optional):

- ``DATABASE_URL``: the store (default: ``dart.store.engine.default_url()``), or
  ``ENGINE``: an open SQLAlchemy engine to use instead;
- ``CODELISTS``: a codelist folder or a ready ``Mapping`` (default: the shipped library);
- ``TODAY``: a callable returning the list date for invite lists (default ``date.today``);
- ``DISCLOSURE``: a ``DisclosurePolicy`` (default: 0-7 as "<8", the rest perturbed by at
  most 4 with the deployment's secret; docs/disclosure.md);
- ``DASHBOARD``: true to mount ``dashboards.init_dashboard`` at ``/dashboard/``, or a
  callable ``init(app)`` to mount something else;
- ``SECRET_KEY`` (the dashboard's session cookie), ``MAX_CONTENT_LENGTH`` (bytes).

The app's ``Services`` (``dart.web.services``) is ``app.extensions["dart"]``: the dashboard
calls it in-process with the signed-in user, under the same access rules as the API.
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask

from dart.store.codelists import load_library
from dart.store.engine import open_engine
from dart.web.errors import register_error_handlers
from dart.web.services import Services

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

    engine = config.get("ENGINE") or open_engine(config.get("DATABASE_URL"))
    library = config.get("CODELISTS")
    if library is None or not isinstance(library, Mapping):
        library = load_library(library)
    options = {"today": config["TODAY"]} if config.get("TODAY") else {}
    app.extensions["dart"] = Services(engine, library, policy=config.get("DISCLOSURE"),
                                      **options)

    from dart.web.api import api

    register_error_handlers(app)
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
