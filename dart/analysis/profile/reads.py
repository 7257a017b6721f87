"""Where the profile meets the store: the one module that names its tables.

Every check builds its SQL from a ``StoreTables`` (SQLAlchemy Core ``Table`` objects), never
from ``dart.store.schema`` directly, so a profile can later read another source of the same
shape by handing in other tables. ``events()`` is the one definition of "a record": a row of
``observation`` or ``prescription``, with its patient and date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from dart.store import schema
from dart.store.engine import StoreError, store_info


@dataclass(frozen=True)
class StoreTables:
    """The tables a profile reads, and the metadata declaring what they should hold."""

    metadata: sa.MetaData
    practice: sa.Table
    patient: sa.Table
    observation: sa.Table
    prescription: sa.Table
    names: tuple[str, ...]  # the tables the contract names, checked for conformance

    def event_tables(self) -> tuple[tuple[str, sa.Table, sa.Column], ...]:
        """(name, table, date column) of each table of records."""
        return (("observation", self.observation, self.observation.c.obs_date),
                ("prescription", self.prescription, self.prescription.c.issue_date))


def store_tables() -> StoreTables:
    """The DART store's tables (``dart.store.schema``)."""
    tables = schema.metadata.tables
    return StoreTables(schema.metadata, tables["practice"], tables["patient"],
                       tables["observation"], tables["prescription"], schema.STORE_TABLES)


def events(tables: StoreTables) -> sa.Subquery:
    """Every record: ``source`` (table name), ``patient_id``, ``event_date``, ``code``."""
    parts = [sa.select(sa.literal(name).label("source"), table.c.patient_id,
                       date.label("event_date"), table.c.code)
             for name, table, date in tables.event_tables()]
    return sa.union_all(*parts).subquery("events")


def follow_up_end(tables: StoreTables) -> sa.ColumnElement:
    """The last day a patient's records can have: leaving or death (null: still there)."""
    p = tables.patient
    return sa.func.coalesce(p.c.registration_end, p.c.date_of_death)


def extract_date(conn: sa.Connection) -> dt.date:
    """The store's extract date (``store_info``); ``StoreError`` if it has none."""
    value = store_info(conn).get("extract_date")
    if not value:
        raise StoreError("the store has no extract date (store_info.extract_date): "
                         "is it a DART store with data loaded?")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise StoreError(f"store_info.extract_date is not a date: {value!r}") from None


def year_month(column: sa.ColumnElement) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    """(year, month) of a date column as integers, on every engine (SQLite: strftime)."""
    return (sa.cast(sa.extract("year", column), sa.Integer),
            sa.cast(sa.extract("month", column), sa.Integer))


def count_if(condition: sa.ColumnElement) -> sa.ColumnElement:
    """Rows where ``condition`` holds (0, not NULL, over no rows; NULL counts as false)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)
