"""``dart count FILE``: feasibility counts of a criteria file on a store.

Disclosure control is applied unless ``--no-suppression`` (meant for the local data owner).
``--json`` prints one JSON object; otherwise rich tables. ``--show-sql`` and ``--explain``
add the compiled SQL and the rules in plain English (as keys of the JSON object with
``--json``).
"""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from dart.analysis.disclosure import DisclosurePolicy, RecordKeys, apply_disclosure, count_text
from dart.analysis.feasibility import run_feasibility, statements
from dart.app.roles import reader_policy
from dart.cli.check import read_criteria_file
from dart.cli.common import app_db_option, cli_errors, db_option, open_records, read_options
from dart.compiler import explain, prepare

SQL_KEYS_NOTE = ("-- The record-key coefficients below are placeholders; the counts use those "
                 "of the deployment's secret (docs/disclosure.md).\n")


def render_sql(statement: sa.ClauseElement, engine: sa.Engine) -> str:
    """The statement in the engine's dialect, with literal values for display only."""
    try:
        return str(statement.compile(dialect=engine.dialect,
                                     compile_kwargs={"literal_binds": True}))
    except (sa.exc.CompileError, NotImplementedError, TypeError):
        # A value the dialect cannot render literally: show placeholders and the values.
        compiled = statement.compile(dialect=engine.dialect)
        return f"{compiled}\n-- parameters: {compiled.params}"


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
@cli_errors
def command(file: str, db_url: str | None, app_db_url: str | None, source_name: str | None,
            source_map: str | None,
            as_json: bool, no_suppression: bool, show_sql: bool, explain_rules: bool,
            with_profile: bool) -> None:
    """Count who a criteria FILE makes eligible: base, funnel, unique impact, breakdowns."""
    checked = read_criteria_file(file)
    criteria, library = checked.criteria, checked.library
    engine, source = open_records(db_url, source_name, source_map, app_db_url)
    try:
        with engine.connect() as conn:
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
        trial = trial.disclosed(policy, shown)
    return trial.to_json()


def _n(value: int | None, marker: str, structural: bool = False) -> str:
    return count_text(value, marker=marker, structural=structural)


def render(data: dict, console: Console) -> None:
    """The human report: one rich table per section, from the result's JSON."""
    disclosure = data["disclosure"]
    t = disclosure["marker"]
    if "explanation" in data:
        console.print("[bold]The criteria in plain English[/bold]")
        for line in data["explanation"]:
            console.print(f"  {line}", markup=False)
    if "sql" in data:
        console.print("[bold]SQL[/bold]")
        console.print(data["sql"], markup=False)
    console.print(f"[bold]{data['study'] or 'Feasibility'}[/bold] "
                  f"(index date {data['index_date']})", markup=True)
    totals = Table(show_header=False, box=None)
    totals.add_row("Base population (registered, alive, not opted out)", _n(data["base"], t))
    if data["population_label"]:
        totals.add_row(f"Target population: {data['population_label']}",
                       _n(data["population"], t))
    totals.add_row("Eligible", _n(data["eligible"], t))
    totals.add_row("Left out of the base: opted out of research", _n(data["opt_outs"], t))
    console.print(totals)

    funnel = Table(title="Funnel (file order)")
    for col in ("rule", "kind", "remaining", "dropped", "unique impact"):
        funnel.add_column(col, justify="left" if col in ("rule", "kind") else "right")
    for step, impact in zip(data["funnel"], data["unique_impact"], strict=True):
        dropped = "" if step["dropped"] is None else f"{step['dropped']:,}"
        funnel.add_row(step["label"], step["kind"], _n(step["remaining"], t), dropped,
                       _n(impact["count"], t))
    console.print(funnel)

    for dim, cells in data["breakdowns"].items():
        shown = [c for c in cells if dim != "practice" or c["count"] != 0]
        table = Table(title=f"Eligible by {dim.replace('_', ' ')}")
        table.add_column(dim.replace("_", " "))
        table.add_column("count", justify="right")
        table.add_column("%", justify="right")
        for c in shown:
            group = f"{c['group']} {c.get('name') or ''}".strip()
            pct = "" if c["percent"] is None else f"{c['percent']:.1f}"
            table.add_row(group, _n(c["count"], t, c.get("structural", False)), pct)
        console.print(table)

    if data["screens"]:
        console.print("[bold]Not assessable from records (screen at the practice)[/bold]")
        for text in data["screens"]:
            console.print(f"  - {text}", markup=False)
    if "profile" in data:
        from dart.analysis.profile.report_text import render_trial_text

        console.print(render_trial_text(data["profile"]), markup=False, end="")
    if disclosure["applied"]:
        console.print(f"Disclosure control: {t} = a count of 0-{disclosure['threshold']}; "
                      f"other counts perturbed by at most {disclosure['max_perturbation']} "
                      "(the same patients always get the same number); '0 (structural)' = "
                      "a group the criteria make empty.", markup=False)
    else:
        console.print("Disclosure control OFF: exact counts, not for release.")
