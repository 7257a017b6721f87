"""``python -m bench`` at a tiny size: every measurement is in the JSON, with sane values.

No timing is asserted (the machine is shared); only that each number exists, is positive
where it must be, and that DART, the floor and pandas agree on the eligible counts.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bench.__main__ import main
from bench.ab import measure
from bench.floor import FLOOR_TRIALS

KINDS = ("feasibility", "floor", "peer", "representativeness", "invites", "profile")


def test_bench_smoke(tmp_path):
    out, cache = tmp_path / "results", tmp_path / "cache"
    result = CliRunner().invoke(main, [
        "--sizes", "2000", "--engines", "sqlite,duckdb", "--repeats", "1",
        "--cache", str(cache), "--out", str(out), "--files", ",".join(FLOOR_TRIALS)])
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.json")
    doc = json.loads(path.read_text())

    assert {"cpu_model", "cores", "memory_gb", "python", "packages"} <= set(doc["machine"])
    assert [(r["engine"], r["patients"]) for r in doc["runs"]] == [
        ("sqlite", 2000), ("duckdb", 2000)]
    for run in doc["runs"]:
        assert run["generation"]["seconds"] > 0 and run["generation"]["peak_rss_mb"] > 0
        for kind in KINDS:
            assert run[kind], kind
            for item in run[kind].values():
                assert item["median_s"] > 0 and len(item["times_s"]) == 1
                assert item["peak_rss_mb"] > 0
        for trial in FLOOR_TRIALS:
            counts = {run[k][trial]["answer"] for k in ("feasibility", "floor", "peer")}
            assert len(counts) == 1, (trial, counts)
            ratio = run["summary"]["floor_ratios"][trial]
            assert ratio["feasibility_over_floor"] > 0 and ratio["peer_over_feasibility"] > 0
        assert run["summary"]["profile_s"] > 0 and run["summary"]["profile_peak_rss_mb"] > 0
    assert set(doc["targets"]) >= {"feasibility_over_floor_max", "peak_rss_mb_max"}
    embedded = doc["embedded"]
    assert set(embedded) == {"sqlite", "duckdb"}
    assert embedded["duckdb"]["locking"]["held rw, then open ro"].startswith("error")
    assert embedded["sqlite"]["locking"]["held rw, then open rw"] == "ok"
    assert embedded["duckdb"]["open_per_request"]["feasibility_open_per_request_s"] > 0
    assert list(cache.glob("duckdb_2k_*.duckdb")) and list(cache.glob("sqlite_2k_*.db"))

    # bench.ab on the same tiny store: this tree, in a process of its own, agrees with the
    # benchmark on every floor trial's eligible count.
    (store,) = cache.glob("duckdb_2k_*.duckdb")
    duck = next(r for r in doc["runs"] if r["engine"] == "duckdb")
    ab = measure(Path(__file__).resolve().parents[2], f"duckdb:///{store}", 1)
    assert {t: m["eligible"] for t, m in ab.items()} == {
        t: duck["feasibility"][t]["answer"] for t in FLOOR_TRIALS}
    assert all(m["dart"] > 0 and m["floor"] > 0 for m in ab.values())
