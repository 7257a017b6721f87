"""Tiny OMOP CDM stores written as text tables (like ``tests.support.tables``).

Left-out required columns take defaults: a woman born 1970 (race white) at care site 1
(London, England), observed from 2000-01-01 to the extract date 2026-06-30 unless the text
has ``observation_period`` rows for her; every record's type concept is EHR and its concept
ids 0 unless given. ``concept`` rows default to the SNOMED vocabulary.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import sqlalchemy as sa

from dart.sources.omop_cdm import metadata

EXTRACT_DATE = dt.date(2026, 6, 30)
EHR = 32817
DEFAULTS = {
    "person": {"gender_concept_id": 8532, "year_of_birth": 1970, "race_concept_id": 8527,
               "ethnicity_concept_id": 0, "care_site_id": 1},
    "concept": {"concept_name": "a concept", "domain_id": "Condition", "vocabulary_id": "SNOMED",
                "concept_class_id": "Clinical Finding", "standard_concept": "S",
                "valid_start_date": dt.date(1970, 1, 1), "valid_end_date": dt.date(2099, 12, 31)},
    "death": {"death_type_concept_id": EHR},
}


def _convert(column: sa.Column, text: str):
    if text == "":
        return None
    if isinstance(column.type, sa.DateTime):
        return dt.datetime.fromisoformat(text)
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat(text)
    if isinstance(column.type, sa.Integer):
        return int(text)
    if isinstance(column.type, sa.Numeric):
        return float(text)
    return text


def _fill(name: str, rows: list[dict]) -> None:
    table = metadata.tables[name]
    for n, row in enumerate(rows, start=1):
        for key, value in DEFAULTS.get(name, {}).items():
            row.setdefault(key, value)
        for col in table.columns:
            if col.nullable or col.name in row:
                continue
            if col.name == f"{name}_id":
                row[col.name] = n
            elif col.name.endswith("type_concept_id"):
                row[col.name] = EHR
            elif col.name.endswith("concept_id"):
                row[col.name] = 0
            elif col.name.endswith("end_date") and name == "drug_exposure":
                row[col.name] = row["drug_exposure_start_date"]


def load_omop(engine: sa.Engine, text: str, extract_date: dt.date = EXTRACT_DATE) -> None:
    """Create the CDM's tables at ``engine`` and write the text tables, with defaults."""
    tables: dict[str, list[dict]] = {}
    blocks = [b for b in textwrap.dedent(text).strip().split("\n\n") if b.strip()]
    for block in blocks:
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
        name, header, rows = lines[0], lines[1], lines[2:]
        cols = [c.strip() for c in header.split("|")]
        table = metadata.tables[name]
        tables.setdefault(name, []).extend(
            {c: _convert(table.c[c], v.strip()) for c, v in zip(cols, row.split("|"),
                                                               strict=True)}
            for row in rows)
    people = tables.setdefault("person", [])
    observed = {r["person_id"] for r in tables.get("observation_period", [])}
    tables.setdefault("observation_period", []).extend(
        {"person_id": p["person_id"], "observation_period_start_date": dt.date(2000, 1, 1),
         "observation_period_end_date": extract_date}
        for p in people if p["person_id"] not in observed)
    if "care_site" not in tables:
        tables["care_site"] = [{"care_site_id": 1, "care_site_name": "Test practice 1",
                                "location_id": 1, "care_site_source_value": "T00001"}]
        tables["location"] = [{"location_id": 1, "state": "London",
                               "country_source_value": "England"}]
    tables["cdm_source"] = [{
        "cdm_source_name": "test", "cdm_source_abbreviation": "test", "cdm_holder": "test",
        "source_release_date": extract_date, "cdm_release_date": extract_date,
        "cdm_version_concept_id": 756265, "vocabulary_version": "test"}]
    for name, rows in tables.items():
        _fill(name, rows)
    metadata.drop_all(engine)  # a test may load several stores in turn
    metadata.create_all(engine)
    with engine.begin() as conn:
        for name, rows in tables.items():
            if rows:
                conn.execute(metadata.tables[name].insert(), rows)
