"""THE PEER BASELINE: the floor trials' eligible count the plain pandas way, without DART.

What an analyst does in a notebook: ``pd.read_sql`` the patient table and the rows of the
code lists the trial needs (the ``code IN (...)`` filter is pushed into SQL, which is the
generous reading: loading whole tables would be slower still), then filter, ``groupby`` and
``merge`` in pandas. The rules mirror ``bench.floor`` one for one, so the counts must agree.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from bench.floor import INDEX
from dart.compiler.dates import birth_cutoff, months_back
from dart.store.codelists import load_library

# (include?, kind, code set, months back or None, test on the value or minimum count)
Rule = tuple[bool, str, str, int | None, object]

RULES: dict[str, dict] = {
    "t2dm_sglt2i": {
        "age": (40, 80), "registered_months": 12,
        "rules": [
            (True, "has", "t2dm", None, None),
            (True, "latest", "hba1c", 12, lambda v: (v >= 58) & (v <= 110)),
            (True, "count", "metformin", 6, 2),
            (False, "has", "t1dm", None, None),
            (False, "latest", "egfr", 12, lambda v: v < 30),
            (False, "has", "insulin", 12, None),
            (False, "has", "pregnancy", 9, None),
            (False, "invited", None, 6, None),
        ],
    },
    "hypertension_uncontrolled": {
        "age": (40, 79), "registered_months": None,
        "rules": [
            (True, "has", "hypertension", None, None),
            (True, "latest", "systolic_bp", 12, lambda v: (v >= 140) & (v <= 179)),
            (True, "count", "antihypertensives", 6, 2),
            (False, "has", "heart_failure", None, None),
            (False, "latest", "egfr", 12, lambda v: v < 45),
            (False, "has", "stroke_tia", 6, None),
            (False, "has", "pregnancy", 9, None),
        ],
    },
    "af_anticoagulation": {
        "age": (65, None), "registered_months": None,
        "rules": [
            (True, "has", "af", None, None),
            (False, "has", "anticoagulants", 6, None),
            (False, "has", "stroke_tia", 3, None),
            (False, "has", "dementia", None, None),
            (False, "latest", "egfr", 12, lambda v: v < 15),
        ],
    },
}


def _records(conn: sa.Connection, system: str, codes: list[str],
             index: dt.date) -> pd.DataFrame:
    if system == "snomed":
        sql = ("SELECT patient_id, obs_date AS d, code, value FROM observation "
               "WHERE code IN :codes AND obs_date <= :idx")
    else:
        sql = ("SELECT patient_id, issue_date AS d, code FROM prescription "
               "WHERE code IN :codes AND issue_date <= :idx")
    stmt = sa.text(sql).bindparams(sa.bindparam("codes", tuple(codes), expanding=True),
                                   sa.bindparam("idx", index, type_=sa.Date))
    frame = pd.read_sql(stmt, conn)
    frame["d"] = pd.to_datetime(frame["d"])
    return frame


def _base(conn: sa.Connection, index: dt.date) -> pd.DataFrame:
    frame = pd.read_sql(sa.text(
        "SELECT patient_id, date_of_birth, registration_start, registration_end, "
        "date_of_death, research_opt_out FROM patient"), conn)
    for col in ("date_of_birth", "registration_start", "registration_end", "date_of_death"):
        frame[col] = pd.to_datetime(frame[col])
    on = pd.Timestamp(index)
    alive = frame["date_of_death"].isna() | (frame["date_of_death"] > on)
    registered = (frame["registration_start"] <= on) & (
        frame["registration_end"].isna() | (frame["registration_end"] > on))
    return frame[alive & registered & ~frame["research_opt_out"].astype(bool)]


def _matching(rule: Rule, records: pd.DataFrame, index: dt.date) -> pd.Series:
    """The patient ids for which the rule's condition holds."""
    _, kind, _, months, test = rule
    on = pd.Timestamp(index)
    rows = records
    if months is not None:
        rows = rows[rows["d"] >= pd.Timestamp(months_back(index, months))]
    rows = rows[rows["d"] <= on]
    if kind in ("has", "invited"):
        return rows["patient_id"].drop_duplicates()
    if kind == "count":
        sizes = rows.groupby("patient_id").size()
        return pd.Series(sizes[sizes >= test].index.to_numpy())
    rows = rows[rows["value"].notna()].sort_values(["patient_id", "d", "value"])
    latest = rows.groupby("patient_id").tail(1)
    return latest.loc[test(latest["value"]), "patient_id"]


def run_peer(engine: sa.Engine, trial: str, index: dt.date = INDEX) -> int:
    """The eligible count of ``trial`` computed in pandas."""
    spec, library = RULES[trial], load_library()
    with engine.connect() as conn:
        people = _base(conn, index)
        low, high = spec["age"]
        people = people[people["date_of_birth"] <= pd.Timestamp(birth_cutoff(index, low))]
        if high is not None:
            people = people[people["date_of_birth"]
                            > pd.Timestamp(birth_cutoff(index, high + 1))]
        if spec["registered_months"]:
            since = pd.Timestamp(months_back(index, spec["registered_months"]))
            people = people[people["registration_start"] <= since]
        cohort = people[["patient_id"]]
        for rule in spec["rules"]:
            include, kind, name = rule[0], rule[1], rule[2]
            if kind == "invited":
                records = pd.read_sql(sa.text(
                    "SELECT patient_id, invited_on AS d FROM invitation"), conn)
                records["d"] = pd.to_datetime(records["d"])
            else:
                records = _records(conn, library[name].system, list(library[name].codes),
                                   index)
            ids = pd.DataFrame({"patient_id": _matching(rule, records, index).to_numpy()})
            merged = cohort.merge(ids, on="patient_id", how="left", indicator=True)
            keep = merged["_merge"] == "both" if include else merged["_merge"] == "left_only"
            cohort = merged.loc[keep, ["patient_id"]]
    return len(cohort)
