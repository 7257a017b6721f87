"""A source restricted to acceptable patients of up-to-standard practices (CPRD-style).

``RestrictedSource(inner, practice_ids)`` hands out ``inner``'s logical tables unchanged
except ``patients(index)``: only the patients of ``practice_ids`` (the practices up to
standard on the index date, chosen by the caller from the data-quality profile) who are
**acceptable** (docs/profile.md), i.e. whose record holds together:

* registered: a registration start, on or after the date of birth, and a registration end
  (if any) on or after the start;
* a valid sex (F or M) and a date of birth no more than ``MAX_AGE`` years before the index
  date;
* a date of death (if any) on or after the date of birth;
* no record (event or prescription) dated before the date of birth.

Every analysis that reads patients through the source then counts from the restricted base,
so the compiled criteria and the funnel start from it, with no change to the compiler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from dart.sources import Source

MAX_AGE = 115  # years: older recorded ages are data errors (the oldest living UK people are ~115)


def _no_record_before_birth(table: sa.FromClause, date_column: str,
                            patient: sa.FromClause) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(table.c.patient_id == patient.c.patient_id,
                              table.c[date_column] < patient.c.date_of_birth)


def acceptable(source: Source, patient: sa.FromClause, index: dt.date
               ) -> sa.ColumnElement[bool]:
    """The acceptable-patient test over ``patient`` (``source``'s patients at ``index``)."""
    oldest = sa.bindparam("oldest_birth", index - relativedelta(years=MAX_AGE), sa.Date)
    p = patient.c
    return sa.and_(
        p.registration_start.is_not(None), p.date_of_birth.is_not(None),
        p.registration_start >= p.date_of_birth,
        sa.or_(p.registration_end.is_(None), p.registration_end >= p.registration_start),
        p.sex.in_(("F", "M")), p.date_of_birth >= oldest,
        sa.or_(p.date_of_death.is_(None), p.date_of_death >= p.date_of_birth),
        _no_record_before_birth(source.events, "obs_date", patient),
        _no_record_before_birth(source.prescriptions, "issue_date", patient),
    )


class RestrictedSource:
    """``inner`` with its patients restricted (see the module docstring)."""

    def __init__(self, inner: Source, practice_ids: Iterable[int],
                 about: Mapping[str, object] | None = None):
        self.inner = inner
        self.practice_ids = tuple(sorted(set(practice_ids)))
        self.about = dict(about or {})  # what the restriction is, for a result to say

    def __getattr__(self, name: str):
        # Everything but the patients is the inner source's own (tables, extract date...).
        return getattr(self.inner, name)

    def patients(self, index: dt.date) -> sa.FromClause:
        patient = self.inner.patients(index)
        in_practice = patient.c.practice_id.in_(
            sa.bindparam("standard_practices", list(self.practice_ids), expanding=True))
        return (sa.select(*patient.c)
                .where(in_practice, acceptable(self.inner, patient, index))
                .cte("acceptable_patients"))
