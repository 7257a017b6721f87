"""``dart check FILE``: parse criteria and check them against the codelist library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dart.cli.common import cli_errors, open_store, read_options


def read_criteria_file(path: str):
    """Parse and check ``path`` against the shipped library, once: a ``Checked`` to pass on.

    Raises ``CriteriaError`` (bad criteria) or ``click.ClickException`` (unreadable file).
    """
    from dart.compiler import check_criteria

    return check_criteria(*parse_criteria_file(path))


def parse_criteria_file(path: str):
    """Parse ``path`` (not yet checked) and load the library: ``(criteria, library)``."""
    from criteria_grammar import parse
    from dart.store.codelists import load_library

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise click.ClickException(f"cannot read {path}: {reason}") from None
    return parse(text, filename=path), load_library()


def summary(criteria) -> str:
    """One line saying what a valid file holds."""
    includes = sum(r.kind == "include" for r in criteria.rules)
    excludes = len(criteria.rules) - includes
    parts = [f"{includes} include", f"{excludes} exclude"]
    if criteria.defines:
        parts.append(f"{len(criteria.defines)} define")
    if criteria.screens:
        parts.append(f"{len(criteria.screens)} screen")
    if criteria.population:
        parts.append("a population")
    title = f' "{criteria.study}"' if criteria.study else ""
    return f"OK {criteria.filename}{title}: " + ", ".join(parts)


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--db", "db_url", default=None, metavar="URL",
              help="Also warn about codes this store cannot match (no store is read without).")
@read_options
@cli_errors
def command(file: str, db_url: str | None, source_name: str | None,
            source_map: str | None) -> None:
    """Check a criteria FILE: syntax, names, units. Exit 1 on the first error.

    Warnings (valid criteria that are probably a slip, and with --db the codes the store
    cannot match) follow the error or the summary on standard error; they never change
    the exit status.
    """
    import datetime as dt

    from criteria_grammar import CriteriaError, check
    from criteria_grammar.advice import advise

    criteria, library = parse_criteria_file(file)
    try:
        check(criteria, library)
    except CriteriaError as exc:
        click.echo(str(exc), err=True)
        for warning in advise(criteria, library):
            click.echo(str(warning), err=True)
        sys.exit(1)
    click.echo(summary(criteria))
    if db_url is None:
        for warning in advise(criteria, library):
            click.echo(str(warning), err=True)
        return
    from dart.compiler.query import library_with_inline
    from dart.sources.coverage import uncovered

    engine, source = open_store(db_url, source_name, source_map)
    try:
        with engine.connect() as conn:
            gaps = uncovered(conn, source, criteria, library_with_inline(criteria, library))
            extract = source.extract_date(conn)
    finally:
        engine.dispose()
    extract_date = dt.date.fromisoformat(extract) if extract else None
    for warning in advise(criteria, library, extract_date):
        click.echo(str(warning), err=True)
    for gap in gaps:
        click.echo(f"warning: {gap.message(source.missing_words)}", err=True)
