"""The embedded-default question, measured: which file engine should ``dart`` use by default?

A server (``dart serve``) and a CLI (``dart count``) on one machine must share the store.
Measured here, on the benchmark's own stores:

- **locking**: with one process holding the file (read-write or read-only), can a second
  process open it, and how? (SQLite in WAL mode; DuckDB read-write and read-only.)
- **open per request**: the cost of opening the store, running one feasibility and closing
  it again, against the same feasibility on an engine kept open (DuckDB's buffer cache dies
  with the connection, so this shows what a server that opens per request would pay).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench.run import REPORT_TRIAL
from bench.stores import StoreSpec

_HOLD = """
import sys, time
engine, path, mode = sys.argv[1:4]
if engine == "duckdb":
    import duckdb
    con = duckdb.connect(path, read_only=(mode == "ro"))
else:
    import sqlite3
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    if mode == "rw":
        con.execute("BEGIN IMMEDIATE")  # a writer mid-transaction
        con.execute("INSERT INTO store_info VALUES ('bench_lock', 'x')")
con.execute("SELECT count(*) FROM patient").fetchall()
print("ready", flush=True)
time.sleep(60)
"""

_TRY = """
import sys
engine, path, mode = sys.argv[1:4]
try:
    if engine == "duckdb":
        import duckdb
        con = duckdb.connect(path, read_only=(mode == "ro"))
        con.execute("SELECT count(*) FROM patient").fetchall()
        if mode == "rw":
            con.execute("CREATE TEMP TABLE bench_probe AS SELECT 1 AS x")
    else:
        import sqlite3
        con = sqlite3.connect(path, timeout=1)
        con.execute("SELECT count(*) FROM patient").fetchall()
    print("ok")
except Exception as exc:
    print("error: " + str(exc).splitlines()[0][:160])
"""


def lock_matrix(engine: str, path: Path) -> dict[str, str]:
    """For each (holder mode, second mode): ``ok`` or the error the second process got."""
    out = {}
    for held in ("rw", "ro") if engine == "duckdb" else ("rw",):
        holder = subprocess.Popen([sys.executable, "-c", _HOLD, engine, str(path), held],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None
            holder.stdout.readline()  # "ready"
            for second in ("ro", "rw") if engine == "duckdb" else ("rw",):
                done = subprocess.run([sys.executable, "-c", _TRY, engine, str(path), second],
                                      capture_output=True, text=True, timeout=120)
                out[f"held {held}, then open {second}"] = done.stdout.strip() or done.stderr
        finally:
            holder.kill()
            holder.wait()
    return out


def _engine(spec: StoreSpec, read_only: bool) -> sa.Engine:
    from dart.store.engine import open_engine

    if spec.engine == "duckdb" and read_only:
        return sa.create_engine(spec.url(), connect_args={"read_only": True})
    return open_engine(spec.url(), check=False)


def open_per_request(spec: StoreSpec, repeats: int, read_only: bool = True) -> dict:
    """Median seconds: open + feasibility + close, vs feasibility on an engine kept open."""
    from bench.worker import CRITERIA
    from dart.analysis.feasibility import run_feasibility
    from dart.store.codelists import load_library

    text = (CRITERIA / f"{REPORT_TRIAL}.criteria").read_text()
    library = load_library()

    def cold() -> None:
        engine = _engine(spec, read_only)
        try:
            run_feasibility(engine, text, library)
        finally:
            engine.dispose()

    def timed(fn) -> float:
        fn()
        times = []
        for _ in range(max(1, repeats)):
            began = time.perf_counter()
            fn()
            times.append(time.perf_counter() - began)
        return statistics.median(times)

    kept = _engine(spec, read_only)
    try:
        warm = timed(lambda: run_feasibility(kept, text, library))
    finally:
        kept.dispose()
    def open_close() -> None:
        engine = _engine(spec, read_only)
        with engine.connect():
            pass
        engine.dispose()

    opened = timed(open_close)
    per_request = timed(cold)
    return {"open_close_s": round(opened, 4), "feasibility_kept_open_s": round(warm, 4),
            "feasibility_open_per_request_s": round(per_request, 4),
            "per_request_over_kept_open": round(per_request / warm, 2)}


def measure_options(specs: dict[str, StoreSpec], repeats: int) -> dict:
    """Locking and open-per-request measurements for the file engines in ``specs``."""
    out = {}
    for engine, spec in specs.items():
        path = Path(sa.make_url(spec.url()).database)
        out[engine] = {"patients": spec.patients, "locking": lock_matrix(engine, path),
                       "open_per_request": open_per_request(spec, repeats)}
    return out
