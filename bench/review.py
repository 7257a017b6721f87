"""``python -m bench.review``: the time and memory of ``dart audit review``.

    python -m bench.review                          # DuckDB, 200k patients
    python -m bench.review --engine sqlite --patients 100k

An audit log of a week's answers is written into a fresh application database: each
shipped criteria file (``sample_data/criteria``) and the same file with ``age >= 18`` made
``age >= 19`` (a sponsor refining, which moves a few patients or none), one sponsor. The
review replays them on a cached synthetic store (``bench/cache/``, as ``python -m bench``);
reported: seconds in all and per distinct text, the pairs it listed, and the review's peak
of traced memory (Python and numpy allocations, ``tracemalloc``, in a second run: tracing
slows it several-fold).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import tracemalloc
from pathlib import Path

import click

from bench.stores import StoreSpec, generate_store, is_cached, parse_size
from dart.app.accounts import User
from dart.app.audit import AuditEntry, AuditLog
from dart.app.audit_review import review
from dart.store.app_db import open_app_db
from dart.store.engine import open_engine

CRITERIA = Path(__file__).resolve().parent.parent / "sample_data" / "criteria"


@click.command()
@click.option("--engine", "engine_name", type=click.Choice(["sqlite", "duckdb"]),
              default="duckdb", show_default=True)
@click.option("--patients", default="200k", show_default=True, help="e.g. 100k, 1M")
def main(engine_name: str, patients: str) -> None:
    spec = StoreSpec(engine_name, parse_size(patients))
    if not is_cached(spec):
        click.echo(f"generating the {patients} {engine_name} store (once, cached)…")
        generate_store(spec, progress=True)
    texts = [p.read_text() for p in sorted(CRITERIA.glob("*.criteria"))]
    asked = [t for text in texts for t in (text, text.replace("age >= 18", "age >= 19"))]
    with tempfile.TemporaryDirectory() as folder:
        app = open_app_db(f"sqlite:///{folder}/app.db")
        log, sponsor = AuditLog(app), User(1, "sponsor", "sponsor")
        for text in asked:
            log.end(None, sponsor, AuditEntry("feasibility", criteria_text=text), "ok", 200)
        store = open_engine(spec.url(), read_only=True, create=False)
        began = time.perf_counter()
        found = review(app, store, dt.datetime(2000, 1, 1))
        seconds = time.perf_counter() - began
        tracemalloc.start()  # a second run for the memory: tracing slows it several-fold
        review(app, store, dt.datetime(2000, 1, 1))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        store.dispose()
        app.dispose()
    distinct = len(set(asked))
    click.echo(f"{engine_name}, {patients} patients: {len(found.answers)} answers, "
               f"{distinct} distinct texts replayed in {seconds:.1f} s "
               f"({seconds / distinct:.2f} s a text); {len(found.near)} pairs listed; "
               f"peak traced memory {peak / 2**20:.0f} MB")
    for pair in found.near:
        click.echo(f"  audit {pair.first.audit_id} {pair.first_set} / audit "
                   f"{pair.second.audit_id} {pair.second_set}: "
                   f"{'' if pair.exact else 'about '}{pair.apart} apart")


if __name__ == "__main__":
    main()
