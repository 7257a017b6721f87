"""What every command shares: the ``--db`` and ``--app-db`` options, opening the record
store (read only) and the application database, and turning known errors into messages."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from criteria_grammar.errors import CriteriaError
from dart.sources import SOURCES, Source, get_source
from dart.store.codelists import CodelistError
from dart.store.engine import StoreError, open_engine

db_option = click.option(
    "--db", "db_url", default=None, metavar="URL",
    help="Store URL (sqlite:///f.db, duckdb:///f.duckdb, postgresql://…); "
         "default: $DART_DATABASE_URL or an embedded file in the user data directory.",
)

source_option = click.option(
    "--source", "source_name", default=None, type=click.Choice(SOURCES),
    help="What kind of store --db is: native (DART's own schema) or omop (an OMOP CDM v5.4 "
         "store, opened read only); default: $DART_SOURCE or native.",
)

source_map_option = click.option(
    "--source-map", "source_map", default=None, type=click.Path(dir_okay=False),
    metavar="FILE", help="A TOML file overriding the OMOP mapping's concept ids and values "
                         "(docs/sources.md).",
)


app_db_option = click.option(
    "--app-db", "app_db_url", default=None, metavar="URL",
    help="DART's own database (users, studies, audit, invitations): sqlite:///f.db or "
         "postgresql://…; default: $DART_APP_DATABASE_URL or app.db in the user data "
         "directory.",
)


def open_app(app_db_url: str | None, store: sa.Engine | None = None) -> sa.Engine:
    """The application database; the first time it is opened empty next to a ``store``
    that holds an older DART's own tables, they are copied across (said once, on stderr)."""
    from dart.store.app_db import adopt_store_tables, open_app_db

    app = open_app_db(app_db_url)
    if store is not None:
        copied = adopt_store_tables(app, store)
        if copied:
            rows = ", ".join(f"{n:,} {name}" for name, n in copied.items())
            click.echo(f"note: copied DART's own tables from the store into the application "
                       f"database {app.url.render_as_string(hide_password=True)} ({rows}); "
                       "the store itself is unchanged and is now only read", err=True)
    return app


def open_records(db_url: str | None, source_name: str | None, source_map: str | None,
                 app_db_url: str | None) -> tuple[sa.Engine, Source]:
    """``open_store``, its source reading the invitations and enrolments of the application
    database too (the criteria's ``invited`` and ``enrolled`` conditions; read only when a
    query needs them)."""
    from dart.recruitment.invitations import with_invitations

    engine, source = open_store(db_url, source_name, source_map)
    try:
        return engine, with_invitations(source, open_app(app_db_url, engine))
    except Exception:
        engine.dispose()
        raise


def open_store_for_app(db_url: str | None) -> sa.Engine | None:
    """The native store, read only, if there is one at ``db_url`` (None if not): what a
    command that works on the application database reads practices and old tables from."""
    try:
        return open_engine(db_url, read_only=True, create=False)
    except StoreError:
        return None


def read_options(func):
    """``--source`` and ``--source-map``: the options of a command that reads a store."""
    return source_option(source_map_option(func))


def open_store(db_url: str | None, source_name: str | None,
               source_map: str | None = None) -> tuple[sa.Engine, Source]:
    """The store at ``db_url`` as a ``source_name`` source, checked to hold its tables,
    opened read only (only ``dart generate`` writes a store)."""
    source = get_source(source_name, source_map)
    engine = open_engine(db_url, read_only=True, create=False)
    try:
        source.require(engine)
    except StoreError:
        engine.dispose()
        raise
    return engine, source


def cli_errors(func):
    """Print a known error as a message (no traceback) and exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (CriteriaError, CodelistError, StoreError) as exc:
            click.echo(f"error: {exc}" if not isinstance(exc, CriteriaError) else str(exc),
                       err=True)
            sys.exit(1)
        except OperationalError as exc:
            # the store went away or stayed locked by another process past DART_LOCK_WAIT
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            click.echo(f"error: the store is unavailable: {reason}", err=True)
            sys.exit(1)

    return wrapper


def show_report(result, render_text, render_html, html_out: str | None, as_json: bool) -> None:
    """A report command's output: the HTML file when asked, then JSON or the text."""
    if html_out:
        try:
            Path(html_out).write_text(render_html(result), encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {html_out}: {exc.strerror}") from None
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        click.echo(render_text(result), nl=False)
        if html_out:
            click.echo(f"HTML report written to {html_out}")
