"""Conformance (Kahn et al. 2016): is every value where, and in the form, the contract says?

* every table and column of the store schema present, with its type's family;
* every code a valid SNOMED CT identifier (dm+d ids are SNOMED-format too): digits only,
  6-18 long, no leading zero, a concept partition (``00`` core, ``10`` extension) and a
  correct Verhoeff check digit (python-stdnum);
* NHS numbers with a correct modulus-11 check digit (computed in SQL, one pass);
* no record dated after the extract, before the patient's birth or after their death;
* no orphan: no record of an unknown patient, no patient of an unknown practice.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from stdnum import verhoeff

from dart.analysis.profile.model import CodeCount, Conformance, Ratio
from dart.analysis.profile.reads import StoreTables, count_if

CONCEPT_PARTITIONS = ("00", "10")
NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def _family(type_: sa.types.TypeEngine) -> str:
    """A type's family, so that INTEGER and BIGINT, TEXT and VARCHAR compare equal."""
    for family, base in (("boolean", sa.Boolean), ("datetime", sa.DateTime),
                         ("date", sa.Date), ("integer", sa.Integer),
                         ("number", sa.Float), ("number", sa.Numeric), ("text", sa.String)):
        if isinstance(type_, base):
            return family
    return type(type_).__name__.lower()


def schema_problems(conn: sa.Connection, tables: StoreTables) -> tuple[str, ...]:
    """Missing tables and columns, and columns whose type family differs."""
    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    problems = []
    for name in tables.names:
        if name not in present:
            problems.append(f"{name}: table missing")
            continue
        found = {c["name"]: c["type"] for c in inspector.get_columns(name)}
        for column in tables.metadata.tables[name].columns:
            if column.name not in found:
                problems.append(f"{name}.{column.name}: column missing")
                continue
            want, got = _family(column.type), _family(found[column.name])
            if want != got:
                problems.append(f"{name}.{column.name}: type {got}, want {want}")
    return tuple(problems)


def valid_code(code: str) -> bool:
    """A well-formed SNOMED CT concept id (dm+d VMP/AMP ids follow the same rules)."""
    return (code.isascii() and code.isdigit() and 6 <= len(code) <= 18
            and code[0] != "0" and code[-3:-1] in CONCEPT_PARTITIONS
            and verhoeff.is_valid(code))


def invalid_codes(conn: sa.Connection, tables: StoreTables) -> tuple[tuple[CodeCount, ...],
                                                                      Ratio]:
    """Codes failing ``valid_code`` with their record counts, and distinct codes checked."""
    bad, seen = [], set()
    for name, table, _ in tables.event_tables():
        rows = conn.execute(sa.select(table.c.code, sa.func.count())
                            .group_by(table.c.code).order_by(table.c.code))
        for code, n in rows:
            seen.add(code)
            if not valid_code(code or ""):
                bad.append(CodeCount(name, code, n))
    return tuple(bad), Ratio(len({c.code for c in bad}), len(seen))


def _digit(text: sa.ColumnElement, position: int) -> sa.ColumnElement:
    # CASE rather than CAST: a non-digit gives NULL (an invalid number) on every engine
    # instead of an error on PostgreSQL and DuckDB.
    char = sa.func.substr(text, position, 1)
    return sa.case(*[(char == str(d), d) for d in range(10)], else_=sa.null())


def nhs_number_valid(column: sa.ColumnElement) -> sa.ColumnElement:
    """SQL truth of "10 digits with the right modulus-11 check digit" (NULL counts false)."""
    total = sum((_digit(column, i + 1) * w for i, w in enumerate(NHS_WEIGHTS)), sa.literal(0))
    check = (11 - total % 11) % 11  # 11 -> 0; 10 (no valid check digit) never matches
    return sa.and_(sa.func.length(column) == 10, _digit(column, 10) == check)


def nhs_numbers(conn: sa.Connection, tables: StoreTables) -> Ratio:
    """Patients whose NHS number fails the check, of all patients."""
    p = tables.patient
    # Count the valid ones: NOT of a NULL test (a non-digit) would be NULL, not true.
    good, total = conn.execute(sa.select(count_if(nhs_number_valid(p.c.nhs_number)),
                                         sa.func.count())).one()
    return Ratio(int(total) - int(good), int(total))


def event_dates(conn: sa.Connection, tables: StoreTables,
                extract: dt.date) -> tuple[dict[str, Ratio], dict[str, Ratio]]:
    """Per table of records: rows dated after the extract, before birth, after death, and
    rows of unknown patients; per patient table: births after the extract, patients of
    unknown practices."""
    p = tables.patient
    dates: dict[str, Ratio] = {}
    orphans: dict[str, Ratio] = {}
    bound = sa.literal(extract, sa.Date)
    for name, table, day in tables.event_tables():
        joined = table.outerjoin(p, p.c.patient_id == table.c.patient_id)
        row = conn.execute(sa.select(
            sa.func.count(), count_if(day > bound), count_if(day < p.c.date_of_birth),
            count_if(day > p.c.date_of_death), count_if(p.c.patient_id.is_(None)),
        ).select_from(joined)).one()
        total = int(row[0])
        for key, n in zip(("future", "before_birth", "after_death"), row[1:4], strict=True):
            dates[f"{name}.{key}"] = Ratio(int(n), total)
        orphans[f"{name}.unknown_patient"] = Ratio(int(row[4]), total)
    practice = tables.practice
    joined = p.outerjoin(practice, practice.c.practice_id == p.c.practice_id)
    total, born_late, orphan = conn.execute(sa.select(
        sa.func.count(), count_if(p.c.date_of_birth > bound),
        count_if(practice.c.practice_id.is_(None))).select_from(joined)).one()
    dates["patient.birth_future"] = Ratio(int(born_late), int(total))
    orphans["patient.unknown_practice"] = Ratio(int(orphan), int(total))
    return dates, orphans


def conformance(conn: sa.Connection, tables: StoreTables, extract: dt.date) -> Conformance:
    """Every conformance figure of the store."""
    problems = schema_problems(conn, tables)
    codes, checked = invalid_codes(conn, tables)
    dates, orphans = event_dates(conn, tables, extract)
    return Conformance(problems, codes, checked, nhs_numbers(conn, tables), dates, orphans)
