"""``python -m bench``: DART's national-scale benchmark, measured against the floor.

    python -m bench                                  # 100k and 1M on SQLite and DuckDB
    python -m bench --sizes 100k --engines sqlite,duckdb,postgresql \\
        --postgres-url postgresql://postgres@127.0.0.1:5432/test

Stores are generated once into ``bench/cache/`` (PostgreSQL: a ``dart_bench_*`` database on
the given server) and reused; results are printed and written to
``bench/results/<date>.json``. See docs/performance.md for the method.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench import embedded, report
from bench.machine import describe_machine
from bench.run import count_steps, criteria_files, measure_store, store_specs
from bench.stores import CACHE, PG_ENV, ROOT, parse_size

ENGINES = ("sqlite", "duckdb", "postgresql")


def _engines(value: str) -> list[str]:
    names = [e.strip() for e in value.split(",") if e.strip()]
    unknown = [e for e in names if e not in ENGINES]
    if unknown:
        raise click.BadParameter(f"unknown engine(s) {', '.join(unknown)}; "
                                 f"use {', '.join(ENGINES)}")
    return names


def run_benchmark(sizes: list[int], engines: list[str], repeats: int = 3, seed: int = 0,
                  cache: Path = CACHE, postgres_url: str | None = None,
                  files: list[str] | None = None, with_embedded: bool = True,
                  console: Console | None = None, store_version: str | None = None) -> dict:
    """Run everything and return the results document (see docs/performance.md)."""
    console = console or Console()
    files = files or criteria_files()
    specs = store_specs(sizes, engines, seed, cache, postgres_url, store_version)
    runs = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("benchmark", total=count_steps(sizes, engines, files))

        def step(text: str) -> None:
            bar.update(task, description=text)
            bar.advance(task)

        for spec in specs:
            run = measure_store(spec, repeats, files, step)
            run["summary"] = report.summarise(run)
            runs.append(run)
    scale = report.scaling(runs)
    doc = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": describe_machine(),
        "settings": {"sizes": sizes, "engines": engines, "repeats": repeats, "seed": seed,
                     "warmup_runs": 1, "files": files, "store_version": specs[0].version},
        "runs": runs,
        "scaling": scale,
        "targets": report.check_targets(runs, scale),
    }
    local = [s for s in specs if s.engine in ("duckdb", "sqlite")]
    if with_embedded and local:
        console.print("measuring the embedded-default options")
        biggest = max(s.patients for s in local)
        doc["embedded"] = embedded.measure_options(
            {s.engine: s for s in local if s.patients == biggest}, repeats)
    return doc


def write_results(doc: dict, folder: Path) -> Path:
    """Write ``doc`` to ``folder/<date>.json`` (a numbered name if that exists)."""
    folder.mkdir(parents=True, exist_ok=True)
    day = doc["date"][:10]
    path, n = folder / f"{day}.json", 1
    while path.exists():
        n += 1
        path = folder / f"{day}-{n}.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


@click.command()
@click.option("--sizes", default="100k,1M", show_default=True,
              help="Store sizes in patients, comma-separated (e.g. 2000,100k,1M).")
@click.option("--engines", default="sqlite,duckdb", show_default=True,
              help="Engines, comma-separated: sqlite, duckdb, postgresql.")
@click.option("--postgres-url", default=None, metavar="URL",
              help=f"PostgreSQL server for the postgresql engine (or ${PG_ENV}).")
@click.option("--repeats", default=3, show_default=True, help="Timed runs after a warm-up.")
@click.option("--seed", default=0, show_default=True, help="Generator seed.")
@click.option("--cache", type=click.Path(path_type=Path), default=CACHE, show_default=True,
              help="Where generated stores are kept.")
@click.option("--out", type=click.Path(path_type=Path), default=ROOT / "results",
              show_default=True, help="Folder for <date>.json.")
@click.option("--files", default=None, help="Only these criteria files (comma-separated).")
@click.option("--no-embedded", is_flag=True, help="Skip the embedded-default measurements.")
@click.option("--store-version", default=None, metavar="HASH",
              help="Use cached stores of this generator version (the gXXXX of their names) "
                   "instead of the committed one; they are never generated.")
def main(sizes: str, engines: str, postgres_url: str | None, repeats: int, seed: int,
         cache: Path, out: Path, files: str | None, no_embedded: bool,
         store_version: str | None) -> None:
    """Benchmark DART's feasibility against the floor and a pandas baseline."""
    chosen = _engines(engines)
    postgres_url = postgres_url or os.environ.get(PG_ENV)
    if "postgresql" in chosen and not postgres_url:
        raise click.UsageError(f"postgresql needs --postgres-url or ${PG_ENV}")
    console = Console()
    doc = run_benchmark([parse_size(s) for s in sizes.split(",")], chosen, repeats, seed,
                        cache, postgres_url,
                        [f.strip() for f in files.split(",")] if files else None,
                        not no_embedded, console, store_version)
    path = write_results(doc, out)
    console.print(report.results_table(doc["runs"]))
    for engine, steps in doc["scaling"].items():
        for key, s in steps.items():
            console.print(f"scaling {engine} {key}: ×{s['total_time_ratio']} time for "
                          f"×{s['patients_ratio']} patients")
    for key, t in doc["targets"].items():
        if isinstance(t, dict):
            mark = {True: "met", False: "MISSED", None: "n/a"}[t["met"]]
            console.print(f"target {key}: {t['value']} (target {t['target']}): {mark}")
    console.print(f"written {path}")


if __name__ == "__main__":
    main()
