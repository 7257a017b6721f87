"""The store schema is created identically on every engine."""

import sqlalchemy as sa

from dart.store.schema import STORE_TABLES, metadata


def test_every_table_and_column_of_the_spec(store):
    inspector = sa.inspect(store)
    assert set(STORE_TABLES) <= set(inspector.get_table_names())
    for name in STORE_TABLES:
        got = {c["name"] for c in inspector.get_columns(name)}
        assert got == {c.name for c in metadata.tables[name].columns}


def test_spec_columns_present():
    spec = {
        "patient": {"patient_id", "practice_id", "nhs_number", "given_name", "family_name",
                    "date_of_birth", "sex", "ethnicity", "imd_quintile", "registration_start",
                    "registration_end", "date_of_death", "research_opt_out"},
        "observation": {"patient_id", "obs_date", "code", "value", "unit"},
        "prescription": {"patient_id", "issue_date", "code", "quantity"},
        "practice": {"practice_id", "ods_code", "name", "region", "nation"},
        "invitation": {"study_id", "patient_id", "practice_id", "invited_on"},
        "store_info": {"key", "value"},
    }
    for table, cols in spec.items():
        assert {c.name for c in metadata.tables[table].columns} == cols
