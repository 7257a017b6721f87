"""``dart check FILE``: parse criteria and check them against the codelist library."""

from __future__ import annotations

from pathlib import Path

import click

from dart.cli.common import cli_errors, open_store, read_options


def read_criteria_file(path: str):
    """Parse and check ``path`` against the shipped library: ``(criteria, library)``.

    Raises ``CriteriaError`` (bad criteria) or ``click.ClickException`` (unreadable file).
    """
    from criteria_grammar import check, parse
    from dart.store.codelists import load_library

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise click.ClickException(f"cannot read {path}: {reason}") from None
    criteria = parse(text, filename=path)
    library = load_library()
    check(criteria, library)
    return criteria, library


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
    """Check a criteria FILE: syntax, names, units. Exit 1 on the first error."""
    criteria, library = read_criteria_file(file)
    click.echo(summary(criteria))
    if db_url is None:
        return
    from dart.compiler.query import library_with_inline
    from dart.sources.coverage import uncovered

    engine, source = open_store(db_url, source_name, source_map)
    try:
        with engine.connect() as conn:
            gaps = uncovered(conn, source, criteria, library_with_inline(criteria, library))
    finally:
        engine.dispose()
    for gap in gaps:
        click.echo(f"warning: {gap.message(source.missing_words)}", err=True)
