"""A newcomer's first run: the README's quick tour in order, clear refusals, no surprises."""

from __future__ import annotations

import re
import shlex
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dart.app.accounts import revoke_user
from dart.app.demo import demo_users, load_demo_state, save_demo_state
from dart.cli import main
from dart.store.engine import open_engine
from dart.web import create_app
from tests.functional.api.test_cli import make_store as hand_store

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def quick_tour() -> list[list[str]]:
    """The ``dart`` commands of the README's quick tour, in order, comments dropped."""
    text = README.read_text()
    block = text.split("## A quick tour", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [shlex.split(line.split("#", 1)[0])[1:] for line in block.splitlines()
            if line.strip().startswith("dart ")]


def test_quick_tour_runs_in_order_on_one_store(tmp_path, monkeypatch):
    """Each command of the README on the store the one before used, then a token that the
    served store accepts. The tour's store is made smaller (2,000 patients) to stay quick."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DART_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no default store here
    commands = quick_tour()
    assert [c[0] for c in commands][-2:] == ["users", "serve"]
    token = None
    for args in commands:
        args = [str(ROOT / a) if a.startswith("sample_data/") else a for a in args]
        if args[0] == "generate":
            args[args.index("--patients") + 1] = "2000"
        if args[0] == "serve":
            served = args[args.index("--db") + 1]
            break
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
        if args[0] == "users":
            token = re.search(r"token \(shown once\): (\S+)", result.output).group(1)
    assert token and (tmp_path / "report.html").is_file()
    assert not (tmp_path / "data").exists()  # nothing fell back on the default store
    app = create_app({"DATABASE_URL": served})
    answer = app.test_client().get("/api/v1/studies",
                                   headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_json()


@pytest.mark.parametrize("scheme", ["sqlite", "duckdb"])
@pytest.mark.parametrize("args", [
    ["count", "CRITERIA"], ["representativeness", "CRITERIA"], ["users", "list"],
    ["users", "add", "alice", "--role", "sponsor"], ["users", "revoke", "alice"],
    ["serve", "--no-dashboard"],
])
def test_a_store_that_is_only_read_is_never_created(tmp_path, scheme, args):
    store = tmp_path / "missing" / f"store.{scheme}"
    url = f"{scheme}:///{store}"
    criteria = ROOT / "sample_data" / "criteria" / "t2dm_sglt2i.criteria"
    args = [str(criteria) if a == "CRITERIA" else a for a in args]
    result = CliRunner().invoke(main, [*args, "--db", url])
    assert result.exit_code == 1, result.output
    assert f"no store at {store}" in result.output and "dart generate" in result.output
    assert "Traceback" not in result.output
    assert not store.exists() and not store.parent.exists()


def test_serve_on_a_busy_port_says_so_in_one_line(tmp_path):
    url = hand_store(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "dart.cli", "serve", "--db", url, "--port", str(port),
             "--no-dashboard"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(is DART already running?)"]
    assert "listening" not in done.stdout


def test_an_unknown_token_is_told_why_and_learns_nothing(tmp_path):
    url = hand_store(tmp_path)
    app = create_app({"DATABASE_URL": url})
    client = app.test_client()
    unknown = client.get("/api/v1/studies", headers={"Authorization": "Bearer dart_nope"})
    assert unknown.status_code == 401
    message = unknown.get_json()["error"]["message"]
    assert "--db" in message and "unknown or revoked" in message
    assert "dart_nope" not in unknown.get_data(as_text=True)
    missing = client.get("/api/v1/studies")
    assert missing.status_code == 401
    assert missing.get_json()["error"]["message"] != message  # no token: another reason


def test_root_leads_to_the_dashboard_and_the_form_asks_for_a_token(tmp_path):
    app = create_app({"DATABASE_URL": hand_store(tmp_path), "DASHBOARD": True})
    client = app.test_client()
    root = client.get("/")
    assert root.status_code == 302 and root.headers["Location"].endswith("/dashboard/")
    form = client.get("/dashboard/login").get_data(as_text=True)
    assert '<label for="login-secret">Token</label>' in form
    assert "password" not in form.replace('type="password"', "").replace(
        'autocomplete="current-password"', "").lower()


def test_demo_tokens_survive_a_restart(tmp_path):
    engine = open_engine(hand_store(tmp_path))
    path, store = tmp_path / "state" / "demo-state.json", "sqlite:///first.db"
    first = load_demo_state(path, store)
    users = demo_users(engine, first["tokens"])
    assert users.reissued == [] and len(users.tokens) == 5  # 3 roles + 2 practices
    save_demo_state(path, store, {n: t for n, (_, t) in users.tokens.items()},
                    first["secret_key"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    again = load_demo_state(path, store)  # a restart
    assert again["secret_key"] == first["secret_key"]
    assert demo_users(engine, again["tokens"]).tokens == users.tokens
    # a token that stopped working (revoked) is replaced, and the caller is told
    revoke_user(engine, "demo-admin")
    third = demo_users(engine, again["tokens"])
    assert third.reissued == ["demo-admin"]
    assert third.tokens["demo-admin"] != users.tokens["demo-admin"]
    assert third.tokens["demo-sponsor"] == users.tokens["demo-sponsor"]
    # a state file that is not ours to read is ignored, not a crash
    path.write_text("not json")
    assert load_demo_state(path, store)["tokens"] == {}
