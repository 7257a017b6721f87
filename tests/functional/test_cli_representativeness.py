"""``dart representativeness``: text, JSON and HTML, with small groups suppressed in each."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from dart.cli import main
from tests.support.tables import load_tables

CRITERIA = 'population "Adults": age >= 18\ninclude "Adults": age >= 18\n'

# 40 white and 3 mixed adult women, all eligible: the 3 are suppressed (1..7) everywhere,
# and so, by secondary suppression, is the next-smallest published ethnic group cell.


def _setup(store, tmp_path):
    rows = [f"{i} | white" for i in range(1, 41)] + [f"{i} | mixed" for i in range(41, 44)]
    load_tables(store, "patient\npatient_id | ethnicity\n" + "\n".join(rows))
    path = tmp_path / "t.criteria"
    path.write_text(CRITERIA)
    return str(path), store.url.render_as_string(hide_password=False)


def test_json_and_html_suppress_small_groups(store, tmp_path):
    path, url = _setup(store, tmp_path)
    out = tmp_path / "report.html"
    res = CliRunner().invoke(main, ["representativeness", path, "--db", url, "--json",
                                    "--html", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    eth = next(d for d in data["dimensions"] if d["key"] == "ethnicity")
    mixed = next(g for g in eth["groups"] if g["group"] == "mixed")
    assert mixed["cohort"] == {"count": None, "share": None, "suppressed": True,
                               "structural": False}
    assert all(r["ratio"] is None for r in mixed["ratios"].values())
    html = out.read_text()
    row = re.search(r"<tr><td>Mixed</td>(.*?)</tr>", html).group(1)
    assert re.findall(r"<td>(.*?)</td>", row)[:2] == ["&lt;8", ""]
    assert "Plotly.newPlot" in html and 'src="http' not in html


def test_text_output_and_no_suppression(store, tmp_path):
    path, url = _setup(store, tmp_path)
    res = CliRunner().invoke(main, ["representativeness", path, "--db", url])
    assert res.exit_code == 0, res.output
    mixed = next(ln for ln in res.output.splitlines() if ln.startswith("Mixed "))
    assert mixed.split()[1] == "<8" and "3" not in mixed.split()[1:3]
    exact = CliRunner().invoke(main, ["representativeness", path, "--db", url, "--json",
                                      "--no-suppression"])
    data = json.loads(exact.output)
    eth = next(d for d in data["dimensions"] if d["key"] == "ethnicity")
    assert next(g for g in eth["groups"] if g["group"] == "mixed")["cohort"]["count"] == 3


def test_bad_criteria_is_a_message_not_a_traceback(store, tmp_path):
    _, url = _setup(store, tmp_path)
    bad = tmp_path / "bad.criteria"
    bad.write_text("include age >= \n")
    res = CliRunner().invoke(main, ["representativeness", str(bad), "--db", url])
    assert res.exit_code == 1 and "Traceback" not in res.output
