"""``dart generate --source omop``: a synthetic OMOP CDM v5.4 store.

The native generator makes the patients (same seed, same people), into a scratch DuckDB
file; they are then written as an OMOP ETL would place them, with deliberate variety so
that every mapping rule is exercised: records under their source concept only, their
standard concept only, or both; coded records without a value spread over
``condition_occurrence``, ``observation`` and ``procedure_occurrence``, those with a value
in ``measurement`` (some in ``observation``); birth dates as ``birth_datetime`` or as year,
month and day; ethnic groups as race concepts or as ``race_source_value``. Opted-out
patients are left out, as they are before data reach a CDM.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zlib
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from dart.sources import omop
from dart.sources.omop_cdm import CDM_VERSION, metadata, t
from dart.store.codelists import load_library
from dart.store.engine import open_engine
from dart.store.generate import GenerationSummary, generate

EHR = 32817  # type concept "EHR"
EHR_PRESCRIPTION = 32838
CDM_V54 = 756265  # concept "OMOP CDM Version 5.4.0"
CONCEPT_BASE = 2_000_000_000  # concept ids of the synthetic vocabulary (2-billion range:
# OHDSI reserves ids above 2,000,000,000 for local concepts)
RACE_CONCEPTS = {group: concept for concept, group in omop.RACES.items()}
BATCH = 50_000


def _variant(key: str, n: int) -> int:
    """A stable choice among ``n`` for ``key`` (the same on every run and machine)."""
    return zlib.crc32(key.encode()) % n


def _dates(series: pd.Series) -> list:
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in series]


def _read(engine: sa.Engine, table: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text(f"SELECT * FROM {table}"), conn)  # noqa: S608 - our names


def convert(native: dict[str, pd.DataFrame], extract_date: dt.date) -> dict[str, list[dict]]:
    """The OMOP rows for native frames (practice, patient, observation, prescription)."""
    people = native["patient"][~native["patient"]["research_opt_out"].astype(bool)]
    kept = set(people["patient_id"])
    library = load_library()
    terms = {(cl.system, c): cl.terms.get(c)
             for cl in library.values() for c in cl.codes}
    obs = native["observation"][native["observation"]["patient_id"].isin(kept)]
    rx = native["prescription"][native["prescription"]["patient_id"].isin(kept)]
    codes = ([("snomed", c) for c in sorted(set(obs["code"]))]
             + [("dmd", c) for c in sorted(set(rx["code"]))])
    concept_of = {key: CONCEPT_BASE + i for i, key in enumerate(codes, start=1)}
    out: dict[str, list[dict]] = {name: [] for name in metadata.tables}
    out["concept"] = [{"concept_id": 0, "concept_name": "No matching concept",
                       "domain_id": "Metadata", "vocabulary_id": "None",
                       "concept_class_id": "Undefined", "standard_concept": None,
                       "concept_code": "No matching concept",
                       "valid_start_date": dt.date(1970, 1, 1),
                       "valid_end_date": dt.date(2099, 12, 31), "invalid_reason": None}]
    for (system, code), cid in concept_of.items():
        out["concept"].append({
            "concept_id": cid, "concept_name": (terms.get((system, code)) or code)[:255],
            "domain_id": "Drug" if system == "dmd" else "Observation",
            "vocabulary_id": omop.DMD if system == "dmd" else omop.SNOMED,
            "concept_class_id": "VMP" if system == "dmd" else "Clinical Finding",
            "standard_concept": "S", "concept_code": code,
            "valid_start_date": dt.date(1970, 1, 1), "valid_end_date": dt.date(2099, 12, 31),
            "invalid_reason": None})
    for row in native["practice"].itertuples():
        out["location"].append({"location_id": row.practice_id, "state": row.region,
                                "country_source_value": row.nation})
        out["care_site"].append({"care_site_id": row.practice_id, "care_site_name": row.name,
                                 "location_id": row.practice_id,
                                 "care_site_source_value": row.ods_code})
    births = _dates(people["date_of_birth"])
    starts, ends = _dates(people["registration_start"]), _dates(people["registration_end"])
    deaths = _dates(people["date_of_death"])
    for i, row in enumerate(people.itertuples()):
        pid, born, group = int(row.patient_id), births[i], row.ethnicity
        by_concept = group in RACE_CONCEPTS and pid % 4 != 0  # others: the source value
        out["person"].append({
            "person_id": pid, "gender_concept_id": omop.FEMALE if row.sex == "F" else omop.MALE,
            "year_of_birth": born.year, "month_of_birth": born.month, "day_of_birth": born.day,
            "birth_datetime": dt.datetime.combine(born, dt.time()) if pid % 2 else None,
            "race_concept_id": RACE_CONCEPTS[group] if by_concept else 0,
            "ethnicity_concept_id": 0, "care_site_id": int(row.practice_id),
            "gender_source_value": row.sex,
            "race_source_value": None if group == "unknown" else group.title()})
        out["observation_period"].append({
            "observation_period_id": pid, "person_id": pid,
            "observation_period_start_date": starts[i],
            "observation_period_end_date": ends[i] or extract_date,
            "period_type_concept_id": EHR})
        if deaths[i] is not None:
            out["death"].append({"person_id": pid, "death_date": deaths[i],
                                 "death_type_concept_id": EHR})
        if not pd.isna(row.imd_quintile):
            out["observation"].append(_observation(
                len(out["observation"]) + 1, pid, starts[i], 0, 0,
                float(row.imd_quintile), None, omop.IMD_SOURCE_VALUE))
    _records(obs, concept_of, out)
    for n, row in enumerate(rx.itertuples(), start=1):
        cid = concept_of[("dmd", row.code)]
        source, standard = _concepts(cid, n)
        day = pd.Timestamp(row.issue_date).date()
        out["drug_exposure"].append({
            "drug_exposure_id": n, "person_id": int(row.patient_id),
            "drug_concept_id": standard, "drug_exposure_start_date": day,
            "drug_exposure_end_date": day, "drug_type_concept_id": EHR_PRESCRIPTION,
            "quantity": None if pd.isna(row.quantity) else float(row.quantity),
            "drug_source_value": row.code, "drug_source_concept_id": source})
    out["cdm_source"].append({
        "cdm_source_name": "DART synthetic GP records", "cdm_source_abbreviation": "DART",
        "cdm_holder": "DART", "source_release_date": extract_date,
        "cdm_release_date": extract_date, "cdm_version": CDM_VERSION,
        "cdm_version_concept_id": CDM_V54, "vocabulary_version": "DART synthetic"})
    return out


def _concepts(cid: int, n: int) -> tuple[int, int]:
    """(source, standard) concept ids: under the source concept, the standard, or both."""
    return ((cid, 0), (0, cid), (cid, cid))[n % 3]


def _observation(oid, pid, day, concept, source, value, unit, source_value=None) -> dict:
    return {"observation_id": oid, "person_id": pid, "observation_concept_id": concept,
            "observation_date": day, "observation_type_concept_id": EHR,
            "value_as_number": value, "unit_source_value": unit,
            "observation_source_value": source_value, "observation_source_concept_id": source}


def _records(obs: pd.DataFrame, concept_of: dict, out: dict[str, list[dict]]) -> None:
    """Native coded records into the four clinical tables (see the module docstring)."""
    days = _dates(obs["obs_date"])
    for n, row in enumerate(obs.itertuples(), start=1):
        pid, code, day = int(row.patient_id), row.code, days[n - 1]
        source, standard = _concepts(concept_of[("snomed", code)], n)
        value = None if pd.isna(row.value) else float(row.value)
        unit = None if pd.isna(row.unit) else row.unit
        place = _variant(code, 3)
        if value is not None and place != 0:
            out["measurement"].append({
                "measurement_id": n, "person_id": pid, "measurement_concept_id": standard,
                "measurement_date": day, "measurement_type_concept_id": EHR,
                "value_as_number": value, "unit_source_value": unit,
                "measurement_source_value": code, "measurement_source_concept_id": source})
        elif value is not None or place == 1:
            out["observation"].append(_observation(
                len(out["observation"]) + 1, pid, day, standard, source, value, unit, code))
        elif place == 0:
            out["condition_occurrence"].append({
                "condition_occurrence_id": n, "person_id": pid,
                "condition_concept_id": standard, "condition_start_date": day,
                "condition_type_concept_id": EHR, "condition_source_value": code,
                "condition_source_concept_id": source})
        else:
            out["procedure_occurrence"].append({
                "procedure_occurrence_id": n, "person_id": pid,
                "procedure_concept_id": standard, "procedure_date": day,
                "procedure_type_concept_id": EHR, "procedure_source_value": code,
                "procedure_source_concept_id": source})


def write(engine: sa.Engine, rows: dict[str, list[dict]]) -> dict[str, int]:
    """Create every CDM table and insert ``rows``; returns the rows per table."""
    metadata.create_all(engine)
    with engine.begin() as conn:
        for name, records in rows.items():
            for lo in range(0, len(records), BATCH):
                conn.execute(t[name].insert(), records[lo:lo + BATCH])
    return {name: len(records) for name, records in rows.items() if records}


def generate_omop(engine: sa.Engine, patients: int, practices: int | None = None,
                  seed: int = 0, extract_date: dt.date = dt.date(2026, 6, 30),
                  progress: bool = True, flaws: bool = True) -> GenerationSummary:
    """Write an OMOP store at ``engine`` holding the native generator's patients (with the
    same data-quality flaws unless ``flaws`` is false)."""
    from dart.store.engine import StoreError

    if sa.inspect(engine).get_table_names():
        raise StoreError("the OMOP store must be an empty database (DART never overwrites "
                         "a CDM)")
    with tempfile.TemporaryDirectory() as folder:
        scratch = open_engine(f"duckdb:///{Path(folder) / 'native.duckdb'}")
        try:
            summary = generate(scratch, patients, practices, seed=seed,
                               extract_date=extract_date, progress=progress, flaws=flaws)
            frames = {name: _read(scratch, name)
                      for name in ("practice", "patient", "observation", "prescription")}
        finally:
            scratch.dispose()
    counts = write(engine, convert(frames, extract_date))
    return GenerationSummary(summary.patients, summary.practices, seed, extract_date, counts,
                             summary.seconds)
