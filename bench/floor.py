"""THE FLOOR: for three example trials, one hand-written SQL query counting only the eligible.

This is what an expert would write by hand for one number and nothing else: the base
population filtered on the patient table, then ``EXISTS`` / ``NOT EXISTS`` semi-joins for
each record rule and one window function per "latest value" rule. It is portable SQL (the
same text on SQLite, DuckDB and PostgreSQL), with every date bound computed in Python from
the index date exactly as DART does, so the counts must agree with DART's ``eligible``; the
benchmark checks that they do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from dart.compiler.dates import birth_cutoff, months_back
from dart.store.codelists import load_library

INDEX = dt.date(2026, 6, 30)  # the files' index date, or the bench stores' extract date

BASE = """
    p.registration_start <= :idx
    AND (p.registration_end IS NULL OR p.registration_end > :idx)
    AND (p.date_of_death IS NULL OR p.date_of_death > :idx)
    AND p.research_opt_out = false
"""


def _has(table: str, codes: str, start: str | None = None) -> str:
    date = "obs_date" if table == "observation" else "issue_date"
    low = f" AND x.{date} >= :{start}" if start else ""
    return (f"EXISTS (SELECT 1 FROM {table} x WHERE x.patient_id = p.patient_id "
            f"AND x.code IN :{codes} AND x.{date} <= :idx{low})")


def _latest(codes: str, start: str, test: str) -> str:
    """Patients whose latest value in [start, idx] passes ``test`` (ties: the highest)."""
    return f"""p.patient_id IN (
        SELECT patient_id FROM (
            SELECT patient_id, value, row_number() OVER (
                PARTITION BY patient_id ORDER BY obs_date DESC, value DESC) AS rn
            FROM observation
            WHERE code IN :{codes} AND value IS NOT NULL
              AND obs_date >= :{start} AND obs_date <= :idx) latest
        WHERE rn = 1 AND {test})"""


def _count(table: str, codes: str, start: str, n: int) -> str:
    date = "obs_date" if table == "observation" else "issue_date"
    return f"""p.patient_id IN (
        SELECT patient_id FROM {table}
        WHERE code IN :{codes} AND {date} >= :{start} AND {date} <= :idx
        GROUP BY patient_id HAVING count(*) >= {n})"""


INVITED_6M = ("EXISTS (SELECT 1 FROM invitation i WHERE i.patient_id = p.patient_id "
              "AND i.invited_on >= :m6 AND i.invited_on <= :idx)")

SQL: dict[str, str] = {
    "t2dm_sglt2i": f"""
SELECT count(*) FROM patient p
WHERE {BASE}
  AND p.date_of_birth <= :age40 AND p.date_of_birth > :age81
  AND p.registration_start <= :m12
  AND {_has("observation", "t2dm")}
  AND {_latest("hba1c", "m12", "value >= 58 AND value <= 110")}
  AND {_count("prescription", "metformin", "m6", 2)}
  AND NOT {_has("observation", "t1dm")}
  AND NOT {_latest("egfr", "m12", "value < 30")}
  AND NOT {_has("prescription", "insulin", "m12")}
  AND NOT {_has("observation", "pregnancy", "m9")}
  AND NOT {INVITED_6M}
""",
    "hypertension_uncontrolled": f"""
SELECT count(*) FROM patient p
WHERE {BASE}
  AND p.date_of_birth <= :age40 AND p.date_of_birth > :age80
  AND {_has("observation", "hypertension")}
  AND {_latest("systolic_bp", "m12", "value >= 140 AND value <= 179")}
  AND {_count("prescription", "antihypertensives", "m6", 2)}
  AND NOT {_has("observation", "heart_failure")}
  AND NOT {_latest("egfr", "m12", "value < 45")}
  AND NOT {_has("observation", "stroke_tia", "m6")}
  AND NOT {_has("observation", "pregnancy", "m9")}
""",
    "af_anticoagulation": f"""
SELECT count(*) FROM patient p
WHERE {BASE}
  AND p.date_of_birth <= :age65
  AND {_has("observation", "af")}
  AND NOT {_has("prescription", "anticoagulants", "m6")}
  AND NOT {_has("observation", "stroke_tia", "m3")}
  AND NOT {_has("observation", "dementia")}
  AND NOT {_latest("egfr", "m12", "value < 15")}
""",
}
"""The three trials with a floor query, by criteria file name (sample_data/criteria/)."""

FLOOR_TRIALS = tuple(SQL)


@dataclass(frozen=True)
class FloorQuery:
    """A floor query ready to run: text with typed parameters."""

    trial: str
    statement: sa.TextClause


def floor_query(trial: str, index: dt.date = INDEX) -> FloorQuery:
    """The floor query of ``trial`` with its dates and code lists bound."""
    library = load_library()
    dates = {"idx": index, "m3": months_back(index, 3), "m6": months_back(index, 6),
             "m9": months_back(index, 9), "m12": months_back(index, 12)}
    for years in (40, 65, 80, 81):
        dates[f"age{years}"] = birth_cutoff(index, years)
    text = SQL[trial]
    params = [sa.bindparam(k, v, type_=sa.Date) for k, v in dates.items() if f":{k}" in text]
    params += [sa.bindparam(name, tuple(cl.codes), expanding=True)
               for name, cl in library.items() if f":{name} " in text or f":{name})" in text]
    return FloorQuery(trial, sa.text(text).bindparams(*params))


def run_floor(engine: sa.Engine, query: FloorQuery) -> int:
    """The eligible count by the floor query."""
    with engine.connect() as conn:
        return int(conn.execute(query.statement).scalar_one())


SCAN = sa.text("SELECT (SELECT count(*) FROM observation WHERE code <> '') + "
               "(SELECT count(*) FROM prescription WHERE code <> '')")
"""A plain scan: every record's code read once, nothing joined or grouped (what a code-set
filter must read at the least; a test on a column without NULLs, or a bare ``count(*)``,
DuckDB answers from its column statistics without reading the rows)."""


def run_scan(engine: sa.Engine) -> int:
    """The number of records, by the plain scan."""
    with engine.connect() as conn:
        return int(conn.execute(SCAN).scalar_one())
