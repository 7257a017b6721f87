"""``python -m bench.scale``: how DART's feasibility grows with the number of patients.

    nice -n 19 python -m bench.scale --duckdb 1M,4M,10M --spark 1M,4M \\
        --stores /work/bench-stores

For each engine and size: the store's generation (seconds, peak memory; a Spark store is
the DuckDB store of the same size copied to Parquet), DART's full feasibility for each
criteria file, and for the floor trials the hand-written floor query (``bench.floor``) and
a plain scan of every record, each in a process of its own (``bench.worker``). Then the
scaling exponent ``b`` of ``time ≈ a·n^b`` (least squares on log time against log n), per
engine, for the total over the files and for each file. Results: ``scale-<date>.json`` and
``.csv`` in ``--out``, and a log-log plot ``.png`` when matplotlib is installed.
See docs/performance.md (*Scale*).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import click
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.floor import FLOOR_TRIALS
from bench.machine import describe_machine
from bench.run import criteria_files, ensure_store, run_task
from bench.stores import ROOT, StoreSpec, generator_version, parse_size, size_label

SCALE_ENGINES = ("duckdb", "spark")


def scale_plan(spec: StoreSpec, files: list[str], repeats: int,
               floor: bool = True) -> list[dict]:
    """The measurement tasks of one store: each file's feasibility, then (with ``floor``)
    each floor trial's floor query, and one plain scan. Spark's runs are timed cold (no
    warm-up run: a single statement takes minutes at 1M), after its session has started."""
    base = {"url": spec.url(), "repeats": repeats, "warmup": spec.engine != "spark"}
    tasks = [{**base, "kind": "feasibility", "item": f} for f in files]
    if floor:
        tasks += [{**base, "kind": "floor", "item": t} for t in FLOOR_TRIALS if t in files]
    tasks.append({**base, "kind": "scan", "item": "records"})
    return tasks


def exponent(sizes: list[int], seconds: list[float]) -> float | None:
    """``b`` of ``seconds ≈ a·sizes^b`` by least squares on the logs (None under 2 sizes)."""
    if len(sizes) < 2:
        return None
    slope, _ = np.polyfit([math.log(n) for n in sizes], [math.log(t) for t in seconds], 1)
    return round(float(slope), 3)


def summarise(run: dict) -> dict:
    """A store's totals and ratios: total feasibility, DART ÷ floor, DART ÷ scan."""
    feas = {k: v["median_s"] for k, v in run["feasibility"].items()}
    scan = run["scan"]["records"]["median_s"]
    floors = {t: {"feasibility_s": round(feas[t], 3),
                  "floor_s": round(run["floor"][t]["median_s"], 3),
                  "feasibility_over_floor": round(feas[t] / run["floor"][t]["median_s"], 2),
                  "floor_over_scan": round(run["floor"][t]["median_s"] / scan, 2),
                  "same_eligible": run["floor"][t]["answer"]
                  == run["feasibility"][t]["answer"]}
              for t in run.get("floor", {})}
    peaks = [v.get("children_peak_rss_mb", 0) + v["peak_rss_mb"]
             for kind in ("feasibility", "floor") for v in run.get(kind, {}).values()]
    return {"feasibility_total_s": round(sum(feas.values()), 3),
            "feasibility_max_s": round(max(feas.values()), 3),
            "scan_s": round(scan, 3), "records": run["scan"]["records"]["answer"],
            "feasibility_total_over_scan": round(sum(feas.values()) / scan, 1),
            "floor": floors, "peak_rss_mb": max(peaks)}


def scaling(runs: list[dict]) -> dict:
    """Per engine: the exponent of the total and of each file, over the sizes measured."""
    out = {}
    for engine in {r["engine"] for r in runs}:
        mine = sorted((r for r in runs if r["engine"] == engine), key=lambda r: r["patients"])
        shared = set.intersection(*(set(r["feasibility"]) for r in mine))
        sizes = [r["patients"] for r in mine]
        per_file = {f: exponent(sizes, [r["feasibility"][f]["median_s"] for r in mine])
                    for f in sorted(shared)}
        out[engine] = {
            "sizes": sizes, "files": sorted(shared),
            "total_exponent": exponent(sizes, [sum(r["feasibility"][f]["median_s"]
                                                   for f in shared) for r in mine]),
            "scan_exponent": exponent([r["patients"] for r in mine if "scan" in r],
                                      [r["scan"]["records"]["median_s"]
                                       for r in mine if "scan" in r]),
            "file_exponents": per_file,
        }
    return out


def write_csv(runs: list[dict], path: Path) -> None:
    """One row per measurement: engine, patients, kind, item, median and every time."""
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["engine", "patients", "kind", "item", "median_s", "times_s",
                      "peak_rss_mb", "children_peak_rss_mb"])
        for run in runs:
            out.writerow([run["engine"], run["patients"], "generate", "store",
                          run["generation"]["seconds"], "", run["generation"]["peak_rss_mb"],
                          ""])
            for kind in ("feasibility", "floor", "scan"):
                for item, m in run.get(kind, {}).items():
                    out.writerow([run["engine"], run["patients"], kind, item,
                                  round(m["median_s"], 4),
                                  " ".join(f"{t:.4f}" for t in m["times_s"]),
                                  m["peak_rss_mb"], m.get("children_peak_rss_mb", "")])


