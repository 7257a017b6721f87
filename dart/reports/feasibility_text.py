"""A feasibility result (its disclosed JSON) as rich tables: the ``dart count`` report."""

from __future__ import annotations

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from dart.analysis.disclosure import count_text
from dart.reports.profile_text import render_trial_text


def render_sql(statement: sa.ClauseElement, engine: sa.Engine) -> str:
    """The statement in the engine's dialect, with literal values for display only."""
    try:
        return str(statement.compile(dialect=engine.dialect,
                                     compile_kwargs={"literal_binds": True}))
    except (sa.exc.CompileError, NotImplementedError, TypeError):
        # A value the dialect cannot render literally: show placeholders and the values.
        compiled = statement.compile(dialect=engine.dialect)
        return f"{compiled}\n-- parameters: {compiled.params}"


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
    restriction = data.get("restriction")
    base = "registered, alive, not opted out" + (
        f"; {restriction['base']}" if restriction else "")
    totals.add_row(f"Base population ({base})", _n(data["base"], t))
    if data["population_label"]:
        totals.add_row(f"Target population: {data['population_label']}",
                       _n(data["population"], t))
    totals.add_row("Eligible", _n(data["eligible"], t))
    totals.add_row("Left out of the base: opted out of research", _n(data["opt_outs"], t))
    console.print(totals)
    if restriction:
        left_out = ", ".join(restriction["practices_left_out"]) or "none"
        console.print(f"Practices left out (not up to standard): {left_out}", markup=False)

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
        console.print(render_trial_text(data["profile"]), markup=False, end="")
    if disclosure["applied"]:
        console.print(f"Disclosure control: {t} = a count of 0-{disclosure['threshold']}; "
                      f"other counts perturbed by at most {disclosure['max_perturbation']} "
                      "(the same patients always get the same number); '0 (structural)' = "
                      "a group the criteria make empty.", markup=False)
    else:
        console.print("Disclosure control OFF: exact counts, not for release.")
