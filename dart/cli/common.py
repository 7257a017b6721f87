"""What every command shares: the ``--db`` option and turning known errors into messages."""

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


def read_options(func):
    """``--source`` and ``--source-map``: the options of a command that reads a store."""
    return source_option(source_map_option(func))


def open_store(db_url: str | None, source_name: str | None,
               source_map: str | None = None) -> tuple[sa.Engine, Source]:
    """The store at ``db_url`` as a ``source_name`` source, checked to hold its tables (a
    source DART may not write is opened read only)."""
    source = get_source(source_name, source_map)
    engine = open_engine(db_url, read_only=not source.writable, create=False)
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
