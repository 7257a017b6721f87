"""``dart profile``: is this store fit for a trial? Data quality per store and per practice.

Text by default, ``--json`` for one JSON object, ``--html OUT.html`` to also write the
self-contained report. The figures are exact: the command is for the data owner, who holds
the store (the API gives other roles disclosure-controlled figures)."""

from __future__ import annotations

import click

from dart.analysis.profile import run_profile
from dart.analysis.profile.report_html import render_html
from dart.analysis.profile.report_text import render_text
from dart.cli.common import cli_errors, db_option, show_report
from dart.store.engine import open_engine, require_store


@click.command("profile")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), default=None,
              metavar="FILE", help="Also write a self-contained HTML report here.")
@cli_errors
def command(db_url: str | None, as_json: bool, html_out: str | None) -> None:
    """Profile the store's data quality: conformance, completeness, plausibility, practices."""
    engine = open_engine(db_url, read_only=True, create=False)  # a profile only reads
    try:
        require_store(engine)
        result = run_profile(engine)
    finally:
        engine.dispose()
    show_report(result, render_text, render_html, html_out, as_json)
