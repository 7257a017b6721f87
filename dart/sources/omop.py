"""An OMOP CDM v5.4 store as DART's logical tables (the mapping is in docs/sources.md).

Each logical table is a SELECT over the CDM's own tables, with the native column names, so
that the compiler reads an OMOP store exactly as it reads its own. Code sets reach the
records through ``concept``: a coded record carries the codes of its source concept
(``*_source_concept_id``) and of its standard concept (``*_concept_id``) when they are
in the code set's vocabulary, and matches a set when either is in it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dart.sources import missing, no_enrolments
from dart.sources.omop_cdm import t
from dart.sources.omop_map import DEFAULT, FIVE_GROUPS, OmopMapping
from dart.store.dialects import date_from_parts, to_date
from dart.store.engine import StoreError

DATE, INTEGER, DOUBLE, TEXT = sa.Date(), sa.Integer(), sa.Double(), sa.String()

FEMALE, MALE, RACES = DEFAULT.female, DEFAULT.male, DEFAULT.races
IMD_SOURCE_VALUE, SNOMED, DMD = DEFAULT.imd_source_value, DEFAULT.snomed, DEFAULT.dmd
"""The default mapping's values (``omop_map.OmopMapping``; ``--source-map`` changes them)."""

READ_TABLES = ("person", "observation_period", "death", "care_site", "location",
               "condition_occurrence", "observation", "measurement", "procedure_occurrence",
               "drug_exposure", "concept", "cdm_source")

CODED = (  # table, date, concept id, source concept id, value, unit
    ("condition_occurrence", "condition_start_date", "condition_concept_id",
     "condition_source_concept_id", None, None),
    ("observation", "observation_date", "observation_concept_id",
     "observation_source_concept_id", "value_as_number", "unit_source_value"),
    ("measurement", "measurement_date", "measurement_concept_id",
     "measurement_source_concept_id", "value_as_number", "unit_source_value"),
    ("procedure_occurrence", "procedure_date", "procedure_concept_id",
     "procedure_source_concept_id", None, None),
)


def extract_date_query() -> sa.ScalarSelect:
    """The extract date: ``cdm_source.source_release_date`` (the latest, if several)."""
    return sa.select(sa.func.max(t["cdm_source"].c.source_release_date)).scalar_subquery()


def _codes(table: sa.Table, concept: str, source_concept: str, vocabulary: str):
    """``table`` joined to the codes of its source and standard concepts in ``vocabulary``."""
    src, std = t["concept"].alias(f"{table.name}_source"), t["concept"].alias(f"{table.name}_std")
    joined = (table
              .outerjoin(src, sa.and_(src.c.concept_id == table.c[source_concept],
                                      src.c.vocabulary_id == vocabulary))
              .outerjoin(std, sa.and_(std.c.concept_id == table.c[concept],
                                      std.c.vocabulary_id == vocabulary)))
    return joined, [src.c.concept_code.label("code"), std.c.concept_code.label("standard_code")]


def coded_events(vocabulary: str) -> sa.Subquery:
    """Every coded record of the four clinical tables, with its value and unit."""
    parts = []
    for name, date, concept, source_concept, value, unit in CODED:
        table = t[name]
        joined, codes = _codes(table, concept, source_concept, vocabulary)
        parts.append(sa.select(
            table.c.person_id.label("patient_id"), table.c[date].label("obs_date"), *codes,
            (sa.cast(table.c[value], DOUBLE) if value else sa.cast(sa.null(), DOUBLE))
            .label("value"),
            (table.c[unit] if unit else sa.cast(sa.null(), TEXT)).label("unit"),
        ).select_from(joined))
    return sa.union_all(*parts).subquery("coded_events")


def drug_events(vocabulary: str) -> sa.Subquery:
    """``drug_exposure`` with its dm+d codes and quantity."""
    drugs = t["drug_exposure"]
    joined, codes = _codes(drugs, "drug_concept_id", "drug_source_concept_id", vocabulary)
    return sa.select(
        drugs.c.person_id.label("patient_id"),
        drugs.c.drug_exposure_start_date.label("issue_date"), *codes,
        sa.cast(drugs.c.quantity, DOUBLE).label("quantity"),
    ).select_from(joined).subquery("drug_events")


def practices() -> sa.Subquery:
    """``care_site`` (ODS code, name) and its ``location`` (region in ``state``, nation)."""
    site, place = t["care_site"], t["location"]
    return sa.select(
        site.c.care_site_id.label("practice_id"),
        site.c.care_site_source_value.label("ods_code"),
        site.c.care_site_name.label("name"),
        place.c.state.label("region"),
        place.c.country_source_value.label("nation"),
    ).select_from(site.outerjoin(place, place.c.location_id == site.c.location_id)
                  ).subquery("practice")


def _registration(index: dt.date) -> sa.Subquery:
    """The observation period containing ``index``: started on or before it and ending
    after it, or running to the extract date (then still registered: end NULL)."""
    period = t["observation_period"]
    on, extract = sa.literal(index, DATE), extract_date_query()
    start, end = period.c.observation_period_start_date, period.c.observation_period_end_date
    last = sa.func.max(end)
    return (sa.select(period.c.person_id, sa.func.min(start).label("registration_start"),
                      sa.case((last >= extract, sa.cast(sa.null(), DATE)), else_=last)
                      .label("registration_end"))
            .where(start <= on, sa.or_(end > on, end >= extract))
            .group_by(period.c.person_id).subquery("registration"))


