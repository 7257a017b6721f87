"""Tiny stores written as text tables, so a test reads like the data it describes.

    load_tables(engine, '''
        patient
        patient_id | date_of_birth | sex
        1          | 1960-05-01    | F
        2          | 2001-02-28    | M

        observation
        patient_id | obs_date   | code     | value
        1          | 2026-01-10 | 44054006 |
    ''')

Columns left out take the defaults below (a registered, living, consenting patient of
practice 1 in London); an empty cell is NULL. Practice 1 (and any practice a patient names)
is created unless the text has a ``practice`` table. ``store_info`` gets an extract date.
A block may also be one of DART's own tables (``recruitment_status``): those live in the
application database, apart from the store (``load_app_tables``); ``load_tables`` leaves
them out of the store.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import sqlalchemy as sa

from dart.store.app_tables import app_metadata, ensure_app_tables
from dart.store.schema import metadata

TABLES = {**metadata.tables, **app_metadata.tables}
"""Every table a text table may name: the store's and the application database's."""

EXTRACT_DATE = "2026-06-30"

PATIENT_DEFAULTS = {
    "sex": "F",
    "ethnicity": "white",
    "imd_quintile": 3,
    "registration_start": "2000-01-01",
    "research_opt_out": "false",
    "date_of_birth": "1970-01-01",
}


def nhs_number(seed: int) -> str:
    """A valid synthetic NHS number (999 range) for test patient ``seed``."""
    for n in range(seed * 10, seed * 10 + 10_000):
        body = f"999{n % 10_000_000:06d}"[:9]
        total = sum(int(d) * (10 - i) for i, d in enumerate(body))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return body + str(check)
    raise ValueError(seed)


def _convert(column: sa.Column, text: str):
    if text == "":
        return None
    type_ = column.type
    if isinstance(type_, sa.DateTime):
        return dt.datetime.fromisoformat(text)
    if isinstance(type_, sa.Date):
        return dt.date.fromisoformat(text)
    if isinstance(type_, sa.Boolean):
        return text.lower() in ("true", "t", "yes", "1", "y")
    if isinstance(type_, sa.Integer):
        return int(text)
    if isinstance(type_, sa.Float):
        return float(text)
    return text


def parse_tables(text: str) -> dict[str, list[dict]]:
    """Parse text tables into {table: [row dict]} with typed values."""
    tables: dict[str, list[dict]] = {}
    blocks = [b for b in textwrap.dedent(text).strip().split("\n\n") if b.strip()]
    for block in blocks:
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
        name, header, rows = lines[0], lines[1], lines[2:]
        table = TABLES[name]
        cols = [c.strip() for c in header.split("|")]
        parsed = []
        for row in rows:
            cells = [c.strip() for c in row.split("|")]
            assert len(cells) == len(cols), f"{name}: {row!r} has {len(cells)} cells"
            parsed.append({c: _convert(table.c[c], v) for c, v in zip(cols, cells, strict=True)})
        tables.setdefault(name, []).extend(parsed)
    return tables


def load_tables(engine: sa.Engine, text: str,
                extract_date: str = EXTRACT_DATE) -> dict[str, list[dict]]:
    """Write the text tables into an existing (empty) store, filling in defaults; the rows
    written (``filled_tables``)."""
    tables = filled_tables(text, extract_date)
    with engine.begin() as conn:
        for name, rows in tables.items():
            if rows and name in metadata.tables:
                conn.execute(metadata.tables[name].insert(), rows)
    return tables


def load_app_tables(app: sa.Engine, tables: dict[str, list[dict]]) -> None:
    """Write the application database's blocks of ``tables`` (parsed) into ``app``."""
    ensure_app_tables(app)
    with app.begin() as conn:
        for name, rows in tables.items():
            if rows and name in app_metadata.tables:
                conn.execute(app_metadata.tables[name].insert(), rows)


def filled_tables(text: str, extract_date: str = EXTRACT_DATE) -> dict[str, list[dict]]:
    """The text tables as rows, with every default ``load_tables`` writes filled in."""
    tables = parse_tables(text)
    patients = tables.get("patient", [])
    patient_table = metadata.tables["patient"]
    for row in patients:
        for key, value in PATIENT_DEFAULTS.items():
            row.setdefault(key, _convert(patient_table.c[key], value))
        row.setdefault("practice_id", 1)
        row.setdefault("nhs_number", nhs_number(row["patient_id"]))
        row.setdefault("given_name", f"Given{row['patient_id']}")
        row.setdefault("family_name", f"Family{row['patient_id']}")
    if "practice" not in tables:
        ids = sorted({r["practice_id"] for r in patients} | {1})
        tables["practice"] = [
            {"practice_id": i, "ods_code": f"T{i:05d}", "name": f"Test practice {i}",
             "region": "London", "nation": "England"}
            for i in ids
        ]
    tables.setdefault("store_info", []).append({"key": "extract_date", "value": extract_date})
    return tables
