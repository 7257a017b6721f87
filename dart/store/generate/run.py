"""``generate()``: a synthetic UK GP-record store, deterministic for a seed.

Patients are made in fixed-size chunks, each from its own ``numpy`` generator seeded with
``(seed, chunk number)``, so a run's memory is bounded and the same seed always gives the
same store whatever the engine. Practices and NHS numbers are drawn once up front.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd
import sqlalchemy as sa
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from dart.store import schema
from dart.store.codelists import load_library
from dart.store.engine import StoreError, create_store
from dart.store.generate.conditions import draw_conditions
from dart.store.generate.flaws import FlawTally, apply_flaws, flaw_record, plan_flaws
from dart.store.generate.load import create_indexes, drop_indexes, insert_frame
from dart.store.generate.nhs import nhs_numbers
from dart.store.generate.observations import draw_smoking, make_observations
from dart.store.generate.population import make_patients
from dart.store.generate.practices import MAX_PRACTICES, make_practices
from dart.store.generate.prescriptions import make_prescriptions

CHUNK = 100_000
MAX_PATIENTS = 10_000_000  # the synthetic NHS-number ranges hold ~18 million (nhs.py)
DATA_TABLES = ("practice", "patient", "observation", "prescription")


class GenerationError(StoreError):
    """Generation refused: bad arguments, or a store that already holds data."""


@dataclass(frozen=True)
class GenerationSummary:
    """What ``generate()`` wrote."""

    patients: int
    practices: int
    seed: int
    extract_date: date
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict:
        out = asdict(self)
        out["extract_date"] = self.extract_date.isoformat()
        return out


def default_practices(patients: int) -> int:
    """About 2,500 patients a practice in a small store, at least one practice per region."""
    return max(min(12, patients), round(patients / 2500))


def check_arguments(patients: int, practices: int | None) -> int:
    """The number of practices to make; ``GenerationError`` if the arguments are unusable."""
    if patients < 1:
        raise GenerationError(f"--patients must be at least 1 (got {patients})")
    if patients > MAX_PATIENTS:
        raise GenerationError(f"--patients must be at most {MAX_PATIENTS:,} (got {patients:,})")
    if practices is None:
        return default_practices(patients)
    if practices < 1:
        raise GenerationError(f"--practices must be at least 1 (got {practices})")
    if practices > patients:
        raise GenerationError(
            f"--practices ({practices}) cannot exceed --patients ({patients})")
    if practices > MAX_PRACTICES:
        raise GenerationError(f"--practices must be at most {MAX_PRACTICES:,}")
    return practices


def _prepare(engine: sa.Engine, replace: bool) -> None:
    create_store(engine)
    with engine.connect() as conn:
        used = [t for t in DATA_TABLES
                if conn.execute(sa.select(schema.metadata.tables[t]).limit(1)).first()]
    if used and not replace:
        raise GenerationError(
            f"the store already holds data (tables: {', '.join(used)}); "
            "use --replace to delete it and generate afresh")
    if replace:
        with engine.begin() as conn:
            for name in reversed(schema.STORE_TABLES):
                conn.execute(schema.metadata.tables[name].delete())


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator:
    if not enabled:
        yield lambda *_a, **_k: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed:,}/{task.total:,}"), TimeElapsedColumn(),
                  transient=False) as bar:
        task = bar.add_task("generating patients", total=total)
        yield lambda n=0, description=None: bar.update(task, advance=n, description=description)


def _chunk(seed: int, number: int, first_id: int, size: int, practices: pd.DataFrame,
           nhs: np.ndarray, extract: np.datetime64, library, flaws=None,
           tally: FlawTally | None = None) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng([seed, 1, number])
    people = make_patients(rng, first_id, size, practices, extract)
    people["nhs_number"] = nhs[first_id - 1:first_id - 1 + size]
    imd = people["imd_quintile"].to_numpy(dtype=float, na_value=np.nan)
    smoking = draw_smoking(rng, people["age"].to_numpy(), imd)
    cond = draw_conditions(rng, people, smoking == 1)
    frames = {
        "patient": people,
        "observation": make_observations(rng, people, cond, smoking, library),
        "prescription": make_prescriptions(rng, people, cond, library),
    }
    if flaws is not None:
        apply_flaws(np.random.default_rng([seed, 2, number]), frames, flaws, tally)
    return frames


def _version() -> str:
    try:
        return version("dart-trials")
    except PackageNotFoundError:
        return "unknown"


def generate(engine: sa.Engine, patients: int, practices: int | None = None, seed: int = 0,
             extract_date: date = date(2026, 6, 30), progress: bool = True,
             replace: bool = False, flaws: bool = True) -> GenerationSummary:
    """Fill the store at ``engine`` with ``patients`` synthetic patients.

    Refuses (``GenerationError``) a store that already holds data unless ``replace``, in
    which case every store table is emptied first. With ``flaws`` (the default) the store
    has the realistic data-quality flaws of ``flaws.py``, recorded in ``store_info``
    ``flaws``; without, it is clean. Returns what was written."""
    began = time.perf_counter()
    n_practices = check_arguments(patients, practices)
    library = load_library()
    _prepare(engine, replace)
    setup = np.random.default_rng([seed, 0])
    practice_frame = make_practices(setup, n_practices)
    nhs = nhs_numbers(setup, patients)
    extract = np.datetime64(extract_date, "D")
    plan = plan_flaws(seed, practice_frame, extract, library) if flaws else None
    tally = FlawTally()
    rows = dict.fromkeys(("practice", "patient", "observation", "prescription"), 0)
    with engine.begin() as conn:
        indexes = drop_indexes(conn)
        rows["practice"] = insert_frame(conn, "practice", practice_frame)
    with _progress(progress, patients) as advance:
        for number, first in enumerate(range(1, patients + 1, CHUNK)):
            size = min(CHUNK, patients - first + 1)
            frames = _chunk(seed, number, first, size, practice_frame, nhs, extract, library,
                            plan, tally)
            with engine.begin() as conn:
                for table, frame in frames.items():
                    rows[table] += insert_frame(conn, table, frame)
            advance(size)
        advance(0, "building indexes")
        with engine.begin() as conn:
            create_indexes(conn, indexes)
            info = {"extract_date": extract_date.isoformat(),
                    "schema_version": schema.SCHEMA_VERSION,
                    "generator": f"dart {_version()}", "seed": str(seed)}
            if plan is not None:
                info["flaws"] = flaw_record(plan, tally, practice_frame)
            conn.execute(schema.store_info.delete())
            conn.execute(schema.store_info.insert(),
                         [{"key": k, "value": v} for k, v in info.items()])
        advance(0, "done")
    return GenerationSummary(patients, n_practices, seed, extract_date, rows,
                             round(time.perf_counter() - began, 2))
