"""The invitations DART recorded, sent with each query that reads them.

DART keeps its invitations in the application database (``app_tables.invitations``), apart
from the record store, which it opens read only. A query on the store that needs them (the
criteria language's ``invited`` conditions, an invite list's exclusions) receives them as
bound values in a CTE (``dialects.BoundRows``), never pasted into the SQL and
never written to the store. Why not a temporary table: PostgreSQL refuses ``CREATE`` in a
read-only transaction, which is how DART opens a PostgreSQL store (docs/store.md).

``with_invitations(source, app)`` is the store's source with its ``invitations`` the union
of any the store itself holds (its ``invitation`` table, as loaded) and the application
database's, and its ``enrolments`` (the criteria language's ``enrolled`` conditions) the
application database's: each patient whose lifecycle status for a study is ``enrolled`` now,
dated by the day it became so (``outcome_at``, UTC). Each is read only when a query first
asks for it. However many there are, they travel as a fixed number of bound parameters (an
array per column, or one JSON text: ``dialects.BoundRows``), so the statement is the same
size for ten invitations or a hundred thousand; ``MAX_SENT`` only bounds the memory one
query may take.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection

import sqlalchemy as sa

from dart.sources import Source
from dart.store.app_tables import ensure_app_tables, invitations, recruitment_status
from dart.store.dialects import BoundRows
from dart.store.limits import QueryTooCostly

# Not a limit of the engines (the rows are a fixed number of parameters): a bound on the
# memory one query takes, in Python and in the engine (a million invitations are about
# 60 MB of JSON text on SQLite and Spark SQL), against a runaway or abusive caller.
MAX_SENT = 1_000_000
COLUMNS = (("study_id", sa.Integer()), ("patient_id", sa.Integer()),
           ("invited_on", sa.Date()))


def recorded(app: sa.Engine, study_id: int | None = None) -> list[tuple[int, int, dt.date]]:
    """The application database's invitations as (study_id, patient_id, invited_on): every
    study's, or ``study_id``'s only."""
    ensure_app_tables(app)
    c = invitations.c
    query = sa.select(c.study_id, c.patient_id, c.invited_on).order_by(c.study_id,
                                                                       c.patient_id)
    if study_id is not None:
        query = query.where(c.study_id == sa.bindparam("study_id", study_id))
    with app.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def recorded_enrolments(app: sa.Engine, study_ids: Collection[int] | None = None
                        ) -> list[tuple[int, int, dt.date]]:
    """The application database's enrolments as (study_id, patient_id, enrolled_on): the
    patients whose current status for a study is ``enrolled`` (an outcome corrected away
    no longer counts), dated by the UTC day the status was recorded; every study's, or
    only those of ``study_ids``."""
    ensure_app_tables(app)
    c = recruitment_status.c
    query = (sa.select(c.study_id, c.patient_id, c.outcome_at)
             .where(c.status == sa.bindparam("enrolled", "enrolled"))
             .order_by(c.study_id, c.patient_id))
    if study_ids is not None:
        query = query.where(c.study_id.in_(sa.bindparam("study_ids", sorted(study_ids),
                                                        expanding=True)))
    with app.connect() as conn:
        return [(s, p, at.date()) for s, p, at in conn.execute(query)]


def sent_enrolments(rows: list[tuple[int, int, dt.date]]) -> sa.Subquery:
    """``rows`` (study_id, patient_id, enrolled_on) as the ``enrolment`` table of a query,
    sent as bound values like the invitations (``sent_rows``: the date in its third
    column, named here for what it is)."""
    sent = sent_rows(rows, "app_enrolment")
    return sa.select(sent.c.study_id, sent.c.patient_id,
                     sent.c.invited_on.label("enrolled_on")).subquery("enrolment")


def _bounded(n: int, what: str) -> None:
    """Refuse more rows than one query may carry (a ``QueryTooCostly``: the API answers
    503 ``query_too_costly`` with limit ``invitations``)."""
    if n > MAX_SENT:
        raise QueryTooCostly(f"{n:,} {what} are too many to send with a query (at most "
                             f"{MAX_SENT:,}; docs/store.md)", "invitations")


def sent_rows(rows: list[tuple[int, int, dt.date]], name: str = "app_invitation") -> sa.CTE:
    """``rows`` as a CTE of bound values (study_id, patient_id, invited_on)."""
    _bounded(len(rows), "invitations")
    return BoundRows(name, rows, [sa.column(n, t) for n, t in COLUMNS]).cte(name)


def union_invitations(store_invitations: sa.FromClause, sent: sa.CTE) -> sa.Subquery:
    """The store's own invitations (if its table has them) and ``sent``, as one table
    ``invitation`` (study_id, patient_id, invited_on), each invitation once."""
    c = store_invitations.c
    study = c.study_id if "study_id" in c else sa.cast(sa.null(), sa.Integer)
    own = sa.select(study.label("study_id"), c.patient_id, c.invited_on)
    return sa.union(own, sa.select(sent.c.study_id, sent.c.patient_id, sent.c.invited_on)
                    ).subquery("invitation")


def sent_ids(ids: list[int], name: str) -> sa.CTE:
    """Patient ids as a CTE of bound values (patient_id)."""
    _bounded(len(ids), "patients")
    return BoundRows(name, [(i,) for i in ids], [sa.column("patient_id", sa.Integer())]
                     ).cte(name)


class WithInvitations:
    """A source whose ``invitations`` include those recorded in the application database
    and whose ``enrolments`` are the application database's; every other table is the
    wrapped source's."""

    def __init__(self, base: Source, app: sa.Engine) -> None:
        self.base = base
        self.app = app

    def __getattr__(self, name: str):
        return getattr(self.base, name)

    @functools.cached_property
    def invitations(self) -> sa.Subquery:
        return union_invitations(self.base.invitations, sent_rows(recorded(self.app)))

    @functools.cached_property
    def enrolments(self) -> sa.Subquery:
        # No store holds enrolments (a source alone has none): only the application
        # database's are read.
        return sent_enrolments(recorded_enrolments(self.app))


def with_invitations(source: Source, app: sa.Engine | None) -> Source:
    """``source`` reading the application database's invitations and enrolments too
    (``app`` None: as is)."""
    if app is None or isinstance(source, WithInvitations):
        return source
    return WithInvitations(source, app)
