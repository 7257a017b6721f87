"""Where DART keeps its own database: users, studies, audit, invitations, budget use.

DART's application database is apart from the record store, which DART opens read only
(every command but ``dart generate``). Its URL is ``--app-db URL``, else
``$DART_APP_DATABASE_URL``, else an SQLite file ``app.db`` in the user data directory, next
to the default store (``engine.default_url``); a team points every server and command at one
PostgreSQL database instead.

A data directory from an older DART kept these tables inside the store. The first time an
empty application database is opened next to such a store, ``adopt_store_tables`` copies
them across (users, studies and their versions, the audit log, invitations and their
lifecycle, invite-list runs, dashboard sessions) and says so once; the store itself is never
changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import sqlalchemy as sa

from dart.store.app_tables import (
    app_metadata,
    audit_log,
    dashboard_sessions,
    ensure_app_tables,
    invitations,
    invite_list_runs,
    recruitment_status,
    studies,
    study_versions,
    users,
)
from dart.store.engine import open_engine

ENV_APP_URL = "DART_APP_DATABASE_URL"
# In the order a copy must go (ids first referenced, then the rows that name them).
ADOPTED = (users, studies, study_versions, audit_log, recruitment_status, invite_list_runs,
           dashboard_sessions)


def default_app_url() -> str:
    """``DART_APP_DATABASE_URL`` if set, else ``app.db`` (SQLite) in the user data directory."""
    if os.environ.get(ENV_APP_URL):
        return os.environ[ENV_APP_URL]
    return f"sqlite:///{Path(platformdirs.user_data_dir('dart')) / 'app.db'}"


def open_app_db(url: str | None = None) -> sa.Engine:
    """The application database at ``url`` (default ``default_app_url()``), its tables made
    if missing (an SQLite file and its folder too)."""
    engine = open_engine(url or default_app_url())
    ensure_app_tables(engine)
    return engine


def adopt_store_tables(app: sa.Engine, store: sa.Engine) -> dict[str, int]:
    """Copy an older DART's tables from inside the record ``store`` into the empty
    application database ``app``: {table: rows copied}, empty when there is nothing to do
    (the application database already holds users or studies, or the store holds none).

    Only reads the store. Invitations DART recorded in the store's ``invitation`` table are
    copied too (the language keeps reading the store's own table as well, each invitation
    once). A practice user's ODS code is looked up in the store's ``practice`` table.
    """
    if app.url == store.url or _holds_any(app, (users, studies)):
        return {}
    present = set(sa.inspect(store).get_table_names())
    if not {"users", "studies"} & present:
        return {}
    copied: dict[str, int] = {}
    with store.connect() as source, app.begin() as target:
        for table in ADOPTED:
            if table.name not in present:
                continue
            rows = _old_rows(source, table, present)
            if rows:
                target.execute(table.insert(), rows)
            copied[table.name] = len(rows)
        if "invitation" in present and "studies" in present:
            old = sa.table("invitation",
                           *(sa.column(c.name, c.type) for c in invitations.columns))
            rows = [dict(r._mapping) for r in source.execute(sa.select(*old.c))]
            if rows:
                target.execute(invitations.insert(), rows)
            copied["invitations"] = len(rows)
    _advance_sequences(app)
    return {name: n for name, n in copied.items() if n}


def _holds_any(engine: sa.Engine, tables: tuple[sa.Table, ...]) -> bool:
    with engine.connect() as conn:
        return any(conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first()
                   for t in tables)


def _old_rows(conn: sa.Connection, table: sa.Table, present: set[str]) -> list[dict]:
    """``table``'s rows as an older DART wrote them, with the columns it had."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
    old = sa.table(table.name, *(sa.column(c.name, c.type) for c in table.columns
                                 if c.name in columns))
    query = sa.select(*old.c)
    if table is users and "practice_ods" not in columns and "practice" in present:
        practice = sa.table("practice", sa.column("practice_id"), sa.column("ods_code"))
        query = (sa.select(*old.c, practice.c.ods_code.label("practice_ods"))
                 .select_from(old.outerjoin(practice,
                                            practice.c.practice_id == old.c.practice_id)))
    return [dict(r._mapping) for r in conn.execute(query)]


def _advance_sequences(app: sa.Engine) -> None:
    """After copying rows with their ids, start each id sequence past the largest copied
    (SQLite has no sequences: its integer keys continue by themselves)."""
    if app.dialect.name == "sqlite":
        return
    with app.begin() as conn:
        for table in app_metadata.sorted_tables:
            for column in table.primary_key.columns:
                seq = column.default if isinstance(column.default, sa.Sequence) else None
                if seq is None:
                    continue
                top = conn.execute(sa.select(sa.func.max(column))).scalar() or 0
                if app.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT setval(:s, :v, false)"),
                                 {"s": seq.name, "v": top + 1})
                else:  # DuckDB: a sequence cannot be set, only advanced
                    for _ in range(int(top)):
                        conn.execute(sa.select(seq.next_value()))