def _imd(index: dt.date, source_value: str) -> sa.Subquery:
    """The latest IMD quintile observed on or before ``index`` (that date: the highest)."""
    obs = t["observation"]
    order = sa.func.row_number().over(partition_by=obs.c.person_id, order_by=(
        obs.c.observation_date.desc(), obs.c.value_as_number.desc()))
    ranked = (sa.select(obs.c.person_id, obs.c.value_as_number, order.label("rank"))
              .where(obs.c.observation_source_value == source_value,
                     obs.c.value_as_number.in_([1, 2, 3, 4, 5]),
                     obs.c.observation_date <= sa.literal(index, DATE))
              .subquery("imd_ranked"))
    return (sa.select(ranked.c.person_id,
                      sa.cast(ranked.c.value_as_number, INTEGER).label("imd_quintile"))
            .where(ranked.c.rank == 1).subquery("imd"))


def patients(index: dt.date, mapping: OmopMapping = DEFAULT) -> sa.CTE:
    """One row per person of known sex registered on ``index`` (see ``_registration``)."""
    person, death = t["person"], t["death"]
    registration, imd = _registration(index), _imd(index, mapping.imd_source_value)
    died = (sa.select(death.c.person_id, sa.func.min(death.c.death_date).label("death_date"))
            .group_by(death.c.person_id).subquery("died"))
    born = sa.func.coalesce(to_date(person.c.birth_datetime), date_from_parts(
        person.c.year_of_birth, sa.func.coalesce(person.c.month_of_birth, 1),
        sa.func.coalesce(person.c.day_of_birth, 1)))
    source_race = sa.func.lower(person.c.race_source_value)
    ethnicity = sa.case(
        *((person.c.race_concept_id == concept, sa.literal(group))
          for concept, group in mapping.races.items()),
        (source_race.in_(FIVE_GROUPS), source_race),
        else_=sa.literal("unknown"))
    sex = sa.case((person.c.gender_concept_id == mapping.female, sa.literal("F")),
                  else_=sa.literal("M"))
    return (sa.select(
        person.c.person_id.label("patient_id"), person.c.care_site_id.label("practice_id"),
        born.label("date_of_birth"), sex.label("sex"), ethnicity.label("ethnicity"),
        imd.c.imd_quintile, registration.c.registration_start,
        registration.c.registration_end, died.c.death_date.label("date_of_death"),
        sa.false().label("research_opt_out"),  # opted-out patients never reach a CDM
    ).select_from(
        person.join(registration, registration.c.person_id == person.c.person_id)
        .outerjoin(imd, imd.c.person_id == person.c.person_id)
        .outerjoin(died, died.c.person_id == person.c.person_id)
    ).where(person.c.gender_concept_id.in_([mapping.female, mapping.male])).cte("patient"))


def no_invitations() -> sa.Subquery:
    """A CDM holds no trial invitations (DART records them in its own database)."""
    return (sa.select(sa.cast(sa.null(), INTEGER).label("patient_id"),
                      sa.cast(sa.null(), INTEGER).label("study_id"),
                      sa.cast(sa.null(), DATE).label("invited_on"))
            .where(sa.false()).subquery("invitation"))


class OmopSource:
    """An OMOP CDM v5.4 store, read only."""

    name = "omop"
    writable = False
    identities = None  # pseudonymous: no NHS numbers or names to invite
    event_codes = ("code", "standard_code")
    prescription_codes = ("code", "standard_code")

    def __init__(self, mapping: OmopMapping = DEFAULT) -> None:
        self.mapping = mapping
        self.practices = practices()
        self.events = coded_events(mapping.snomed)
        self.prescriptions = drug_events(mapping.dmd)
        self.invitations = no_invitations()
        self.enrolments = no_enrolments()

    def patients(self, index: dt.date) -> sa.CTE:
        return patients(index, self.mapping)

    def extract_date(self, bind: sa.Engine | sa.Connection) -> str | None:
        if isinstance(bind, sa.Engine):
            with bind.connect() as conn:
                return self.extract_date(conn)
        value = bind.execute(sa.select(extract_date_query())).scalar()
        return value.isoformat() if isinstance(value, dt.date) else value

    missing_words = "have no concept in the store's concept table"

    def matched_codes(self, system: str, codes: tuple[str, ...]) -> sa.Select:
        concept = t["concept"]
        return (sa.select(concept.c.concept_code)
                .where(concept.c.vocabulary_id == self.mapping.vocabulary(system),
                       concept.c.concept_code.in_(codes)).distinct())

    def require(self, engine: sa.Engine) -> None:
        absent = missing(engine, READ_TABLES)
        if absent:
            shown = engine.url.render_as_string(hide_password=True)
            raise StoreError(f"{shown} is not an OMOP CDM store (missing tables: "
                             f"{', '.join(absent)}); run 'dart generate --source omop'")


OMOP = OmopSource()
