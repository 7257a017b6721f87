"""``dart generate`` from the command line: bad arguments write nothing; a seed repeats."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from dart.cli import main

TABLES = ("store_info", "practice", "patient", "observation", "prescription")


def run(*args: str):
    return CliRunner().invoke(main, ["generate", "--quiet", *args])


@pytest.mark.parametrize(("args", "message"), [
    (["--patients", "0"], "at least 1"),
    (["--patients", "-3"], "at least 1"),
    (["--patients", "10", "--practices", "20"], "cannot exceed"),
    (["--patients", "10", "--practices", "0"], "at least 1"),
    (["--patients", "10", "--extract-date", "2026-02-30"], "YYYY-MM-DD"),
    (["--patients", "ten"], "not a valid integer"),
    ([], "--patients"),
])
def test_bad_arguments_exit_nonzero_and_write_nothing(tmp_path, args, message):
    target = tmp_path / "sub" / "x.db"
    result = run(*args, "--db", f"sqlite:///{target}")
    assert result.exit_code != 0
    assert message in result.output
    assert not target.exists() and not target.parent.exists()


def test_bad_url(tmp_path):
    result = run("--patients", "10", "--db", "mysql://nobody@nowhere/db")
    assert result.exit_code == 1 and "unsupported database" in result.output
    result = run("--patients", "10", "--db", "not a url")
    assert result.exit_code == 1 and "not a database URL" in result.output


def dump(path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {t: sorted(conn.execute(f"select * from {t}").fetchall()) for t in TABLES}


def test_same_seed_twice_gives_identical_tables(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    for path in (first, second):
        result = run("--patients", "3000", "--seed", "7", "--db", f"sqlite:///{path}")
        assert result.exit_code == 0, result.output
        assert "3,000 patients" in result.output and "observation" in result.output
    assert dump(first) == dump(second)
    with sqlite3.connect(first) as conn:
        # Dates are plain ISO days on SQLite (docs/architecture.md, Dates).
        assert conn.execute("select min(length(obs_date)), max(length(obs_date)) "
                            "from observation").fetchone() == (10, 10)


def test_refuses_existing_data_then_replaces(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert run("--patients", "100", "--db", url).exit_code == 0
    again = run("--patients", "100", "--db", url)
    assert again.exit_code == 1 and "--replace" in again.output
    replaced = run("--patients", "50", "--seed", "2", "--replace", "--db", url)
    assert replaced.exit_code == 0
    assert len(dump(tmp_path / "x.db")["patient"]) == 50
