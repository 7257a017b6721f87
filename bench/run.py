"""Running the benchmark: stores made once, then every measurement in a process of its own.

For each size and engine: the store (generated and timed once, then reused from the cache),
DART's full feasibility for every criteria file of ``sample_data/criteria/``,
representativeness and one practice's invite list for ``REPORT_TRIAL``, and for the three
floor trials the hand-written floor query (``bench.floor``) and the pandas baseline
(``bench.peer``). Every measurement is a median of ``repeats`` runs after a warm-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.floor import FLOOR_TRIALS
from bench.stores import CACHE, ROOT, StoreSpec, generator_version, is_cached
from bench.worker import CRITERIA, sidecar

REPORT_TRIAL = "t2dm_sglt2i"
"""The file whose representativeness and invite list are measured."""


def criteria_files() -> list[str]:
    """Every example criteria file, by name (no extension)."""
    return sorted(p.stem for p in CRITERIA.glob("*.criteria"))


def run_task(task: dict) -> dict:
    """Run one measurement in a fresh Python process; its JSON result."""
    env = dict(os.environ, PYTHONPATH=str(ROOT.parent))
    done = subprocess.run([sys.executable, "-m", "bench.worker", json.dumps(task)],
                          cwd=ROOT.parent, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{task['kind']} {task.get('item', '')} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def plan(spec: StoreSpec, repeats: int, files: list[str]) -> Iterator[dict]:
    """The measurement tasks for one store, in the order they run."""
    base = {"url": spec.url(), "repeats": repeats}
    for name in files:
        if name not in FLOOR_TRIALS:
            yield {**base, "kind": "feasibility", "item": name}
    # A trial's DART, floor and pandas measurements run one after the other, so that their
    # ratios are not skewed by the machine's speed drifting over the minutes of a run.
    for trial in FLOOR_TRIALS:
        for kind in ("feasibility", "floor", "peer"):
            yield {**base, "kind": kind, "item": trial}
    yield {**base, "kind": "representativeness", "item": REPORT_TRIAL}
    yield {**base, "kind": "invites", "item": REPORT_TRIAL}
    yield {**base, "kind": "profile", "item": "store"}  # the data-quality profile


def ensure_store(spec: StoreSpec) -> dict:
    """The store's generation record (seconds, peak RSS), generating it if not cached."""
    if is_cached(spec) and sidecar(spec).exists():
        return {**json.loads(sidecar(spec).read_text()), "cached": True}
    if spec.version != generator_version():
        # The generator would write today's data under an older version's name.
        raise RuntimeError(f"no cached store {spec.key}; a pinned --store-version is only "
                           "read from the cache, never generated")
    task = {"kind": "generate", "engine": spec.engine, "patients": spec.patients,
            "seed": spec.seed, "cache": str(spec.cache), "postgres_url": spec.postgres_url,
            "version": spec.version}
    return {**run_task(task), "cached": False}


def measure_store(spec: StoreSpec, repeats: int, files: list[str],
                  step: Callable[[str], None]) -> dict:
    """Every measurement on one store, as ``{kind: {item: result}}``."""
    step(f"{spec.engine} {spec.patients:,}: generating (or reusing) the store")
    out: dict = {"engine": spec.engine, "patients": spec.patients,
                 "generation": ensure_store(spec)}
    for task in plan(spec, repeats, files):
        step(f"{spec.engine} {spec.patients:,}: {task['kind']} {task['item']}")
        out.setdefault(task["kind"], {})[task["item"]] = run_task(task)
    _check_answers(out)
    return out


def _check_answers(run: dict) -> None:
    """DART, the floor and pandas must count the same eligible patients."""
    for trial in FLOOR_TRIALS:
        counts = {k: run[k][trial]["answer"] for k in ("feasibility", "floor", "peer")
                  if trial in run.get(k, {})}
        if len(set(counts.values())) > 1:
            raise RuntimeError(f"{run['engine']} {run['patients']}: {trial} counts differ: "
                               f"{counts}")


def count_steps(sizes: list[int], engines: list[str], files: list[str]) -> int:
    """How many steps ``measure_store`` reports in all (for the progress bar)."""
    per_store = 1 + len(set(files) | set(FLOOR_TRIALS)) + 2 * len(FLOOR_TRIALS) + 3
    return per_store * len(sizes) * len(engines)


def store_specs(sizes: list[int], engines: list[str], seed: int = 0, cache: Path = CACHE,
                postgres_url: str | None = None,
                version: str | None = None) -> list[StoreSpec]:
    """One spec per (size, engine), smallest size first; ``version`` pins cached stores."""
    version = version or generator_version()
    return [StoreSpec(engine, size, seed, cache, postgres_url, version)
            for size in sorted(sizes) for engine in engines]
