"""``run_profile()``: every check of the store in one read-only pass of grouped queries."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from dart.analysis.profile import completeness as comp
from dart.analysis.profile import months, plausibility, practices, verdicts
from dart.analysis.profile.conformance import conformance, schema_problems
from dart.analysis.profile.model import Completeness
from dart.analysis.profile.reads import StoreTables, extract_date, store_tables
from dart.analysis.profile.result import PracticeProfile, StoreProfile
from dart.store.engine import StoreError


class ProfileError(StoreError):
    """The store cannot be profiled (tables or columns missing or of another type)."""


def _practices(conn: sa.Connection, tables: StoreTables, extract,
               counts: list) -> tuple[months.MonthlySeries, tuple[PracticeProfile, ...]]:
    series = months.monthly(conn, tables, months.window(extract))
    names = practices.practice_names(conn, tables)
    return series, tuple(practices.profile_practice(c, names, series, extract)
                         for c in counts)


def practice_profiles(bind: sa.Engine | sa.Connection,
                      tables: StoreTables | None = None) -> tuple[PracticeProfile, ...]:
    """Only the per-practice profiles (last-data and up-to-standard dates, flags)."""
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            return practice_profiles(conn, tables)
    tables = tables or store_tables()
    extract = extract_date(bind)
    return _practices(bind, tables, extract, comp.practice_counts(bind, tables, extract))[1]


def run_profile(bind: sa.Engine | sa.Connection, library: Mapping | None = None,
                tables: StoreTables | None = None) -> StoreProfile:
    """The data-quality profile of the store at ``bind`` (exact figures).

    ``library`` (default: the shipped code sets) gives each measurement code its code set,
    unit and plausible range. Raises ``ProfileError`` if a table or column is missing or
    of another type than the schema's."""
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            return run_profile(conn, library, tables)
    if library is None:
        from dart.store.codelists import load_library

        library = load_library()
    tables = tables or store_tables()
    if bind.dialect.name == "duckdb":
        # DuckDB prints a progress bar to stdout for queries over 2 s (a profile of a large
        # store has some), which would corrupt ``dart profile --json``.
        bind.exec_driver_sql("SET enable_progress_bar_print = false")
    # A missing or mistyped column makes the other checks' SQL fail or mislead (PostgreSQL
    # cannot even read TEXT as a number), so it stops the profile, naming every problem.
    problems = schema_problems(bind, tables)
    if problems:
        raise ProfileError("the store cannot be profiled: " + "; ".join(problems))
    extract = extract_date(bind)
    conf = conformance(bind, tables, extract)
    counts = comp.practice_counts(bind, tables, extract)
    ratios = comp.store_ratios(counts)
    series, profiles = _practices(bind, tables, extract, counts)
    completeness = Completeness(ratios["ethnicity"], ratios["imd"], ratios["any_record"],
                                ratios["recent_record"], practices.by_year(series))
    measures = plausibility.measurements(bind, tables, library)
    records = sum(r.of for k, r in conf.orphans.items() if k.endswith("unknown_patient"))
    checks = (verdicts.conformance_checks(conf, records)
              + verdicts.completeness_checks(completeness)
              + verdicts.plausibility_checks(measures) + verdicts.practice_checks(profiles))
    return StoreProfile(extract, ratios["ethnicity"].of, records, tuple(checks), conf,
                        completeness, measures, profiles)
