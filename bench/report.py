"""From raw measurements to the numbers people read: ratios, scaling, targets, a table.

Timings on a shared 2-core machine are noisy, so what we report first are RATIOS measured in
the same run (DART over the floor, pandas over DART, 1M over 100k), not absolute seconds.
"""

from __future__ import annotations

import statistics

from rich.table import Table

from bench.floor import FLOOR_TRIALS
from bench.stores import size_label

TARGETS = {
    "feasibility_over_floor_max": 1.5,
    "feasibility_max_s": 2.0,
    "peer_over_feasibility_min": 10.0,
    "scaling_10x_max": 12.0,
    "peak_rss_mb_max": 2048.0,
    "generation_s_max": 300.0,
}
"""DuckDB at 1M patients on the 2-core machine (the issue's targets)."""


def summarise(run: dict) -> dict:
    """The headline numbers of one (engine, size) run."""
    feas = {k: v["median_s"] for k, v in run.get("feasibility", {}).items()}
    ratios = {}
    for trial in FLOOR_TRIALS:
        if trial in run.get("floor", {}) and trial in feas:
            floor = run["floor"][trial]["median_s"]
            peer = run["peer"][trial]["median_s"]
            ratios[trial] = {"feasibility_s": round(feas[trial], 4),
                             "floor_s": round(floor, 4), "peer_s": round(peer, 4),
                             "feasibility_over_floor": round(feas[trial] / floor, 2),
                             "peer_over_feasibility": round(peer / feas[trial], 2),
                             "eligible": run["floor"][trial]["answer"]}
    peaks = [v["peak_rss_mb"] for kind in ("feasibility", "floor", "representativeness",
                                           "invites") for v in run.get(kind, {}).values()]
    return {
        "feasibility_median_s": round(statistics.median(feas.values()), 4) if feas else None,
        "feasibility_max_s": round(max(feas.values()), 4) if feas else None,
        "feasibility_total_s": round(sum(feas.values()), 4) if feas else None,
        "floor_ratios": ratios,
        "representativeness_s": _median(run, "representativeness"),
        "invites_s": _median(run, "invites"),
        "profile_s": _median(run, "profile"),
        "profile_peak_rss_mb": max((v["peak_rss_mb"] for v in run.get("profile", {}).values()),
                                   default=None),
        "peak_rss_mb_dart": max(peaks) if peaks else None,
        "peak_rss_mb_peer": max((v["peak_rss_mb"] for v in run.get("peer", {}).values()),
                                default=None),
        "generation_s": run["generation"]["seconds"],
        "generation_peak_rss_mb": run["generation"]["peak_rss_mb"],
    }


def _median(run: dict, kind: str) -> float | None:
    values = [v["median_s"] for v in run.get(kind, {}).values()]
    return round(statistics.median(values), 4) if values else None


def scaling(runs: list[dict]) -> dict:
    """Per engine, for consecutive sizes: time ratio of the total feasibility over all files."""
    out: dict = {}
    by_engine: dict[str, list[dict]] = {}
    for run in runs:
        by_engine.setdefault(run["engine"], []).append(run)
    for engine, items in by_engine.items():
        items = sorted(items, key=lambda r: r["patients"])
        for small, large in zip(items, items[1:], strict=False):
            shared = set(small["feasibility"]) & set(large["feasibility"])
            if not shared:
                continue
            t_small = sum(small["feasibility"][f]["median_s"] for f in shared)
            t_large = sum(large["feasibility"][f]["median_s"] for f in shared)
            per_file = [large["feasibility"][f]["median_s"] / small["feasibility"][f]["median_s"]
                        for f in shared]
            key = f"{size_label(small['patients'])}->{size_label(large['patients'])}"
            out.setdefault(engine, {})[key] = {
                "patients_ratio": round(large["patients"] / small["patients"], 2),
                "total_time_ratio": round(t_large / t_small, 2),
                "median_file_ratio": round(statistics.median(per_file), 2),
                "max_file_ratio": round(max(per_file), 2),
            }
    return out


def check_targets(runs: list[dict], scale: dict, engine: str = "duckdb") -> dict:
    """The issue's targets for ``engine`` at its largest size: value, target, met."""
    mine = [r for r in runs if r["engine"] == engine]
    if not mine:
        return {}
    run = max(mine, key=lambda r: r["patients"])
    s = run["summary"]
    over = [r["feasibility_over_floor"] for r in s["floor_ratios"].values()]
    peer = [r["peer_over_feasibility"] for r in s["floor_ratios"].values()]
    ratios = [v["total_time_ratio"] for v in scale.get(engine, {}).values()
              if v["patients_ratio"] == 10]
    peaks = [p for p in (s["peak_rss_mb_dart"], s["generation_peak_rss_mb"]) if p]
    values = {
        "feasibility_over_floor_max": max(over) if over else None,
        "feasibility_max_s": s["feasibility_max_s"],
        "peer_over_feasibility_min": min(peer) if peer else None,
        "scaling_10x_max": max(ratios) if ratios else None,
        "peak_rss_mb_max": max(peaks) if peaks else None,
        "generation_s_max": s["generation_s"],
    }
    out = {"engine": engine, "patients": run["patients"]}
    for key, target in TARGETS.items():
        value = values[key]
        at_least = key.endswith("_min")
        met = None if value is None else (value >= target if at_least else value <= target)
        out[key] = {"value": value, "target": target, "met": met}
    return out


def results_table(runs: list[dict]) -> Table:
    """One row per (engine, size): the headline numbers."""
    table = Table(title="DART benchmark (medians; ratios from the same run)")
    for col in ("engine", "patients", "generate s", "feasibility median s", "max s",
                *(f"{t} ×floor" for t in FLOOR_TRIALS), "pandas ÷ DART (min)",
                "repr. s", "invites s", "peak RSS MB"):
        table.add_column(col, justify="right" if col not in ("engine",) else "left")
    for run in runs:
        s = run["summary"]
        ratios = s["floor_ratios"]
        peer = [r["peer_over_feasibility"] for r in ratios.values()]
        table.add_row(
            run["engine"], size_label(run["patients"]), f"{s['generation_s']:.1f}",
            f"{s['feasibility_median_s']:.3f}", f"{s['feasibility_max_s']:.3f}",
            *(f"{ratios[t]['feasibility_over_floor']:.2f}" if t in ratios else "–"
              for t in FLOOR_TRIALS),
            f"{min(peer):.1f}" if peer else "–",
            f"{s['representativeness_s']:.3f}", f"{s['invites_s']:.3f}",
            f"{s['peak_rss_mb_dart']:.0f}",
        )
    return table


def markdown_table(runs: list[dict]) -> str:
    """The same table in Markdown, for docs/performance.md."""
    head = ["engine", "patients", "generate s", "feasibility median s", "max s",
            *(f"{t} ÷ floor" for t in FLOOR_TRIALS), "pandas ÷ DART (min)",
            "representativeness s", "invite list s", "peak RSS MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for run in runs:
        s = run["summary"]
        ratios = s["floor_ratios"]
        peer = [r["peer_over_feasibility"] for r in ratios.values()]
        cells = [run["engine"], size_label(run["patients"]), f"{s['generation_s']:.1f}",
                 f"{s['feasibility_median_s']:.3f}", f"{s['feasibility_max_s']:.3f}",
                 *(f"{ratios[t]['feasibility_over_floor']:.2f}" if t in ratios else "–"
                   for t in FLOOR_TRIALS),
                 f"{min(peer):.1f}" if peer else "–", f"{s['representativeness_s']:.3f}",
                 f"{s['invites_s']:.3f}", f"{s['peak_rss_mb_dart']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
