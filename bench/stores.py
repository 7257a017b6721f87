"""Benchmark stores: generated once per (engine, size, seed, generator version) and cached.

SQLite and DuckDB stores are files in ``bench/cache/``; a PostgreSQL store is a database of
its own on the server given by ``--postgres-url`` (``dart_bench_<key>``). A store counts as
cached only once generation finished: files are generated under a temporary name and renamed,
and a PostgreSQL database carries a ``bench_complete`` row in ``store_info``.

The generator version is a hash of the generator's and the schema's source, so a change to
the load step (ordering, indexes) gives new stores instead of measuring stale ones.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from dart.store.engine import normalise_url, open_engine

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "cache"
PG_ENV = "DART_BENCH_POSTGRES_URL"
_DART = ROOT.parent / "dart" / "store"
_SOURCES = sorted((_DART / "generate").glob("*.py")) + [_DART / "schema.py"]


def generator_version() -> str:
    """A short hash of the COMMITTED generator and schema (git), else of their source.

    The committed version, because a shared checkout holds other people's work in progress:
    their unsaved edits must not invalidate a 1M-patient store every few minutes.
    """
    digest = hashlib.sha256()
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD:dart/store/generate", "HEAD:dart/store/schema.py"],
            cwd=ROOT.parent, capture_output=True, text=True, check=True, timeout=10)
        digest.update(out.stdout.encode())
    except (OSError, subprocess.SubprocessError):
        for path in _SOURCES:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def parse_size(text: str) -> int:
    """``100k`` → 100000, ``1M`` → 1000000, ``2000`` → 2000."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale != 1 else text
    return int(float(number) * scale)


def size_label(n: int) -> str:
    """1000000 → ``1M``, 100000 → ``100k``, 2000 → ``2k``, 1500 → ``1500``."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


@dataclass(frozen=True)
class StoreSpec:
    """Which store: engine, number of patients, seed; ``cache`` is where files go."""

    engine: str
    patients: int
    seed: int = 0
    cache: Path = CACHE
    postgres_url: str | None = None
    version: str = field(default_factory=generator_version)

    @property
    def key(self) -> str:
        return f"{self.engine}_{size_label(self.patients)}_s{self.seed}_g{self.version}"

    def url(self) -> str:
        """The store's URL (it may not exist yet)."""
        if self.engine == "sqlite":
            return f"sqlite:///{self.cache / (self.key + '.db')}"
        if self.engine == "duckdb":
            return f"duckdb:///{self.cache / (self.key + '.duckdb')}"
        if self.engine == "spark":  # a folder of <table>.parquet
            return f"spark:///{self.cache / self.key}"
        if not self.postgres_url:
            raise ValueError("PostgreSQL needs --postgres-url or " + PG_ENV)
        server = normalise_url(self.postgres_url)
        return server.set(database=f"dart_bench_{self.key}".lower()).render_as_string(
            hide_password=False)


def _file(url: str) -> Path:
    return Path(sa.make_url(url).database)


def _pg_exists(spec: StoreSpec) -> bool:
    name = sa.make_url(spec.url()).database
    admin = sa.create_engine(normalise_url(spec.postgres_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(sa.text("select 1 from pg_database where datname = :n"),
                                {"n": name}).first():
                return False
    finally:
        admin.dispose()
    engine = open_engine(spec.url())
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sa.text(
                "select 1 from store_info where key = 'bench_complete'")).first())
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def is_cached(spec: StoreSpec) -> bool:
    """True when the store exists and its generation finished."""
    if spec.engine == "postgresql":
        return _pg_exists(spec)
    if spec.engine == "spark":
        return (_file(spec.url()) / "patient.parquet").exists()
    return _file(spec.url()).exists()


def _pg_recreate(spec: StoreSpec) -> None:
    name = sa.make_url(spec.url()).database
    admin = sa.create_engine(normalise_url(spec.postgres_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def generate_store(spec: StoreSpec, progress: bool = False) -> float:
    """Generate the store of ``spec`` (replacing any half-made one); returns the seconds."""
    from dart.store.generate import generate

    began = time.perf_counter()
    if spec.engine == "spark":
        return _export_to_parquet(spec)
    if spec.engine == "postgresql":
        _pg_recreate(spec)
        engine = open_engine(spec.url())
        try:
            generate(engine, spec.patients, seed=spec.seed, progress=progress)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # Planner statistics, as a data owner's load would end (autovacuum is late).
                conn.execute(sa.text("ANALYZE"))
            with engine.begin() as conn:
                conn.execute(sa.text("insert into store_info values ('bench_complete', '1')"))
        finally:
            engine.dispose()
        return time.perf_counter() - began
    final = _file(spec.url())
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(final.name + f".partial{os.getpid()}")
    for leftover in (partial, Path(f"{partial}.wal"), Path(f"{partial}-wal"),
                     Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"{spec.engine}:///{partial}"
    engine = open_engine(url)
    try:
        generate(engine, spec.patients, seed=spec.seed, progress=progress)
        if spec.engine == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            with engine.connect() as conn:
                conn.exec_driver_sql("CHECKPOINT")
    finally:
        engine.dispose()
    seconds = time.perf_counter() - began
    for suffix in ("-wal", "-shm", ".wal"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(final)
    return seconds


def _export_to_parquet(spec: StoreSpec) -> float:
    """A Spark store: the DuckDB store of the same size and seed (generated if not cached),
    its tables copied to Parquet; returns the seconds of the copy alone."""
    import shutil

    from dart.store.spark import write_parquet

    duck = StoreSpec("duckdb", spec.patients, spec.seed, spec.cache, None, spec.version)
    if not is_cached(duck):
        generate_store(duck)
    final = _file(spec.url())
    partial = final.with_name(final.name + f".partial{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    began = time.perf_counter()
    engine = open_engine(duck.url(), read_only=True)
    try:
        write_parquet(engine, partial)
    finally:
        engine.dispose()
    seconds = time.perf_counter() - began
    partial.rename(final)
    return seconds
