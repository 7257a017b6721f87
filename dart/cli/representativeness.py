"""``dart representativeness FILE``: who the criteria leave out, and which rule does it.

Text tables by default, ``--json`` for one JSON object, ``--html OUT.html`` to also write the
self-contained report. Disclosure control applies unless ``--no-suppression`` (meant for the
local data owner only)."""

from __future__ import annotations

import click

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.representativeness import Thresholds, render_text, run_representativeness
from dart.analysis.representativeness.report_html import render_html
from dart.app.roles import reader_policy
from dart.cli.check import read_criteria_file
from dart.cli.common import (
    app_db_option,
    cli_errors,
    db_option,
    open_records,
    read_options,
    show_report,
)


@click.command("representativeness")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@app_db_option
@read_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), default=None,
              metavar="OUT.html", help="Also write a self-contained HTML report here.")
@click.option("--no-suppression", is_flag=True,
              help="Exact counts, no disclosure control (the local data owner only).")
@click.option("--under", type=float, default=0.8, show_default=True,
              help="Ratios below this are flagged under-represented.")
@click.option("--over", type=float, default=1.25, show_default=True,
              help="Ratios above this are flagged over-represented.")
@cli_errors
def command(file: str, db_url: str | None, app_db_url: str | None, source_name: str | None,
            source_map: str | None,
            as_json: bool, html_out: str | None, no_suppression: bool, under: float,
            over: float) -> None:
    """Compare the eligible cohort of FILE with its target population, the store and the UK."""
    try:
        thresholds = Thresholds(under, over)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    checked = read_criteria_file(file)
    engine, source = open_records(db_url, source_name, source_map, app_db_url)
    try:
        result = run_representativeness(
            engine, checked, thresholds=thresholds,
            policy=reader_policy(DisclosurePolicy(), exact=no_suppression), source=source)
    finally:
        engine.dispose()
    show_report(result, render_text, render_html, html_out, as_json)
