"""``dart serve``: the API (and the dashboard, when installed) through waitress.

Waitress, not Flask's development server: it is a production WSGI server with a thread
pool, and it runs the same on Linux, macOS and Windows.
"""

from __future__ import annotations

import errno
import sys

import click

from dart.analysis.disclosure import DisclosurePolicy
from dart.cli.common import app_db_option, cli_errors, db_option, open_app
from dart.store.engine import open_engine, require_store
from dart.store.limits import QueryLimits, apply_limits


def _budget(_ctx, _param, value: str | None):
    """``N`` or ``N/DAYS`` as a ``QueryBudget`` (None: the default)."""
    if value is None:
        return None
    import datetime as dt

    from dart.app.budget import DEFAULT_WINDOW, QueryBudget

    queries, _, days = value.partition("/")
    try:
        window = dt.timedelta(days=float(days)) if days else DEFAULT_WINDOW
        return QueryBudget(queries=int(queries), window=window)
    except ValueError:
        raise click.BadParameter("write N or N/DAYS, e.g. 50/7 (N >= 1, a window of at "
                                 "least a second)") from None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@db_option
@app_db_option
@click.option("--demo", is_flag=True,
              help="Generate a demo store if there is none, create one user of each role "
                   "and print their tokens.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads.")
@click.option("--no-dashboard", is_flag=True, help="Serve the API only.")
@click.option("--query-seconds", type=click.FloatRange(min=0, min_open=True),
              help="Time limit of each query (default: $DART_QUERY_SECONDS, else 30).")
@click.option("--query-memory-mb", type=click.IntRange(min=1),
              help="DuckDB memory limit in MB (default: $DART_QUERY_MEMORY_MB, else 2048).")
@click.option("--query-budget", metavar="N[/DAYS]", callback=_budget,
              help="Feasibility and representativeness answers per sponsor or researcher "
                   "per rolling window (default 50/7: 50 per 7 days).")
@click.option("--copies-accurate-from", type=click.IntRange(min=0), metavar="N",
              help="From N patients a count copied from another set (one published before, "
                   "or its anchor) must be within 5 % of its own (default 220, from where every "
                   "copy is; 100 keeps every count of 100+ within 5 % but leaves looks at "
                   "100-219: docs/disclosure.md).")
@click.option("--secure-cookies", is_flag=True,
              help="Mark the dashboard's cookies Secure (when users reach it over HTTPS).")
@cli_errors
def command(host: str, port: int, db_url: str | None, app_db_url: str | None, demo: bool,
            threads: int,
            no_dashboard: bool, query_seconds: float | None,
            query_memory_mb: int | None, query_budget, copies_accurate_from: int | None,
            secure_cookies: bool) -> None:
    """Serve the web API under /api/v1 (and the dashboard under /dashboard/)."""
    import waitress

    from dart.web import create_app

    limits = QueryLimits.from_env(query_seconds, query_memory_mb)
    # Only --demo may make (and so write) a store; otherwise a mistyped --db is an error,
    # not a new file, and the store is opened read only.
    if demo:
        _demo_store(db_url)
    engine = open_engine(db_url, read_only=True, create=False)
    require_store(engine)
    app = open_app(app_db_url, engine)
    config = {"ENGINE": engine, "APP_ENGINE": app, "QUERY_LIMITS": limits,
              "SECURE_COOKIES": secure_cookies}
    if query_budget is not None:
        config["QUERY_BUDGET"] = query_budget
    if copies_accurate_from is not None:
        config["DISCLOSURE"] = DisclosurePolicy(copies_accurate_from=copies_accurate_from)
    if demo:
        config["SECRET_KEY"] = _demo(engine, app)
    apply_limits(engine, limits)  # before serving
    server_app = _app(create_app, config, not no_dashboard)
    try:
        server = waitress.create_server(server_app, host=host, port=port, threads=threads,
                                        ident="dart")
    except OSError as exc:
        busy = exc.errno == errno.EADDRINUSE
        reason = "the port is in use (is DART already running?)" if busy else exc.strerror
        click.echo(f"error: cannot listen on {host}:{port}: {reason}", err=True)
        sys.exit(1)
    click.echo(f"DART listening on http://{host}:{port}  (API: /api/v1, "
               f"dashboard: /dashboard/)")
    server.run()


def _demo_store(db_url: str | None) -> None:
    """Generate the demo store if there is none (the one write ``serve`` makes to a store)."""
    from dart.app.demo import ensure_demo_store

    engine = open_engine(db_url, create=True)
    try:
        if ensure_demo_store(engine):
            click.echo("generated a demo store")
    finally:
        engine.dispose()


def _demo(engine, app) -> str:
    """Make the demo users if needed, print their tokens; the session key."""
    from dart.app.demo import demo_state_path, demo_users, load_demo_state, save_demo_state

    store = engine.url.render_as_string(hide_password=True)
    path = demo_state_path()
    state = load_demo_state(path, store)
    users = demo_users(app, state["tokens"], store=engine)
    save_demo_state(path, store, {n: t for n, (_, t) in users.tokens.items()},
                    state["secret_key"])
    click.echo(f"demo users (the same tokens on every start; kept in {path}):")
    for name, (role, token) in users.tokens.items():
        click.echo(f"  {name:<28} {role:<20} {token}")
    if users.reissued:
        click.echo(f"new tokens for {', '.join(users.reissued)}: tokens printed before for "
                   "them no longer work")
    return state["secret_key"]


def _app(create_app, config: dict, dashboard: bool):
    if dashboard:
        try:
            return create_app({**config, "DASHBOARD": True})
        except ImportError as exc:
            click.echo(f"warning: dashboard not mounted ({exc}); serving the API only",
                       err=True)
    return create_app(config)
