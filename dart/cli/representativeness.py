"""``dart representativeness FILE``: who the criteria leave out, and which rule does it.

``dart representativeness --study ID [--stage invited|enrolled]``: the same report for an
approved study's criteria, or for its invited or enrolled patients against the eligible.
Text tables by default, ``--json`` for one JSON object, ``--html OUT.html`` to also write the
self-contained report. Disclosure control applies unless ``--no-suppression`` (meant for the
local data owner only)."""

from __future__ import annotations

import click

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.representativeness import Thresholds, run_representativeness
from dart.app.roles import reader_policy
from dart.cli.check import read_criteria_file
from dart.cli.common import (
    app_db_option,
    cli_errors,
    db_option,
    open_app,
    open_records,
    read_options,
    show_report,
)
from dart.recruitment.equity import STAGES, stage_representativeness
from dart.recruitment.studies import get_study
from dart.reports.representativeness_html import render_html
from dart.reports.representativeness_text import render_text


@click.command("representativeness")
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@click.option("--study", "study_id", type=click.IntRange(min=1), default=None,
              help="An approved study's criteria instead of FILE (its id).")
@click.option("--stage", type=click.Choice(STAGES), default="eligible", show_default=True,
              help="With --study: describe its eligible, invited or enrolled patients.")
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
def command(file: str | None, study_id: int | None, stage: str, db_url: str | None,
            app_db_url: str | None, source_name: str | None, source_map: str | None,
            as_json: bool, html_out: str | None, no_suppression: bool, under: float,
            over: float) -> None:
    """Compare the eligible cohort of FILE (or of study --study, or its --stage) with its
    target population, the store and the UK."""
    try:
        thresholds = Thresholds(under, over)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if (file is None) == (study_id is None):
        raise click.UsageError("give either FILE or --study ID")
    if stage != "eligible" and study_id is None:
        raise click.UsageError("--stage needs --study (a stage is a study's)")
    policy = reader_policy(DisclosurePolicy(), exact=no_suppression)
    checked = read_criteria_file(file) if file is not None else None
    engine, source = open_records(db_url, source_name, source_map, app_db_url)
    try:
        if study_id is not None:
            app = open_app(app_db_url, engine)
            study = get_study(app, study_id)
            if study is None or study.approved is None:
                raise click.ClickException(f"study {study_id} does not exist or is not "
                                           "approved")
            result = stage_representativeness(engine, study, stage, policy=policy,
                                              thresholds=thresholds, app=app)
        else:
            result = run_representativeness(engine, checked, thresholds=thresholds,
                                            policy=policy, source=source)
    finally:
        engine.dispose()
    show_report(result, render_text, render_html, html_out, as_json)
