"""Counting only acceptable patients of up-to-standard practices, on every engine.

Extract date 2026-06-30; each practice has a "recorder" (patients 1, 2, 3) with a record on
the 15th of each month listed, which sets the practice's up-to-standard date
(docs/profile.md): practice 1 records 2024-07 to 2026-06 (up to standard from 2024-07-01);
practice 2 stopped after 2025-12 (flagged stopped: never up to standard); practice 3 records
from 2025-06 (up to standard from 2025-06-01: on the extract date, not on 2025-03-31).

Besides its recorder, practice 1 holds: 11, acceptable; 12, a record dated before birth;
13, registered before birth; 14, sex U; 15, born 1900 (aged 126). Practice 2 holds 21,
practice 3 holds 31 (both acceptable). Everyone is an adult, so eligible = base.
Whole base: 10. Restricted on 2026-06-30: 1, 11 (practice 1), 3, 31 (practice 3) = 4; on
2025-03-31: 1 and 11 only.
"""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from dart.analysis.feasibility import run_feasibility
from dart.cli import main
from dart.store.codelists import CodelistLibrary
from tests.support.tables import load_tables
from tests.unit.analysis.profile.test_practices import months

CRITERIA = 'include "Adult": age >= 18\n'
RECORDED = {1: months("2024-07", "2026-06"), 2: months("2024-07", "2025-12"),
            3: months("2025-06", "2026-06")}
STORE = "\n".join([
    "patient",
    "patient_id | practice_id | sex | date_of_birth | registration_start",
    "1 | 1 | F | 1970-01-01 | 2000-01-01", "2 | 2 | F | 1970-01-01 | 2000-01-01",
    "3 | 3 | F | 1970-01-01 | 2000-01-01",
    "11 | 1 | M | 1980-01-01 | 2000-01-01", "12 | 1 | F | 1990-01-01 | 2000-01-01",
    "13 | 1 | F | 2000-05-01 | 2000-01-01", "14 | 1 | U | 1980-01-01 | 2000-01-01",
    "15 | 1 | F | 1900-01-01 | 2000-01-01",
    "21 | 2 | F | 1980-01-01 | 2000-01-01", "31 | 3 | F | 1980-01-01 | 2000-01-01",
    "",
    "observation",
    "patient_id | obs_date | code",
    *(f"{p} | {m}-15 | 44054006" for p, ms in RECORDED.items() for m in ms),
    "12 | 1985-06-01 | 44054006",
])
LIBRARY = CodelistLibrary({})


def practices(result) -> dict[str, int]:
    return {c.group: c.count for c in result.breakdowns["practice"] if c.count}


def test_the_restricted_base_and_funnel(store):
    load_tables(store, STORE)
    everyone = run_feasibility(store, CRITERIA, LIBRARY)
    assert (everyone.base, everyone.eligible) == (10, 10)
    assert "restriction" not in everyone.to_json()
    kept = run_feasibility(store, CRITERIA, LIBRARY, up_to_standard=True)
    assert (kept.base, kept.eligible) == (4, 4)
    assert [(s.remaining, s.dropped) for s in kept.funnel] == [(4, 0)]
    assert practices(kept) == {"T00001": 2, "T00003": 2}
    assert kept.to_json()["restriction"] == {
        "up_to_standard": True, "practices_kept": 2, "practices_left_out": ["T00002"],
        "base": "acceptable patients of practices up to standard on the index date "
                "(docs/profile.md)"}


def test_a_practice_not_yet_up_to_standard_on_the_index_date(store):
    load_tables(store, STORE)
    early = run_feasibility(store, CRITERIA, LIBRARY, index_date=dt.date(2025, 3, 31),
                            up_to_standard=True)
    assert early.base == 2 and practices(early) == {"T00001": 2}
    assert early.to_json()["restriction"]["practices_left_out"] == ["T00002", "T00003"]


def test_dart_count_up_to_standard(store, store_url, tmp_path):
    load_tables(store, STORE)
    store.dispose()
    path = tmp_path / "adults.criteria"
    path.write_text(CRITERIA)
    args = ["count", str(path), "--db", store_url, "--no-suppression", "--up-to-standard"]
    body = json.loads(CliRunner().invoke(main, [*args, "--json", "--show-sql"]).output)
    assert body["base"] == 4 and body["restriction"]["practices_left_out"] == ["T00002"]
    assert "acceptable_patients" in body["sql"]  # the SQL shown is the SQL that ran
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "not opted out; acceptable patients of" in text.output
    assert "Practices left out (not up to standard): T00002" in text.output
