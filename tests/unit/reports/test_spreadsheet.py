"""CSV exports escape every cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pytest

from dart.reports.spreadsheet import csv_text, safe_cell
from dashboards.workbench.model import from_json, to_csv
from tests.unit.dashboards.fake import FEASIBILITY

HOSTILE = ['=HYPERLINK("http://x.example","click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1",
           "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_cells_become_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Adults", "a=b", "", 5, -3, 2.5, None])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == value  # negative numbers stay numbers


def test_csv_text_escapes_header_and_rows():
    rows = list(csv.reader(io.StringIO(csv_text(["=a", "b"], [["@c", 1], ["d", -1]]))))
    assert rows == [["'=a", "b"], ["'@c", "1"], ["d", "-1"]]


def test_the_workbench_export_escapes_rule_labels():
    data = {**FEASIBILITY, "funnel": [{"label": HOSTILE[0], "kind": "include",
                                       "remaining": 200, "suppressed": False}]}
    rows = list(csv.DictReader(io.StringIO(to_csv(from_json(data)))))
    funnel = [r for r in rows if r["section"] == "funnel"]  # after the base population
    assert funnel[1]["label"] == "'" + HOSTILE[0] and funnel[1]["count"] == "200"
