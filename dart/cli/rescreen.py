"""``dart rescreen STUDY``: who became eligible for an approved study, per practice.

For a scheduler (e.g. weekly after each extract): counts per practice of the patients
eligible at the index date who were not at ``--since`` (default: each practice's last invite
list). Disclosure control is applied unless ``--no-suppression`` (the local data owner only);
the patients themselves reach their practice only, through its invite list.
"""

from __future__ import annotations

import datetime as dt
import json

import click
from rich.console import Console
from rich.table import Table

from dart.analysis.disclosure import DisclosurePolicy
from dart.app.roles import reader_policy
from dart.cli.common import app_db_option, cli_errors, db_option, open_app, open_store
from dart.recruitment.rescreen import rescreen
from dart.recruitment.studies import get_study


@click.command("rescreen")
@click.argument("study_id", metavar="STUDY", type=click.IntRange(min=1))
@db_option
@app_db_option
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Count from this date (YYYY-MM-DD); default: each practice's last list.")
@click.option("--practice", "practice_id", type=click.IntRange(min=1), default=None,
              help="One practice only (its id).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--no-suppression", is_flag=True,
              help="Exact counts, no disclosure control (the local data owner only).")
@cli_errors
def command(study_id: int, db_url: str | None, app_db_url: str | None,
            since: dt.datetime | None, practice_id: int | None, as_json: bool,
            no_suppression: bool) -> None:
    """Newly eligible patients of approved study STUDY (an id), per practice."""
    engine, _ = open_store(db_url, None)
    try:
        app = open_app(app_db_url, engine)
        study = get_study(app, study_id)
        if study is None or study.approved is None:
            raise click.ClickException(f"study {study_id} does not exist or is not approved")
        try:
            found = rescreen(engine, study, since=since.date() if since else None,
                             practice_id=practice_id, app=app)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        data = found.to_json(reader_policy(DisclosurePolicy(), exact=no_suppression))
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    table = Table(title=f"Study {study_id}: newly eligible by {data['index_date']}")
    for col in ("practice", "since", "newly eligible"):
        table.add_column(col, justify="right" if col == "newly eligible" else "left")
    for p in data["practices"]:
        n = p["newly_eligible"]
        table.add_row(str(p["practice_id"]), p["since"] or "never listed",
                      "*" if n is None else f"{n:,}")
    Console(highlight=False, soft_wrap=True).print(table)
