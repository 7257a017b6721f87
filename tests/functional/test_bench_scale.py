"""``python -m bench.scale`` at two tiny sizes: the JSON, the CSV and the exponent.

No timing is asserted (the machine is shared): the exponent's arithmetic is checked on
numbers whose answer is known, and the run's own numbers only for being there and agreeing.
"""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from bench.scale import exponent, main


def test_exponent_of_known_power_laws():
    assert exponent([1_000, 10_000, 100_000], [2.0, 20.0, 200.0]) == 1.0
    assert exponent([1_000, 2_000, 4_000], [1.0, 4.0, 16.0]) == 2.0
    assert exponent([1_000], [1.0]) is None


def test_scale_run_writes_json_and_csv(tmp_path):
    out = tmp_path / "results"
    result = CliRunner().invoke(main, [
        "--duckdb", "1000,2000", "--spark", "", "--stores", str(tmp_path / "stores"),
        "--files", "af_anticoagulation", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (path,) = out.glob("scale-*.json")
    doc = json.loads(path.read_text())
    assert [(r["engine"], r["patients"]) for r in doc["runs"]] == [
        ("duckdb", 1000), ("duckdb", 2000)]
    for run in doc["runs"]:
        s = run["summary"]
        assert s["floor"]["af_anticoagulation"]["same_eligible"]
        assert s["feasibility_total_s"] > 0 and s["scan_s"] > 0 and s["peak_rss_mb"] > 0
        assert run["generation"]["seconds"] > 0
    # The plain scan counts every record: twice the patients, more records.
    small, large = (r["summary"]["records"] for r in doc["runs"])
    assert large > small > 0
    assert isinstance(doc["scaling"]["duckdb"]["total_exponent"], float)
    with path.with_suffix(".csv").open() as f:
        rows = list(csv.DictReader(f))
    assert {(r["patients"], r["kind"]) for r in rows} == {
        (p, k) for p in ("1000", "2000") for k in ("generate", "feasibility", "floor", "scan")}


def test_unknown_file_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["--stores", str(tmp_path), "--files", "nope"])
    assert result.exit_code != 0 and "no such criteria file(s): nope" in result.output
