"""The OMOP Common Data Model v5.4, declared as SQLAlchemy tables.

Every table and column of the CDM v5.4 DDL (https://github.com/OHDSI/CommonDataModel,
``inst/ddl/5.4``; https://ohdsi.github.io/CommonDataModel/cdm54.html), with its type and
whether it may be NULL, so that ``dart generate --source omop`` writes a store any OMOP tool
reads. One departure: ``location.state`` is ``varchar(80)``, not ``varchar(2)``, because
DART reads a region's name from it (docs/sources.md).

Each table is written ``"column type[!]"``: ``!`` is NOT NULL; types are ``i`` integer,
``d`` date, ``ts`` timestamp, ``n`` numeric, ``x`` text, ``vN`` varchar(N).
"""

from __future__ import annotations

import sqlalchemy as sa

CDM_VERSION = "5.4"

TABLES: dict[str, str] = {
    "person": (
        "person_id i!, gender_concept_id i!, year_of_birth i!, month_of_birth i, day_of_birth i, "
        "birth_datetime ts, race_concept_id i!, ethnicity_concept_id i!, location_id i, "
        "provider_id i, care_site_id i, person_source_value v50, gender_source_value v50, "
        "gender_source_concept_id i, race_source_value v50, race_source_concept_id i, "
        "ethnicity_source_value v50, ethnicity_source_concept_id i"),
    "observation_period": (
        "observation_period_id i!, person_id i!, observation_period_start_date d!, "
        "observation_period_end_date d!, period_type_concept_id i!"),
    "visit_occurrence": (
        "visit_occurrence_id i!, person_id i!, visit_concept_id i!, visit_start_date d!, "
        "visit_start_datetime ts, visit_end_date d!, visit_end_datetime ts, "
        "visit_type_concept_id i!, provider_id i, care_site_id i, visit_source_value v50, "
        "visit_source_concept_id i, admitted_from_concept_id i, admitted_from_source_value v50, "
        "discharged_to_concept_id i, discharged_to_source_value v50, "
        "preceding_visit_occurrence_id i"),
    "visit_detail": (
        "visit_detail_id i!, person_id i!, visit_detail_concept_id i!, "
        "visit_detail_start_date d!, visit_detail_start_datetime ts, visit_detail_end_date d!, "
        "visit_detail_end_datetime ts, visit_detail_type_concept_id i!, provider_id i, "
        "care_site_id i, visit_detail_source_value v50, visit_detail_source_concept_id i, "
        "admitted_from_concept_id i, admitted_from_source_value v50, "
        "discharged_to_source_value v50, discharged_to_concept_id i, "
        "preceding_visit_detail_id i, parent_visit_detail_id i, visit_occurrence_id i!"),
    "condition_occurrence": (
        "condition_occurrence_id i!, person_id i!, condition_concept_id i!, "
        "condition_start_date d!, condition_start_datetime ts, condition_end_date d, "
        "condition_end_datetime ts, condition_type_concept_id i!, condition_status_concept_id i, "
        "stop_reason v20, provider_id i, visit_occurrence_id i, visit_detail_id i, "
        "condition_source_value v50, condition_source_concept_id i, "
        "condition_status_source_value v50"),
    "drug_exposure": (
        "drug_exposure_id i!, person_id i!, drug_concept_id i!, drug_exposure_start_date d!, "
        "drug_exposure_start_datetime ts, drug_exposure_end_date d!, "
        "drug_exposure_end_datetime ts, verbatim_end_date d, drug_type_concept_id i!, "
        "stop_reason v20, refills i, quantity n, days_supply i, sig x, route_concept_id i, "
        "lot_number v50, provider_id i, visit_occurrence_id i, visit_detail_id i, "
        "drug_source_value v50, drug_source_concept_id i, route_source_value v50, "
        "dose_unit_source_value v50"),
    "procedure_occurrence": (
        "procedure_occurrence_id i!, person_id i!, procedure_concept_id i!, procedure_date d!, "
        "procedure_datetime ts, procedure_end_date d, procedure_end_datetime ts, "
        "procedure_type_concept_id i!, modifier_concept_id i, quantity i, provider_id i, "
        "visit_occurrence_id i, visit_detail_id i, procedure_source_value v50, "
        "procedure_source_concept_id i, modifier_source_value v50"),
    "device_exposure": (
        "device_exposure_id i!, person_id i!, device_concept_id i!, "
        "device_exposure_start_date d!, device_exposure_start_datetime ts, "
        "device_exposure_end_date d, device_exposure_end_datetime ts, device_type_concept_id i!, "
        "unique_device_id v255, production_id v255, quantity i, provider_id i, "
        "visit_occurrence_id i, visit_detail_id i, device_source_value v50, "
        "device_source_concept_id i, unit_concept_id i, unit_source_value v50, "
        "unit_source_concept_id i"),
    "measurement": (
        "measurement_id i!, person_id i!, measurement_concept_id i!, measurement_date d!, "
        "measurement_datetime ts, measurement_time v10, measurement_type_concept_id i!, "
        "operator_concept_id i, value_as_number n, value_as_concept_id i, unit_concept_id i, "
        "range_low n, range_high n, provider_id i, visit_occurrence_id i, visit_detail_id i, "
        "measurement_source_value v50, measurement_source_concept_id i, unit_source_value v50, "
        "unit_source_concept_id i, value_source_value v50, measurement_event_id i, "
        "meas_event_field_concept_id i"),
    "observation": (
        "observation_id i!, person_id i!, observation_concept_id i!, observation_date d!, "
        "observation_datetime ts, observation_type_concept_id i!, value_as_number n, "
        "value_as_string v60, value_as_concept_id i, qualifier_concept_id i, unit_concept_id i, "
        "provider_id i, visit_occurrence_id i, visit_detail_id i, observation_source_value v50, "
        "observation_source_concept_id i, unit_source_value v50, qualifier_source_value v50, "
        "value_source_value v50, observation_event_id i, obs_event_field_concept_id i"),
    "death": (
        "person_id i!, death_date d!, death_datetime ts, death_type_concept_id i, "
        "cause_concept_id i, cause_source_value v50, cause_source_concept_id i"),
    "note": (
        "note_id i!, person_id i!, note_date d!, note_datetime ts, note_type_concept_id i!, "
        "note_class_concept_id i!, note_title v250, note_text x!, encoding_concept_id i!, "
        "language_concept_id i!, provider_id i, visit_occurrence_id i, visit_detail_id i, "
        "note_source_value v50, note_event_id i, note_event_field_concept_id i"),
    "note_nlp": (
        "note_nlp_id i!, note_id i!, section_concept_id i, snippet v250, offset v50, "
        "lexical_variant v250!, note_nlp_concept_id i, note_nlp_source_concept_id i, "
        "nlp_system v250, nlp_date d!, nlp_datetime ts, term_exists v1, term_temporal v50, "
        "term_modifiers v2000"),
    "specimen": (
        "specimen_id i!, person_id i!, specimen_concept_id i!, specimen_type_concept_id i!, "
        "specimen_date d!, specimen_datetime ts, quantity n, unit_concept_id i, "
        "anatomic_site_concept_id i, disease_status_concept_id i, specimen_source_id v50, "
        "specimen_source_value v50, unit_source_value v50, anatomic_site_source_value v50, "
        "disease_status_source_value v50"),
    "fact_relationship": (
        "domain_concept_id_1 i!, fact_id_1 i!, domain_concept_id_2 i!, fact_id_2 i!, "
        "relationship_concept_id i!"),
    "location": (
        "location_id i!, address_1 v50, address_2 v50, city v50, state v80, zip v9, county v20, "
        "location_source_value v50, country_concept_id i, country_source_value v80, latitude n, "
        "longitude n"),
    "care_site": (
        "care_site_id i!, care_site_name v255, place_of_service_concept_id i, location_id i, "
        "care_site_source_value v50, place_of_service_source_value v50"),
    "provider": (
        "provider_id i!, provider_name v255, npi v20, dea v20, specialty_concept_id i, "
        "care_site_id i, year_of_birth i, gender_concept_id i, provider_source_value v50, "
        "specialty_source_value v50, specialty_source_concept_id i, gender_source_value v50, "
        "gender_source_concept_id i"),
    "payer_plan_period": (
        "payer_plan_period_id i!, person_id i!, payer_plan_period_start_date d!, "
        "payer_plan_period_end_date d!, payer_concept_id i, payer_source_value v50, "
        "payer_source_concept_id i, plan_concept_id i, plan_source_value v50, "
        "plan_source_concept_id i, sponsor_concept_id i, sponsor_source_value v50, "
        "sponsor_source_concept_id i, family_source_value v50, stop_reason_concept_id i, "
        "stop_reason_source_value v50, stop_reason_source_concept_id i"),
    "cost": (
        "cost_id i!, cost_event_id i!, cost_domain_id v20!, cost_type_concept_id i!, "
        "currency_concept_id i, total_charge n, total_cost n, total_paid n, paid_by_payer n, "
        "paid_by_patient n, paid_patient_copay n, paid_patient_coinsurance n, "
        "paid_patient_deductible n, paid_by_primary n, paid_ingredient_cost n, "
        "paid_dispensing_fee n, payer_plan_period_id i, amount_allowed n, "
        "revenue_code_concept_id i, revenue_code_source_value v50, drg_concept_id i, "
        "drg_source_value v3"),
    "drug_era": (
        "drug_era_id i!, person_id i!, drug_concept_id i!, drug_era_start_date d!, "
        "drug_era_end_date d!, drug_exposure_count i, gap_days i"),
    "dose_era": (
        "dose_era_id i!, person_id i!, drug_concept_id i!, unit_concept_id i!, dose_value n!, "
        "dose_era_start_date d!, dose_era_end_date d!"),
    "condition_era": (
        "condition_era_id i!, person_id i!, condition_concept_id i!, "
        "condition_era_start_date d!, condition_era_end_date d!, condition_occurrence_count i"),
    "episode": (
        "episode_id i!, person_id i!, episode_concept_id i!, episode_start_date d!, "
        "episode_start_datetime ts, episode_end_date d, episode_end_datetime ts, "
        "episode_parent_id i, episode_number i, episode_object_concept_id i!, "
        "episode_type_concept_id i!, episode_source_value v50, episode_source_concept_id i"),
    "episode_event": (
        "episode_id i!, event_id i!, episode_event_field_concept_id i!"),
    "metadata": (
        "metadata_id i!, metadata_concept_id i!, metadata_type_concept_id i!, name v250!, "
        "value_as_string v250, value_as_concept_id i, value_as_number n, metadata_date d, "
        "metadata_datetime ts"),
    "cdm_source": (
        "cdm_source_name v255!, cdm_source_abbreviation v25!, cdm_holder v255!, "
        "source_description x, source_documentation_reference v255, cdm_etl_reference v255, "
        "source_release_date d!, cdm_release_date d!, cdm_version v10, "
        "cdm_version_concept_id i!, vocabulary_version v20!"),
    "concept": (
        "concept_id i!, concept_name v255!, domain_id v20!, vocabulary_id v20!, "
        "concept_class_id v20!, standard_concept v1, concept_code v50!, valid_start_date d!, "
        "valid_end_date d!, invalid_reason v1"),
    "vocabulary": (
        "vocabulary_id v20!, vocabulary_name v255!, vocabulary_reference v255, "
        "vocabulary_version v255, vocabulary_concept_id i!"),
    "domain": (
        "domain_id v20!, domain_name v255!, domain_concept_id i!"),
    "concept_class": (
        "concept_class_id v20!, concept_class_name v255!, concept_class_concept_id i!"),
    "concept_relationship": (
        "concept_id_1 i!, concept_id_2 i!, relationship_id v20!, valid_start_date d!, "
        "valid_end_date d!, invalid_reason v1"),
    "relationship": (
        "relationship_id v20!, relationship_name v255!, is_hierarchical v1!, "
        "defines_ancestry v1!, reverse_relationship_id v20!, relationship_concept_id i!"),
    "concept_synonym": (
        "concept_id i!, concept_synonym_name v1000!, language_concept_id i!"),
    "concept_ancestor": (
        "ancestor_concept_id i!, descendant_concept_id i!, min_levels_of_separation i!, "
        "max_levels_of_separation i!"),
    "source_to_concept_map": (
        "source_code v50!, source_concept_id i!, source_vocabulary_id v20!, "
        "source_code_description v255, target_concept_id i!, target_vocabulary_id v20!, "
        "valid_start_date d!, valid_end_date d!, invalid_reason v1"),
    "drug_strength": (
        "drug_concept_id i!, ingredient_concept_id i!, amount_value n, amount_unit_concept_id i, "
        "numerator_value n, numerator_unit_concept_id i, denominator_value n, "
        "denominator_unit_concept_id i, box_size i, valid_start_date d!, valid_end_date d!, "
        "invalid_reason v1"),
    "cohort": (
        "cohort_definition_id i!, subject_id i!, cohort_start_date d!, cohort_end_date d!"),
    "cohort_definition": (
        "cohort_definition_id i!, cohort_definition_name v255!, cohort_definition_description x, "
        "definition_type_concept_id i!, cohort_definition_syntax x, subject_concept_id i!, "
        "cohort_initiation_date d"),
}

_TYPES = {"i": sa.Integer, "d": sa.Date, "ts": sa.DateTime, "n": sa.Numeric, "x": sa.Text}


def _type(code: str) -> sa.types.TypeEngine:
    if code.startswith("v"):
        return sa.String(int(code[1:]))
    return _TYPES[code]()


def _table(metadata: sa.MetaData, name: str, spec: str) -> sa.Table:
    columns = []
    for item in spec.split(", "):
        column, code = item.split()
        required = code.endswith("!")
        columns.append(sa.Column(column, _type(code.rstrip("!")), nullable=not required))
    return sa.Table(name, metadata, *columns)


metadata = sa.MetaData()
for _name, _spec in TABLES.items():
    _table(metadata, _name, _spec)

t = metadata.tables
"""The CDM's tables by name."""
