"""Where the records are read from: the logical tables the compiler and the analyses use.

A *source* hands out DART's logical tables as SQLAlchemy selectables with the native
store's column names, whatever the physical tables behind them:

- ``patients(index)``: patient_id, practice_id, date_of_birth, sex, ethnicity,
  imd_quintile, registration_start, registration_end, date_of_death, research_opt_out
  (as of the index date: an OMOP store's IMD and registration depend on it);
- ``practices``: practice_id, ods_code, name, region, nation;
- ``events`` (coded clinical records): patient_id, obs_date, value, unit and the code
  columns ``event_codes`` (a record matches a code set when one of them is in it);
- ``prescriptions``: patient_id, issue_date, quantity and the code columns
  ``prescription_codes``;
- ``invitations``: patient_id, invited_on (study_id, practice_id where kept);
- ``enrolments``: study_id, patient_id, enrolled_on: the trial enrolments DART's
  invitation lifecycle recorded (in the application database: no store holds them, so a
  source alone has none, ``no_enrolments``; ``dart.recruitment.invitations`` adds them);
- ``identities`` (invite lists only): patient_id, practice_id, nhs_number, given_name,
  family_name, date_of_birth, sex, registration_end, date_of_death, research_opt_out; None
  where the store holds no identifiers.

``NativeSource`` is DART's own store; ``OmopSource`` an OMOP CDM v5.4 store (docs/sources.md).
No module outside this package (and the store's own schema, generator and application
tables) names a physical record table; a test keeps it so.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Protocol

import sqlalchemy as sa

from dart.store.engine import StoreError

ENV_SOURCE = "DART_SOURCE"
SOURCES = ("native", "omop")


class Source(Protocol):
    """The logical tables of one kind of store (see the module docstring)."""

    name: str
    writable: bool
    practices: sa.FromClause
    events: sa.FromClause
    prescriptions: sa.FromClause
    invitations: sa.FromClause
    enrolments: sa.FromClause
    identities: sa.FromClause | None
    event_codes: tuple[str, ...]
    prescription_codes: tuple[str, ...]

    def patients(self, index: dt.date) -> sa.FromClause: ...

    def extract_date(self, bind: sa.Engine | sa.Connection) -> str | None:
        """The extract date as YYYY-MM-DD text, None when the store records none."""

    def require(self, engine: sa.Engine) -> None:
        """Raise ``StoreError`` unless ``engine`` holds the tables this source reads."""

    def matched_codes(self, system: str, codes: tuple[str, ...]) -> sa.Select:
        """The distinct ``codes`` (of ``system``: snomed or dmd) the store can match."""

    missing_words: str
    """How ``dart check`` says a code cannot be matched, e.g. "have no concept"."""


def get_source(name: str | None = None, source_map: str | None = None) -> Source:
    """The source called ``name`` (default: ``$DART_SOURCE``, else ``native``); for
    ``omop``, ``source_map`` is a TOML file overriding the mapping (``omop_map``)."""
    from dart.sources.native import NATIVE
    from dart.sources.omop import OMOP, OmopSource
    from dart.sources.omop_map import load_mapping

    name = (name or os.environ.get(ENV_SOURCE) or "native").strip().lower()
    known = {"native": NATIVE, "omop": OMOP}
    if name not in known:
        raise StoreError(f"unknown source {name!r}: use one of {', '.join(SOURCES)}")
    if source_map is not None:
        if name != "omop":
            raise StoreError("--source-map applies to --source omop only")
        return OmopSource(load_mapping(source_map))
    return known[name]


def no_enrolments() -> sa.Subquery:
    """No enrolment: what a store on its own holds (DART records them in its application
    database, never in the store)."""
    return (sa.select(sa.cast(sa.null(), sa.Integer()).label("study_id"),
                      sa.cast(sa.null(), sa.Integer()).label("patient_id"),
                      sa.cast(sa.null(), sa.Date()).label("enrolled_on"))
            .where(sa.false()).subquery("enrolment"))


def missing(engine: sa.Engine, tables: tuple[str, ...]) -> list[str]:
    """The ``tables`` the database behind ``engine`` lacks."""
    present = set(sa.inspect(engine).get_table_names())
    return [t for t in tables if t not in present]


__all__ = ["ENV_SOURCE", "SOURCES", "Source", "get_source", "missing", "no_enrolments"]
