"""``dart check`` and ``dart count`` end to end on a tiny SQLite store."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dart.analysis.disclosure import DisclosurePolicy, record_keys
from dart.cli import main
from dart.store.engine import create_store, open_engine
from tests.support.tables import load_tables

CRITERIA = """\
study "CLI test"
include "Adults": age >= 18
include "Type 2 diabetes": has t2dm
screen "Willing to take part"
"""

# 30 adults (1-30), of whom 1-20 have type 2 diabetes; 3 children (31-33) with it too.
# Base 33; after Adults 30; after T2DM 20 = eligible. Unique impact: Adults 3, T2DM 10.
PATIENTS = "\n".join(
    [f"{i} | 1970-01-01" for i in range(1, 31)] + [f"{i} | 2015-01-01" for i in (31, 32, 33)])
OBSERVATIONS = "\n".join(f"{i} | 2015-01-01 | 44054006" for i in (*range(1, 21), 31, 32, 33))
STORE = f"""
patient
patient_id | date_of_birth
{PATIENTS}

observation
patient_id | obs_date | code
{OBSERVATIONS}
"""


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.db'}"
    engine = open_engine(url)
    create_store(engine)
    load_tables(engine, STORE)
    engine.dispose()
    return url


@pytest.fixture
def criteria_file(tmp_path):
    path = tmp_path / "trial.criteria"
    path.write_text(CRITERIA)
    return path


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_check_ok(criteria_file):
    result = run("check", criteria_file)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK ") and len(result.stdout.splitlines()) == 1


def test_check_error_shows_position_line_and_caret(tmp_path):
    bad = tmp_path / "t2d.criteria"
    bad.write_text('study "x"\ninclude "HbA1c": latest hba1c within 12 months between and 110\n')
    result = run("check", bad)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad}:2:")
    assert lines[1] == 'include "HbA1c": latest hba1c within 12 months between and 110'
    assert lines[2].strip() == "^"
    assert "Traceback" not in result.output


def test_check_unknown_name(tmp_path):
    bad = tmp_path / "typo.criteria"
    bad.write_text("include: has t2dmm\n")
    result = run("check", bad)
    assert result.exit_code == 1
    assert ":1:" in result.stderr and "t2dm" in result.stderr


def test_unknown_practice_is_an_error_of_check_and_count_with_a_store(tmp_path, db_url):
    # The store's practices are the text tables' defaults (T00001, ...): without a store
    # `dart check` cannot know the code; with one, check and count both refuse it.
    bad = tmp_path / "practice.criteria"
    bad.write_text('study "x"\ninclude "Here": practice in (T00001, Z99999)\n')
    assert run("check", bad).exit_code == 0
    for args in (("check", bad, "--db", db_url), ("count", bad, "--db", db_url)):
        result = run(*args)
        assert result.exit_code == 1, result.output
        assert f"{bad}:2:38:" in result.stderr and "Z99999" in result.stderr
        assert "Traceback" not in result.output


def test_unreadable_file(tmp_path):
    result = run("check", tmp_path / "missing.criteria")
    assert result.exit_code == 1
    assert "cannot read" in result.output and "Traceback" not in result.output


def test_count_json_with_disclosure(criteria_file, db_url):
    result = run("count", criteria_file, "--db", db_url, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"study", "index_date", "base", "eligible", "funnel", "unique_impact",
            "breakdowns", "screens", "population", "disclosure"} <= set(data)
    policy, keys = DisclosurePolicy(), record_keys()

    def published(ids) -> int | None:  # the engine's rule on the same patients' keys
        ids = list(ids)
        return policy.disclose(len(ids), sum(keys.of(i) for i in ids))

    eligible = range(1, 21)
    assert (data["base"], data["eligible"]) == (published(range(1, 34)), published(eligible))
    # The funnel from its drops: eligible, then + the 10 adults without diabetes
    assert [s["remaining"] for s in data["funnel"]] == [
        data["eligible"] + published(range(21, 31)), data["eligible"]]
    assert data["funnel"][0]["dropped"] is None  # the 3 children: "<8"
    assert data["unique_impact"][0] == {"label": "Adults", "kind": "include", "count": None,
                                        "suppressed": True}  # 3 children
    assert data["unique_impact"][1]["count"] == published(range(21, 31))
    assert data["screens"] == ["Willing to take part"]
    assert data["disclosure"] == {"method": "cell key perturbation", "threshold": 7,
                                  "marker": "<8", "max_perturbation": 4, "applied": True,
                                  "breakdowns_withheld": False}
    assert data["opt_outs"] is None  # nobody opted out: a true zero is "<8" too


def test_count_no_suppression(criteria_file, db_url):
    result = run("count", criteria_file, "--db", db_url, "--json", "--no-suppression")
    data = json.loads(result.stdout)
    assert (data["base"], data["eligible"], data["population"]) == (33, 20, 33)
    assert [r["count"] for r in data["unique_impact"]] == [3, 10]
    assert data["disclosure"]["applied"] is False


def test_count_human_output(criteria_file, db_url):
    result = run("count", criteria_file, "--db", db_url)
    assert result.exit_code == 0, result.output
    for text in ("CLI test", "Funnel", "Type 2 diabetes", "<8", "Eligible by age band",
                 "Willing to take part", "Disclosure control"):
        assert text in result.stdout, text


def test_count_explain_and_sql(criteria_file, db_url):
    result = run("count", criteria_file, "--db", db_url, "--explain", "--show-sql")
    assert result.exit_code == 0, result.output
    assert 'include "Adults"' in result.stdout
    # The statement feasibility runs: the split rules (baseline, recorded) and the patterns.
    assert "SELECT" in result.stdout and "baseline" in result.stdout
    assert "_pattern" in result.stdout
    data = json.loads(run("count", criteria_file, "--db", db_url, "--json", "--explain",
                          "--show-sql").stdout)
    assert data["explanation"][0].startswith('include "Adults"')
    assert "'44054006'" in data["sql"]  # literal values, for display
    # ... but never the record-key coefficients of the secret the counts used
    assert not any(str(c) in data["sql"] for c in record_keys().coefficients)
    assert "placeholders" in data["sql"]


@pytest.mark.parametrize("url", ["nosuch://x", "not a url"])
def test_bad_db_url(criteria_file, url):
    result = run("count", criteria_file, "--db", url)
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and "Traceback" not in result.output


def test_not_a_store(criteria_file, tmp_path):
    (tmp_path / "empty.db").touch()  # an SQLite file with no tables (a missing one: no store)
    result = run("count", criteria_file, "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.exit_code == 1 and "not a DART store" in result.stderr
