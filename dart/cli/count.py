"""``dart count FILE``: feasibility counts of a criteria file on a store.

Disclosure control is applied unless ``--no-suppression`` (meant for the local data owner).
``--json`` prints one JSON object; otherwise rich tables. ``--show-sql`` and ``--explain``
add the compiled SQL and the rules in plain English (as keys of the JSON object with
``--json``).
"""

from __future__ import annotations

import json

import click
from rich.console import Console

from dart.analysis.disclosure import DisclosurePolicy, RecordKeys, apply_disclosure
from dart.analysis.feasibility import run_feasibility, statements
from dart.analysis.feasibility.standard import up_to_standard_source
from dart.app.roles import reader_policy
from dart.cli.check import read_criteria_file
from dart.cli.common import app_db_option, cli_errors, db_option, open_records, read_options
from dart.compiler import explain, prepare, resolve_index_date
from dart.reports.feasibility_text import render, render_sql

SQL_KEYS_NOTE = ("-- The record-key coefficients below are placeholders; the counts use those "
                 "of the deployment's secret (docs/disclosure.md).\n")


@click.command("count")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@app_db_option
@read_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--no-suppression", is_flag=True,
              help="Exact counts, no disclosure control (the local data owner only).")
@click.option("--show-sql", is_flag=True, help="Also print the compiled SQL for this engine.")
@click.option("--explain", "explain_rules", is_flag=True,
              help="Also print each rule in plain English.")
@click.option("--profile", "with_profile", is_flag=True,
              help="Also show the data behind the criteria: per-code counts, codes never "
                   "seen, the eligible at practices not up to standard (docs/profile.md).")
@click.option("--up-to-standard", "up_to_standard", is_flag=True,
              help="Count only acceptable patients of practices up to standard on the index "
                   "date (docs/profile.md).")
@cli_errors
def command(file: str, db_url: str | None, app_db_url: str | None, source_name: str | None,
            source_map: str | None,
            as_json: bool, no_suppression: bool, show_sql: bool, explain_rules: bool,
            with_profile: bool, up_to_standard: bool) -> None:
    """Count who a criteria FILE makes eligible: base, funnel, unique impact, breakdowns."""
    checked = read_criteria_file(file)
    criteria, library = checked.criteria, checked.library
    engine, source = open_records(db_url, source_name, source_map, app_db_url)
    try:
        with engine.connect() as conn:
            if up_to_standard:  # over the restricted patients: counted and shown
                source = up_to_standard_source(
                    conn, source, resolve_index_date(criteria, conn, source))
            ready = prepare(conn, checked, source=source)  # compiled once, run and shown
        policy = reader_policy(DisclosurePolicy(), exact=no_suppression)
        result = run_feasibility(engine, ready, keys=policy.keys)
        data = apply_disclosure(result, policy).to_json()
        if explain_rules:
            data["explanation"] = explain(criteria, ready.index_date)
        if show_sql:
            # Never the secret's coefficients: the SQL is shown with placeholder ones.
            shown_keys = RecordKeys.from_secret("placeholder: the deployment secret's")
            data["sql"] = (SQL_KEYS_NOTE + ";\n\n".join(
                render_sql(s, engine) for s in statements(ready.compiled, shown_keys)))
        if with_profile:
            data["profile"] = _trial_profile(engine, criteria, library, result, policy, data)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        render(data, Console(highlight=False, soft_wrap=True))


def _trial_profile(engine, criteria, library, result, policy, data) -> dict:
    from dart.analysis.profile.trial import trial_profile

    trial = trial_profile(engine, criteria, library, result)
    if policy.enabled:
        shown = {c["group"]: c["count"] for c in data["breakdowns"].get("practice", [])}
        trial = trial.disclosed(policy, shown, data["eligible"])
    return trial.to_json()
