"""``dart profile``: text, JSON and HTML over a hand-built store; a clear error otherwise."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dart.cli import main
from dart.store.engine import create_store, open_engine
from tests.support.tables import load_tables

STORE = """
patient
patient_id | ethnicity
1          | white
2          | unknown

observation
patient_id | obs_date   | code     | value | unit
1          | 2026-01-01 | 44054006 |       |
1          | 2026-02-01 | 44054007 |       |
"""


def _store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 's.db'}"
    engine = open_engine(url)
    create_store(engine)
    load_tables(engine, STORE)
    engine.dispose()
    return url


def test_text_json_and_html(tmp_path):
    url = _store(tmp_path)
    runner = CliRunner()
    text = runner.invoke(main, ["profile", "--db", url])
    assert text.exit_code == 0, text.output
    assert "FAIL  conformance.codes" in text.output and "44054007" in text.output
    out = runner.invoke(main, ["profile", "--db", url, "--json"])
    body = json.loads(out.output)
    assert body["patients"] == 2 and body["records"] == 2
    assert body["completeness"]["ethnicity_known"]["n"] == 1
    html = tmp_path / "p.html"
    done = runner.invoke(main, ["profile", "--db", url, "--html", str(html)])
    assert done.exit_code == 0 and f"written to {html}" in done.output
    page = html.read_text()
    assert "Recording by practice and month" in page and "<table>" in page


def test_not_a_store(tmp_path):
    missing = tmp_path / "x.db"
    result = CliRunner().invoke(main, ["profile", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 1 and "no store at" in result.output
    assert not missing.exists()  # a profile only reads: it makes no store
    empty = tmp_path / "empty.db"
    empty.touch()
    result = CliRunner().invoke(main, ["profile", "--db", f"sqlite:///{empty}"])
    assert result.exit_code == 1 and "is not a DART store" in result.output


def test_count_profile(tmp_path):
    url = _store(tmp_path)
    criteria = tmp_path / "t.criteria"
    criteria.write_text('codelist t2dm = snomed("44054006", "703138006")\n'
                        "include has t2dm\n")
    runner = CliRunner()
    out = runner.invoke(main, ["count", str(criteria), "--db", url, "--profile", "--json"])
    assert out.exit_code == 0, out.output
    profile = json.loads(out.output)["profile"]
    # One patient with the code: suppressed under disclosure control; 703138006 unseen.
    assert profile["codes"] == [{"codeset": "t2dm", "code": "44054006", "records": None,
                                 "patients": None, "suppressed": ["patients", "records"]}]
    assert profile["never_seen"] == [{"codeset": "t2dm", "code": "703138006"}]
    text = runner.invoke(main, ["count", str(criteria), "--db", url, "--profile",
                                "--no-suppression"])
    assert "Codes never seen in this store" in text.output and "703138006" in text.output
