"""Opening stores: friendly errors, and a DuckDB file shared between processes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from dart.store.engine import StoreError, create_store, default_url, open_engine

HOLDER = """
import sys, time
import sqlalchemy as sa
from dart.store.engine import open_engine
engine = open_engine(sys.argv[1])
with engine.begin() as conn:
    conn.execute(sa.text("insert into store_info values ('holder', 'yes')"))
    open(sys.argv[2], "w").close()          # tell the test the file is locked now
    time.sleep(float(sys.argv[3]))
"""


@pytest.mark.parametrize("url,fragment", [
    ("not a url", "not a database URL"),
    ("mysql://root@localhost/x", "unsupported database 'mysql'"),
    ("postgresql://nobody@127.0.0.1:1/none", "cannot open the store"),
])
def test_bad_urls_give_a_message(url, fragment):
    with pytest.raises(StoreError, match=fragment):
        open_engine(url)


def test_default_is_an_embedded_duckdb_file(monkeypatch, tmp_path):
    monkeypatch.delenv("DART_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_url() == f"duckdb:///{tmp_path / 'dart' / 'dart.duckdb'}"
    monkeypatch.setenv("DART_DATABASE_URL", "sqlite:///elsewhere.db")
    assert default_url() == "sqlite:///elsewhere.db"


def _hold(url: str, tmp_path: Path, seconds: float) -> subprocess.Popen:
    flag = tmp_path / "locked"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url, str(flag), str(seconds)])
    for _ in range(300):
        if flag.exists():
            return holder
        time.sleep(0.05)
    holder.kill()
    pytest.fail("the holder process never opened the store")


def test_a_second_process_waits_for_the_duckdb_lock(tmp_path):
    url = f"duckdb:///{tmp_path / 'shared.duckdb'}"
    create_store(open_engine(url))
    holder = _hold(url, tmp_path, 1.5)
    # The other process has the file open (and locked) right now; we still get in.
    engine = open_engine(url)
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("select key, value from store_info")).all())
    assert holder.wait(timeout=30) == 0
    assert rows == {"holder": "yes"}  # we ran after the holder committed


def test_a_lock_held_too_long_is_a_clear_error(tmp_path, monkeypatch):
    url = f"duckdb:///{tmp_path / 'shared.duckdb'}"
    create_store(open_engine(url))
    holder = _hold(url, tmp_path, 5)
    monkeypatch.setenv("DART_LOCK_WAIT", "0.3")
    try:
        with pytest.raises(StoreError, match="lock"):
            open_engine(url)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("read_only", [False, True])
def test_duckdb_draws_no_progress_bar(tmp_path, read_only):
    # DuckDB's progress bar goes to stdout, into `dart count --json`'s output
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    open_engine(url).dispose()  # the file, for the read-only open
    engine = open_engine(url, read_only=read_only, create=not read_only)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                "select current_setting('enable_progress_bar')").scalar() is False
    finally:
        engine.dispose()
