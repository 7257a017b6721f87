"""``dart users`` and ``dart serve``: tokens shown once, stored hashed, revocable."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import requests
import sqlalchemy as sa
from click.testing import CliRunner

from dart.cli import main
from dart.store.app_tables import users
from dart.store.engine import create_store, open_engine
from tests.functional.api.conftest import HAND_STORE
from tests.support.tables import load_tables


def make_store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = open_engine(url)
    create_store(engine)
    load_tables(engine, HAND_STORE)
    engine.dispose()
    return url


def test_users_add_list_revoke(tmp_path, app_database):
    url = make_store(tmp_path)
    run = CliRunner().invoke
    added = run(main, ["users", "add", "gp1", "--role", "practice", "--practice", "T00001",
                       "--db", url])
    assert added.exit_code == 0, added.output
    token = added.output.split("token (shown once): ")[1].strip()
    engine = open_engine(app_database)  # users live in the application database
    with engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.token_hash)).scalar()
    assert token not in stored and len(stored) == 64
    listed = run(main, ["users", "list", "--db", url])
    assert "gp1" in listed.output and "T00001" in listed.output and token not in listed.output
    assert run(main, ["users", "revoke", "gp1", "--db", url]).exit_code == 0
    assert "revoked" in run(main, ["users", "list", "--db", url]).output
    assert run(main, ["users", "revoke", "gp1", "--db", url]).exit_code != 0


def test_users_add_refuses_bad_input(tmp_path):
    url = make_store(tmp_path)
    run = CliRunner().invoke
    for args in (["x", "--role", "practice"], ["x", "--role", "practice", "--practice", "NOPE"],
                 ["x", "--role", "sponsor", "--practice", "T00001"], ["x", "--role", "king"],
                 ["bad name", "--role", "admin"]):
        result = run(main, ["users", "add", *args, "--db", url])
        assert result.exit_code != 0 and "Traceback" not in result.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_its_port(tmp_path):
    url = make_store(tmp_path)
    port = free_port()
    command = [sys.executable, "-c", "from dart.cli import main; main()", "serve",
               "--db", url, "--port", str(port), "--no-dashboard"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["openapi"].startswith("3.")
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/studies",
                            timeout=5).status_code == 401
        assert r.headers["Server"] == "dart"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
