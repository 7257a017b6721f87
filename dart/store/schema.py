"""The GP-record store schema (native schema v1, documented in docs/store.md), declared once.

Every table and column carries a description (``comment``/``doc``) so that the schema can
document itself (`dart schema`) and so that a real data owner's extract can be checked
against it. The names are the contract; DART may add tables, columns and indexes but never
renames these.

DART's own application tables (users, studies, audit) live in ``app_metadata`` (see
``dart.store.app_tables``), so that a store loaded by a data owner is read as it is.
"""

from __future__ import annotations

import sqlalchemy as sa

from dart_vocab import ENGLISH_REGIONS, ETHNIC_GROUPS, NATIONS, REGIONS

SCHEMA_VERSION = "1"

metadata = sa.MetaData()



def _col(name: str, type_: sa.types.TypeEngine, doc: str, **kw) -> sa.Column:
    return sa.Column(name, type_, comment=doc, doc=doc, **kw)


store_info = sa.Table(
    "store_info",
    metadata,
    _col("key", sa.Text, "extract_date (YYYY-MM-DD), schema_version, generator, seed",
         primary_key=True),
    _col("value", sa.Text, "the setting's value"),
    comment="Facts about the extract: its date, schema version and how it was made.",
)

practice = sa.Table(
    "practice",
    metadata,
    _col("practice_id", sa.Integer, "practice id", primary_key=True, autoincrement=False),
    _col("ods_code", sa.Text, "ODS practice code, e.g. P81001", unique=True, nullable=False),
    _col("name", sa.Text, "practice name"),
    _col("region", sa.Text, "one of the 9 English regions, or Scotland, Wales, Northern Ireland"),
    _col("nation", sa.Text, "England, Scotland, Wales or Northern Ireland"),
    comment="GP practices.",
)

patient = sa.Table(
    "patient",
    metadata,
    _col("patient_id", sa.Integer, "pseudonymous patient id", primary_key=True,
         autoincrement=False),
    _col("practice_id", sa.Integer, "current practice", nullable=False),
    _col("nhs_number", sa.Text, "10 digits, valid modulus-11 check digit; synthetic: 999…",
         unique=True, nullable=False),
    _col("given_name", sa.Text, "given name (synthetic)"),
    _col("family_name", sa.Text, "family name (synthetic)"),
    _col("date_of_birth", sa.Date, "date of birth", nullable=False),
    _col("sex", sa.Text, "F or M", nullable=False),
    _col("ethnicity", sa.Text, "asian, black, mixed, white, other or unknown", nullable=False),
    _col("imd_quintile", sa.Integer, "IMD quintile, 1 (most deprived) to 5; null if unknown"),
    _col("registration_start", sa.Date, "registered at the current practice from",
         nullable=False),
    _col("registration_end", sa.Date, "left the practice on (null: still registered)"),
    _col("date_of_death", sa.Date, "date of death (null: alive)"),
    _col("research_opt_out", sa.Boolean, "opted out of research: never counted, listed or shown",
         nullable=False),
    comment="Patients, one row each, at their current practice.",
)

observation = sa.Table(
    "observation",
    metadata,
    _col("patient_id", sa.Integer, "patient", nullable=False),
    _col("obs_date", sa.Date, "date recorded", nullable=False),
    _col("code", sa.Text, "SNOMED CT concept id", nullable=False),
    _col("value", sa.Double, "numeric result where there is one"),
    _col("unit", sa.Text, "unit of the value, e.g. mmol/mol"),
    comment="Coded clinical records (diagnoses, measurements, statuses).",
)

prescription = sa.Table(
    "prescription",
    metadata,
    _col("patient_id", sa.Integer, "patient", nullable=False),
    _col("issue_date", sa.Date, "date issued", nullable=False),
    _col("code", sa.Text, "dm+d code", nullable=False),
    _col("quantity", sa.Double, "quantity issued"),
    comment="Issued prescriptions.",
)

invitation = sa.Table(
    "invitation",
    metadata,
    _col("study_id", sa.Integer, "study the invitation was for", nullable=False),
    _col("patient_id", sa.Integer, "patient invited", nullable=False),
    _col("practice_id", sa.Integer, "practice that sent it", nullable=False),
    _col("invited_on", sa.Date, "date sent", nullable=False),
    sa.UniqueConstraint("study_id", "patient_id", name="uq_invitation_study_patient"),
    comment="Trial invitations sent, one row per invitation.",
)

# Indexes the compiled criteria need: every code-set read is "code IN (...)" then grouped by
# patient, so (code, patient_id, date, value) lets engines with B-trees answer from the index.
sa.Index("ix_observation_code", observation.c.code, observation.c.patient_id,
         observation.c.obs_date, observation.c.value)
sa.Index("ix_prescription_code", prescription.c.code, prescription.c.patient_id,
         prescription.c.issue_date)
sa.Index("ix_patient_practice", patient.c.practice_id)
sa.Index("ix_invitation_patient", invitation.c.patient_id, invitation.c.invited_on)

__all__ = ["ENGLISH_REGIONS", "ETHNIC_GROUPS", "NATIONS", "REGIONS", "metadata"]

STORE_TABLES = ("store_info", "practice", "patient", "observation", "prescription", "invitation")
