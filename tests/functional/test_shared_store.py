"""The embedded default lets the server and the CLI use one DuckDB store at the same time.

A real ``dart serve`` process holds the store while ``dart count`` and ``dart users`` run in
other processes; the API and the CLI give the same exact count.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from dart.store.engine import create_store, open_engine
from tests.support.tables import load_tables

DART = [sys.executable, "-m", "dart.cli"]
STORE = """
patient
patient_id | date_of_birth | sex
1          | 1950-01-01    | F
2          | 1960-01-01    | M
3          | 2010-01-01    | F
4          | 1940-01-01    | M
"""
# Patients 1, 2 and 4 are adults; 3 is 16 on 2026-06-30.
CRITERIA = 'study "Adults"\ninclude "Adults": age >= 18\n'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dart(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*DART, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def env(tmp_path):
    env = dict(os.environ, DART_DATABASE_URL=f"duckdb:///{tmp_path / 'store.duckdb'}")
    engine = open_engine(env["DART_DATABASE_URL"])
    create_store(engine)
    load_tables(engine, STORE)
    engine.dispose()
    return env


def test_server_and_cli_share_the_default_store(env, tmp_path: Path):
    added = dart("users", "add", "boss", "--role", "admin", env=env)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().split()[-1]
    port = free_port()
    server = subprocess.Popen([*DART, "serve", "--port", str(port), "--no-dashboard"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        for _ in range(200):
            try:
                requests.get(f"{base}/openapi.json", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        (tmp_path / "adults.criteria").write_text(CRITERIA)
        # the CLI runs while the server process is up and has used the store
        api = requests.post(f"{base}/feasibility", json={"criteria": CRITERIA},
                            headers={"Authorization": f"Bearer {token}"}, timeout=60)
        cli = dart("count", str(tmp_path / "adults.criteria"), "--json", "--no-suppression",
                   env=env)
        second = dart("users", "add", "someone", "--role", "sponsor", env=env)
        api_again = requests.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"},
                                 timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert cli.returncode == 0, cli.stderr
    assert second.returncode == 0, second.stderr
    assert api.status_code == 200, api.text
    assert api_again.status_code == 200
    assert json.loads(cli.stdout)["eligible"] == 3
    assert api.json()["eligible"] == 3
