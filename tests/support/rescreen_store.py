"""A hand-built store for rescreening and reasons, on every engine.

Index date D2 = 2026-06-30 (the extract date); the earlier date D1 = 2026-01-31.
Criteria: aged 40+, type 2 diabetes ever, (latest HbA1c in 12 months >= 58 or first AF in
12 months), metformin in 6 months.

Practice 1:
1. eligible at both dates: HbA1c 50 (2025-09-01) then 72 (2026-03-01); first AF 2025-11-02
   (in the 12 months to D1 and to D2); metformin 2026-01-10 and 2026-05-10.
2. eligible at both: HbA1c 80 (2026-01-01) then 50 (2026-04-01): at D2 the latest fails, so
   the first AF on 2025-10-01 is the reason; metformin 2025-12-01 and 2026-06-01.
3. new: first AF 2024-01-01 (outside both windows); HbA1c 60 first recorded 2026-02-01.
4. new: turns 40 on 2026-03-15 (born 1986-03-15); everything else before D1.
5. new: diagnosed with type 2 diabetes on 2026-03-01.
6. left the practice on 2026-04-01: eligible at D1 only (never new, never listed).
Practice 2: 7 eligible at both (as 4, born 1970); 8 new (as 4: turns 40).
"""

from __future__ import annotations

import datetime as dt

from dart.recruitment.studies import approve_study, create_study
from dart.store.app_tables import ensure_app_tables
from tests.support.tables import load_tables

D1 = dt.date(2026, 1, 31)
D2 = dt.date(2026, 6, 30)
TODAY = dt.date(2026, 7, 15)
CRITERIA = """study "Diabetes"
include "Aged 40 or over": age >= 40
include "Type 2 diabetes": has t2dm
include "Poor control or new AF": latest hba1c within 12 months >= 58 mmol/mol
    or first af within 12 months
include "On metformin": has metformin within 6 months
"""
T2DM, HBA1C, AF, PAF, METFORMIN = "44054006", "999791000000106", "49436004", "282825002", \
    "325278007"
HBA1C_TERM = "Haemoglobin A1c level - IFCC standardised"


def _person(pid: int, hba1c: str = "2025-12-01", af: str | None = None) -> list[str]:
    rows = [f"{pid} | 2018-01-01 | {T2DM} | |", f"{pid} | {hba1c} | {HBA1C} | 70 | mmol/mol"]
    return rows + ([f"{pid} | {af} | {AF} | |"] if af else [])


STORE = "\n".join([
    "patient",
    "patient_id | practice_id | date_of_birth | registration_end",
    "1 | 1 | 1960-05-01 |", "2 | 1 | 1980-01-01 |", "3 | 1 | 1970-01-01 |",
    "4 | 1 | 1986-03-15 |", "5 | 1 | 1970-01-01 |", "6 | 1 | 1960-05-01 | 2026-04-01",
    "7 | 2 | 1970-01-01 |", "8 | 2 | 1986-03-15 |",
    "",
    "observation",
    "patient_id | obs_date | code | value | unit",
    f"1 | 2015-03-01 | {T2DM} | |", f"1 | 2025-09-01 | {HBA1C} | 50 | mmol/mol",
    f"1 | 2026-03-01 | {HBA1C} | 72 | mmol/mol", f"1 | 2025-11-02 | {PAF} | |",
    f"2 | 2020-01-01 | {T2DM} | |", f"2 | 2026-01-01 | {HBA1C} | 80 | mmol/mol",
    f"2 | 2026-04-01 | {HBA1C} | 50 | mmol/mol", f"2 | 2025-10-01 | {AF} | |",
    f"3 | 2019-01-01 | {T2DM} | |", f"3 | 2024-01-01 | {AF} | |",
    f"3 | 2026-01-01 | {AF} | |", f"3 | 2026-02-01 | {HBA1C} | 60 | mmol/mol",
    *_person(4), *_person(7), *_person(8),
    f"5 | 2026-03-01 | {T2DM} | |", f"5 | 2026-03-01 | {HBA1C} | 65 | mmol/mol",
    f"6 | 2015-03-01 | {T2DM} | |", f"6 | 2025-11-02 | {PAF} | |",
    "",
    "prescription",
    "patient_id | issue_date | code",
    f"1 | 2026-01-10 | {METFORMIN}", f"1 | 2026-05-10 | {METFORMIN}",
    f"2 | 2025-12-01 | {METFORMIN}", f"2 | 2026-06-01 | {METFORMIN}",
    f"3 | 2026-06-15 | {METFORMIN}", f"4 | 2026-01-15 | {METFORMIN}",
    f"5 | 2026-03-05 | {METFORMIN}", f"6 | 2026-01-10 | {METFORMIN}",
    f"7 | 2026-01-15 | {METFORMIN}", f"8 | 2026-01-15 | {METFORMIN}",
])


def approved_study(store, tables: str, criteria: str, title: str):
    """``tables`` loaded into the store and ``criteria`` as approved study 1."""
    load_tables(store, tables)
    ensure_app_tables(store)
    create_study(store, owner_id=1, title=title, criteria_text=criteria)
    return approve_study(store, 1, admin_id=2)
