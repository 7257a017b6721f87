"""``dart check FILE``: parse criteria and check them against the codelist library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dart.cli.common import cli_errors


def read_criteria_file(path: str):
    """Parse and check ``path`` against the shipped library: ``(criteria, library)``.

    Raises ``CriteriaError`` (bad criteria) or ``click.ClickException`` (unreadable file).
    """
    from criteria_grammar import check

    criteria, library = parse_criteria_file(path)
    check(criteria, library)
    return criteria, library


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
@cli_errors
def command(file: str) -> None:
    """Check a criteria FILE: syntax, names, units. Exit 1 on the first error.

    Warnings (valid criteria that are probably a slip) follow the error or the summary, on
    standard error; they never change the exit status.
    """
    from criteria_grammar import CriteriaError, check
    from criteria_grammar.advice import advise

    criteria, library = parse_criteria_file(file)
    try:
        check(criteria, library)
    except CriteriaError as exc:
        click.echo(str(exc), err=True)
        failed = True
    else:
        click.echo(summary(criteria))
        failed = False
    for warning in advise(criteria, library):
        click.echo(str(warning), err=True)
    if failed:
        sys.exit(1)
