"""``dart generate``: fill a store with synthetic UK GP records.

Every argument is checked before anything is opened, so a bad one writes nothing (no
database file appears). A store that already holds data is refused unless ``--replace``.
"""

from __future__ import annotations

from datetime import date

import click
from rich.console import Console

from dart.cli.common import cli_errors, db_option, source_option
from dart.reports.generation_text import render_summary, summary_line
from dart.sources import get_source
from dart.store.engine import CLUSTERS, default_url, normalise_url, open_engine
from dart.store.generate import check_arguments, generate


def _parse_date(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


@click.command("generate")
@click.option("--patients", type=int, required=True, help="Number of patients to make.")
@click.option("--practices", type=int, default=None,
              help="Number of practices (default: about one per 2,500 patients, at least 12).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed gives the same store.")
@click.option("--extract-date", callback=_parse_date, default="2026-06-30", show_default=True,
              metavar="YYYY-MM-DD", help="The extract date: no record is dated after it.")
@db_option
@source_option
@click.option("--replace", is_flag=True, help="Delete the store's existing data first.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--flaws/--no-flaws", default=True, show_default=True,
              help="Make realistic data-quality flaws (docs/profile.md), or a clean store.")
@cli_errors
def command(patients: int, practices: int | None, seed: int, extract_date: date,
            db_url: str | None, source_name: str | None, replace: bool, quiet: bool,
            flaws: bool) -> None:
    """Generate a synthetic store of UK GP records (practices, patients, records).

    With ``--source omop``, an OMOP CDM v5.4 store holding the same patients for a seed
    (into an empty database: a CDM is never replaced)."""
    check_arguments(patients, practices)  # before anything touches the disk
    source = get_source(source_name)
    if source.name == "omop" and replace:
        raise click.BadParameter("--replace: an OMOP store is never overwritten; use an "
                                 "empty database", param_hint="--replace")
    url = db_url or default_url()
    parsed = normalise_url(url)
    if parsed.get_backend_name() in CLUSTERS:
        raise click.BadParameter("a cluster's tables are loaded by its owner: generate a "
                                 "Parquet store with --db spark:///PATH and register its "
                                 "tables there (docs/sources.md)", param_hint="--db")
    if parsed.get_backend_name() == "spark":
        if source.name == "omop":
            raise click.BadParameter("a Spark store is written in the native schema",
                                     param_hint="--source")
        from dart.store.spark import generate_parquet

        summary = generate_parquet(parsed, patients, practices, seed=seed,
                                   extract_date=extract_date, progress=not quiet,
                                   replace=replace)
        Console().print(summary_line(summary))
        return
    engine = open_engine(url)
    try:
        if source.name == "omop":
            from dart.sources.omop_generate import generate_omop

            summary = generate_omop(engine, patients, practices, seed=seed,
                                    extract_date=extract_date, progress=not quiet,
                                    flaws=flaws)
        else:
            summary = generate(engine, patients, practices, seed=seed,
                               extract_date=extract_date, progress=not quiet,
                               replace=replace, flaws=flaws)
    finally:
        engine.dispose()
    shown = engine.url.render_as_string(hide_password=True)
    console = Console()
    console.print(render_summary(summary, shown))
    console.print(summary_line(summary))