def plot(runs: list[dict], scale: dict, path: Path) -> bool:
    """Total feasibility time against patients, log-log, one line per engine (needs
    matplotlib; returns False without it)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for engine, s in sorted(scale.items()):
        mine = sorted((r for r in runs if r["engine"] == engine), key=lambda r: r["patients"])
        totals = [sum(r["feasibility"][f]["median_s"] for f in s["files"]) for r in mine]
        label = f"{engine}: {len(s['files'])} files, exponent {s['total_exponent']}"
        ax.plot(s["sizes"], totals, "o-", label=label)
        scanned = [r for r in mine if "scan" in r]
        ax.plot([r["patients"] for r in scanned],
                [r["scan"]["records"]["median_s"] for r in scanned], "x:",
                label=f"{engine}: plain scan of every record")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("patients")
    ax.set_ylabel("seconds (loaded 2-core machine)")
    ax.set_title("DART full feasibility: total over the files measured")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _sizes(value: str) -> list[int]:
    return sorted(parse_size(s) for s in value.split(",") if s.strip()) if value else []


@click.command()
@click.option("--duckdb", "duck_sizes", default="1M,4M,10M", show_default=True,
              help="DuckDB store sizes (comma-separated; empty for none).")
@click.option("--spark", "spark_sizes", default="1M,4M", show_default=True,
              help="Spark (local) store sizes.")
@click.option("--stores", type=click.Path(path_type=Path), required=True,
              help="Folder for the generated stores (tens of GB at 10M).")
@click.option("--repeats", default=1, show_default=True, help="Timed runs per measurement.")
@click.option("--files", default=None, help="Only these criteria files (comma-separated).")
@click.option("--spark-files", default=None,
              help="Spark only: these criteria files (default: --files).")
@click.option("--spark-max", default=None, help="Spark: sizes above this get only the "
              "floor trials (e.g. 1M).")
@click.option("--spark-floor/--no-spark-floor", default=True, show_default=True,
              help="Run the floor queries on Spark (its plan for the NOT IN of "
                   "hypertension_uncontrolled takes many minutes even at 100k).")
@click.option("--out", type=click.Path(path_type=Path), default=ROOT / "results",
              show_default=True)
def main(duck_sizes: str, spark_sizes: str, stores: Path, repeats: int, files: str | None,
         spark_files: str | None, spark_max: str | None, spark_floor: bool,
         out: Path) -> None:
    """Measure DART's feasibility at growing sizes and fit the scaling exponent."""
    console = Console()
    chosen = [f.strip() for f in files.split(",")] if files else criteria_files()
    spark_chosen = [f.strip() for f in spark_files.split(",")] if spark_files else chosen
    unknown = sorted(set(chosen + spark_chosen) - set(criteria_files()))
    if unknown:
        raise click.BadParameter(f"no such criteria file(s): {', '.join(unknown)}; "
                                 f"choose from {', '.join(criteria_files())}")
    limit = parse_size(spark_max) if spark_max else None
    version = generator_version()
    specs = [(StoreSpec("duckdb", n, 0, stores, None, version), chosen)
             for n in _sizes(duck_sizes)]
    for n in _sizes(spark_sizes):
        mine = spark_chosen if limit is None or n <= limit else [
            f for f in spark_chosen if f in FLOOR_TRIALS]
        specs.append((StoreSpec("spark", n, 0, stores, None, version), mine))
    def floor_on(spec: StoreSpec) -> bool:
        return spark_floor or spec.engine != "spark"

    steps = sum(1 + len(scale_plan(s, f, repeats, floor_on(s))) for s, f in specs)
    runs: list[dict] = []
    doc = {"date": dt.datetime.now().isoformat(timespec="seconds"),
           "machine": describe_machine(), "generator_version": version,
           "settings": {"repeats": repeats, "files": chosen, "spark_files": spark_chosen,
                        "spark_max": spark_max, "spark_floor": spark_floor},
           "runs": runs}
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"scale-{doc['date'][:16].replace(':', '')}"
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("scale", total=steps)
        for spec, names in specs:
            label = f"{spec.engine} {size_label(spec.patients)}"
            bar.update(task, description=f"{label}: store (generating if not cached)")
            run = {"engine": spec.engine, "patients": spec.patients,
                   "generation": ensure_store(spec)}
            console.log(f"{label}: store {run['generation']}")
            bar.advance(task)
            for t in scale_plan(spec, names, repeats, floor_on(spec)):
                bar.update(task, description=f"{label}: {t['kind']} {t['item']}")
                m = run_task(t)
                run.setdefault(t["kind"], {})[t["item"]] = m
                console.log(f"{label}: {t['kind']} {t['item']}: {m['median_s']:.2f} s "
                            f"(answer {m['answer']})")
                bar.advance(task)
            run["summary"] = summarise(run)
            runs.append(run)
            doc["scaling"] = scaling(runs)
            # Written after every store, so that a run stopped part way keeps what it has.
            Path(f"{stem}.json").write_text(json.dumps(doc, indent=2))
    write_csv(runs, Path(f"{stem}.csv"))
    drawn = plot(runs, doc["scaling"], Path(f"{stem}.png"))
    for engine, s in doc["scaling"].items():
        console.print(f"{engine}: total exponent {s['total_exponent']} over {s['sizes']}")
    console.print(f"written {stem}.json, .csv" + (", .png" if drawn else ""))


if __name__ == "__main__":
    main()
