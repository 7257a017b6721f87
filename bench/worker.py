"""One measurement in a process of its own: ``python -m bench.worker '<task json>'``.

A fresh process per measurement gives each one its own peak resident set size
(``ru_maxrss``), which counts DuckDB's C++ allocations and pandas' buffers alike (tracemalloc
sees only Python's). The process runs one warm-up, then ``repeats`` timed runs, and prints one
JSON line: the times, their median, the answer (e.g. the eligible count, so runs can be
cross-checked) and the peak RSS. PostgreSQL's own memory is in its server processes and is
not counted here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

CRITERIA = Path(__file__).resolve().parents[1] / "sample_data" / "criteria"
LIST_DATE = dt.date(2026, 7, 1)


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def open_store(url: str, settings: dict[str, str] | None = None) -> sa.Engine:
    """The store's engine; ``settings`` are DuckDB ``SET`` options applied on each connect."""
    from dart.store.engine import open_engine

    engine = open_engine(url, check=False)
    if settings and engine.dialect.name == "duckdb":
        def apply(dbapi_connection, _record) -> None:
            for key, value in settings.items():
                dbapi_connection.execute(f"SET {key} = '{value}'")
        sa.event.listen(engine, "connect", apply)
    return engine


def _criteria_text(name: str) -> str:
    return (CRITERIA / f"{name}.criteria").read_text()


def _feasibility(engine: sa.Engine, name: str) -> Callable[[], object]:
    from dart.analysis.feasibility import run_feasibility
    from dart.store.codelists import load_library

    text, library = _criteria_text(name), load_library()
    return lambda: run_feasibility(engine, text, library).eligible


def _representativeness(engine: sa.Engine, name: str) -> Callable[[], object]:
    from dart.analysis.representativeness import run_representativeness
    from dart.store.codelists import load_library

    text, library = _criteria_text(name), load_library()
    return lambda: len(run_representativeness(engine, text, library).dimensions)


def largest_practice(engine: sa.Engine) -> int:
    """The practice with the most patients (the worst case for an invite list)."""
    with engine.connect() as conn:
        return int(conn.execute(sa.text(
            "SELECT practice_id FROM patient GROUP BY practice_id "
            "ORDER BY count(*) DESC, practice_id LIMIT 1")).scalar_one())


def _invites(engine: sa.Engine, name: str) -> Callable[[], object]:
    from dart.recruitment.invites import invite_list
    from dart.recruitment.studies import Study, StudyVersion, criteria_hash
    from dart.store.codelists import load_library

    text, library = _criteria_text(name), load_library()
    now = dt.datetime(2026, 7, 1)
    version = StudyVersion(1, 1, text, criteria_hash(text), now)
    study = Study(1, name, 1, "approved", 6, 1, now, now, None, (version,))
    practice = largest_practice(engine)
    return lambda: len(invite_list(engine, study, practice, LIST_DATE, library).rows)


def _profile(engine: sa.Engine, _name: str) -> Callable[[], object]:
    from dart.analysis.profile import run_profile
    from dart.store.codelists import load_library

    library = load_library()
    return lambda: run_profile(engine, library).score


def _scan(engine: sa.Engine, _name: str) -> Callable[[], object]:
    from bench.floor import run_scan

    return lambda: run_scan(engine)


def _floor(engine: sa.Engine, name: str) -> Callable[[], object]:
    from bench.floor import floor_query, run_floor

    query = floor_query(name)
    return lambda: run_floor(engine, query)


def _peer(engine: sa.Engine, name: str) -> Callable[[], object]:
    from bench.peer import run_peer

    return lambda: run_peer(engine, name)


KINDS: dict[str, Callable[[sa.Engine, str], Callable[[], object]]] = {
    "feasibility": _feasibility,
    "representativeness": _representativeness,
    "invites": _invites,
    "profile": _profile,
    "floor": _floor,
    "scan": _scan,
    "peer": _peer,
}


def measure(task: dict) -> dict:
    """Run ``task`` (kind, url, item, repeats, settings) and return its measurement."""
    if task["kind"] == "generate":
        return _generate(task)
    engine = open_store(task["url"], task.get("settings"))
    try:
        run = KINDS[task["kind"]](engine, task["item"])
        rss_before = peak_rss_mb()
        if task.get("warmup", True):
            answer = run()  # warm-up: caches, the engine's first plan, the OS page cache
        else:  # only the connection (a Spark session's start) is warmed
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            answer = None
        times = []
        for _ in range(max(1, task.get("repeats", 3))):
            began = time.perf_counter()
            again = run()
            times.append(time.perf_counter() - began)
            if answer is None:
                answer = again
            if again != answer:
                raise RuntimeError(f"{task['kind']} {task['item']}: {again} != {answer}")
        child_peak = children_peak_rss_mb()
    finally:
        engine.dispose()
    out = {"median_s": statistics.median(times), "times_s": times, "answer": answer,
           "peak_rss_mb": peak_rss_mb(), "rss_before_mb": rss_before}
    if child_peak:  # Spark's JVM: a child process whose memory ru_maxrss does not count
        out["children_peak_rss_mb"] = child_peak
    return out


def children_peak_rss_mb() -> float | None:
    """The summed peak RSS (``VmHWM``) of this process's live children (Spark's JVM)."""
    try:
        import psutil
    except ImportError:
        return None
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            for line in Path(f"/proc/{child.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return round(total, 1) or None


def _generate(task: dict) -> dict:
    from bench.stores import StoreSpec, generate_store

    spec = StoreSpec(task["engine"], task["patients"], task.get("seed", 0),
                     Path(task["cache"]), task.get("postgres_url"), task["version"])
    # DuckDB draws its own progress bar on stdout; keep stdout for the result line.
    with contextlib.redirect_stdout(io.StringIO()):
        seconds = generate_store(spec)
    result = {"seconds": round(seconds, 2), "peak_rss_mb": peak_rss_mb()}
    sidecar(spec).write_text(json.dumps(result))
    return result


def sidecar(spec) -> Path:
    """Where a cached store's generation time and peak memory are kept."""
    return Path(spec.cache) / f"{spec.key}.json"


def main() -> None:
    task = json.loads(sys.argv[1])
    print(json.dumps(measure(task)))


if __name__ == "__main__":
    main()
