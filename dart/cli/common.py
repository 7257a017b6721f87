"""What every command shares: the ``--db`` option and turning known errors into messages."""

from __future__ import annotations

import functools
import sys

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
