"""DART's own tables: users, studies, study versions, the recruitment record (invitations
and their lifecycle), invite-list runs, dashboard sessions, the audit log and the counts
published under disclosure control.

They live on ``app_metadata`` in the application database (``dart.store.app_db``), apart
from the GP-record store's ``metadata``: a real store arrives through the data owner's
extract-and-load and is read as it is, read only. DART creates these tables when it first
needs them (``ensure_app_tables``). Ids come from sequences because DuckDB has no
auto-increment; SQLite ignores the sequences.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref

import sqlalchemy as sa

app_metadata = sa.MetaData()

ROLES = ("sponsor", "practice", "researcher", "admin")
STUDY_STATUSES = ("draft", "approved", "closed")
# A study's design: an interventional study's cohort leaves out, by default, patients
# enrolled in another interventional study (concurrent-trial exclusion, docs/recruitment.md).
STUDY_DESIGNS = ("interventional", "observational")
INVITATION_STATUSES = ("invited", "responded", "declined", "screened_out", "enrolled")
CHANNELS = ("letter", "text_message", "in_person")


def utcnow() -> dt.datetime:
    """Now in UTC, naive and to the second: how every timestamp of these tables is written
    (every engine stores a naive datetime the same way)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _col(name: str, type_: sa.types.TypeEngine, doc: str, *args, **kw) -> sa.Column:
    return sa.Column(name, type_, *args, comment=doc, doc=doc, **kw)


def _id(name: str, seq: str) -> sa.Column:
    return _col(name, sa.Integer, "id", sa.Sequence(seq, metadata=app_metadata),
                primary_key=True)


users = sa.Table(
    "users",
    app_metadata,
    _id("user_id", "users_id_seq"),
    _col("name", sa.Text, "unique user name", unique=True, nullable=False),
    _col("role", sa.Text, "sponsor, practice, researcher or admin", nullable=False),
    _col("practice_id", sa.Integer, "the practice a practice user acts for (else null)"),
    _col("practice_ods", sa.Text, "that practice's ODS code (the record store is apart)"),
    _col("token_hash", sa.Text, "sha256 hex of the bearer token (the token is never stored)",
         unique=True, nullable=False),
    _col("created_at", sa.DateTime, "when the user was added (UTC)", nullable=False),
    _col("revoked_at", sa.DateTime, "when the token was revoked (UTC); null: active"),
    comment="API users and the hashes of their bearer tokens.",
)

studies = sa.Table(
    "studies",
    app_metadata,
    _id("study_id", "studies_id_seq"),
    _col("title", sa.Text, "study title", nullable=False),
    _col("owner_id", sa.Integer, "the sponsor user who created it", nullable=False),
    _col("status", sa.Text, "draft, approved or closed", nullable=False),
    _col("fatigue_months", sa.Integer, "no invite to anyone invited to any study this recently",
         nullable=False),
    _col("design", sa.Text, "interventional (the default) or observational", nullable=False,
         server_default="interventional"),
    _col("approved_version", sa.Integer, "the frozen criteria version once approved"),
    _col("approved_by", sa.Integer, "the admin who approved it"),
    _col("created_at", sa.DateTime, "created (UTC)", nullable=False),
    _col("approved_at", sa.DateTime, "approved (UTC)"),
    _col("closed_at", sa.DateTime, "closed (UTC)"),
    comment="Studies: criteria under review, approved for recruitment, or closed.",
)

study_versions = sa.Table(
    "study_versions",
    app_metadata,
    _col("study_id", sa.Integer, "study", primary_key=True, autoincrement=False),
    _col("version", sa.Integer, "1, 2, ... in order of submission", primary_key=True,
         autoincrement=False),
    _col("criteria_text", sa.Text, "the criteria, exactly as submitted", nullable=False),
    _col("criteria_hash", sa.Text, "sha256 hex of the UTF-8 criteria text", nullable=False),
    _col("created_at", sa.DateTime, "submitted (UTC)", nullable=False),
    _col("created_by", sa.Integer, "the user who submitted it", nullable=False),
    comment="Immutable criteria versions of a study; never updated or deleted.",
)

audit_log = sa.Table(
    "audit_log",
    app_metadata,
    _id("audit_id", "audit_log_id_seq"),
    _col("at", sa.DateTime, "when (UTC)", nullable=False),
    _col("phase", sa.Text, "start (written before the work) or end (its outcome)",
         nullable=False),
    _col("start_id", sa.Integer, "an end entry's start entry (null on a start entry)"),
    _col("user_id", sa.Integer, "who (null: unauthenticated)"),
    _col("user_name", sa.Text, "who, by name at the time"),
    _col("role", sa.Text, "their role at the time"),
    _col("client", sa.Text, "the client's network address (request entries)"),
    _col("action", sa.Text, "e.g. request, feasibility, invites.download", nullable=False),
    _col("detail", sa.Text, "a request entry's method and path"),
    _col("outcome", sa.Text, "ok, or the error code (end entries)"),
    _col("status", sa.Integer, "HTTP status of the answer (end entries)"),
    _col("criteria_text", sa.Text, "the criteria text run, in full"),
    _col("criteria_hash", sa.Text, "sha256 hex of the criteria text run"),
    _col("study_id", sa.Integer, "study concerned"),
    _col("practice_id", sa.Integer, "practice concerned"),
    _col("row_count", sa.Integer, "rows listed or recorded"),
    _col("patient_ids", sa.Text, "the patients listed or recorded (JSON array of ids)"),
    _col("prev_hash", sa.Text, "entry_hash of the entry before (64 zeros for the first)",
         nullable=False),
    _col("entry_hash", sa.Text, "sha256 of this entry's canonical form, prev_hash included",
         nullable=False),
    comment="Append-only, hash-chained record of every request and every action's start "
            "and outcome.",
)

sa.Index("ix_audit_log_at", audit_log.c.at)
sa.Index("ix_audit_log_user_action", audit_log.c.user_id, audit_log.c.action, audit_log.c.at)

dashboard_sessions = sa.Table(
    "dashboard_sessions",
    app_metadata,
    _col("session_hash", sa.Text, "sha256 hex of the session id (the id is only in the "
         "cookie)", primary_key=True),
    _col("user_id", sa.Integer, "the signed-in user", nullable=False),
    _col("created_at", sa.DateTime, "signed in (UTC)", nullable=False),
    comment="Open dashboard sessions; a row is deleted at sign-out, so its cookie stops "
            "working.",
)

# PostgreSQL refuses any change to an audit row, whoever asks (DART's code only inserts).
_PG_APPEND_ONLY = (
    """CREATE OR REPLACE FUNCTION dart_audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
    END $$""",
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION dart_audit_log_append_only()""",
)


@sa.event.listens_for(audit_log, "after_create")
def _append_only_trigger(target: sa.Table, connection: sa.Connection, **kw) -> None:
    if connection.dialect.name == "postgresql":
        for statement in _PG_APPEND_ONLY:
            connection.execute(sa.text(statement))


# The invitations DART records; the criteria language's ``invited`` conditions read them
# (sent with each query as bound values, ``dart.recruitment.invitations``) beside any a store
# was loaded with in its own ``invitation`` table.
invitations = sa.Table(
    "invitations",
    app_metadata,
    _col("study_id", sa.Integer, "study the invitation was for", primary_key=True,
         autoincrement=False),
    _col("patient_id", sa.Integer, "patient invited", primary_key=True, autoincrement=False),
    _col("practice_id", sa.Integer, "practice that sent it", nullable=False),
    _col("invited_on", sa.Date, "date sent", nullable=False),
    comment="Trial invitations recorded by DART, one row per study and patient.",
)

sa.Index("ix_invitations_patient", invitations.c.patient_id, invitations.c.invited_on)

# ``recruitment_status`` follows each invitation on through its outcome. Keyed by study and
# patient: one lifecycle per patient per study, so concurrent recordings of the same batch
# meet the key and cannot duplicate.
recruitment_status = sa.Table(
    "recruitment_status",
    app_metadata,
    _col("study_id", sa.Integer, "study", primary_key=True, autoincrement=False),
    _col("patient_id", sa.Integer, "patient", primary_key=True, autoincrement=False),
    _col("practice_id", sa.Integer, "the practice recruiting the patient", nullable=False),
    _col("status", sa.Text, "invited, responded, declined, screened_out or enrolled",
         nullable=False),
    _col("channel", sa.Text, "how the invitation went: letter, text_message or in_person"),
    _col("reason", sa.Text, "why screened out (or why a recorded outcome was corrected)"),
    _col("invited_at", sa.DateTime, "when the invitation was recorded (UTC)"),
    _col("responded_at", sa.DateTime, "when a response was recorded (UTC)"),
    _col("outcome_at", sa.DateTime, "when declined, screened out or enrolled (UTC)"),
    _col("updated_at", sa.DateTime, "last change (UTC)", nullable=False),
    _col("updated_by", sa.Integer, "the user who made the last change"),
    comment="Each study's recruitment of each patient: invited, responded, then an outcome.",
)

sa.Index("ix_recruitment_status_practice", recruitment_status.c.study_id,
         recruitment_status.c.practice_id)

invite_list_runs = sa.Table(
    "invite_list_runs",
    app_metadata,
    _id("run_id", "invite_list_runs_id_seq"),
    _col("study_id", sa.Integer, "study", nullable=False),
    _col("practice_id", sa.Integer, "practice", nullable=False),
    _col("list_date", sa.Date, "the list's date", nullable=False),
    _col("index_date", sa.Date, "the index date the criteria were evaluated at",
         nullable=False),
    _col("row_count", sa.Integer, "patients listed", nullable=False),
    _col("made_at", sa.DateTime, "when (UTC)", nullable=False),
    comment="Invite lists given to practices: rescreening marks who is new since the last.",
)

# Every count published as a number to a reader who may not see exact numbers, with what
# identifies its patients without naming them (``dart.analysis.disclosure.memory``): a set
# within a few patients of one published before reads as that one did, in any later answer.
published_cells = sa.Table(
    "published_cells",
    app_metadata,
    _id("cell_id", "published_cells_id_seq"),
    _col("n", sa.Integer, "the exact count of the cell's patients", nullable=False),
    _col("packed", sa.Text, "their packed key: record-key sum and count per bucket "
         "(a decimal integer; never shown)", nullable=False),
    _col("value", sa.Integer, "the count published", nullable=False),
    _col("root_n", sa.Integer, "the exact count of the set whose published count this is",
         nullable=False),
    _col("published_at", sa.DateTime, "when first published (UTC)", nullable=False),
    comment="Counts published under disclosure control, so a set reads the same later.",
)

sa.Index("ix_published_cells_n", published_cells.c.n)

APP_TABLES = tuple(app_metadata.tables)

# The engines whose database has the tables (weakly held: a key made of ``id(engine)``
# could name a new engine once the old one is freed, and skip a database without them).
_created: weakref.WeakSet[sa.Engine] = weakref.WeakSet()
_lock = threading.Lock()


def ensure_app_tables(engine: sa.Engine) -> None:
    """Create DART's own tables in ``engine``'s database if they do not exist yet.

    Done once per engine and process; never touches the store's own tables.
    """
    with _lock:
        if engine in _created:
            return
        _refuse_unchained_audit_log(engine)
        app_metadata.create_all(engine)
        _add_new_columns(engine)
        _created.add(engine)


# Columns added to a table after DART first made it: an older application database gets
# them with their default, keeping every row (SQLite, DuckDB and PostgreSQL all fill an added
# column's DEFAULT in; DuckDB refuses NOT NULL on an added column, so the old table's column
# is only defaulted).
_NEW_COLUMNS = ((studies, "design", "TEXT DEFAULT 'interventional'"),)


def _add_new_columns(engine: sa.Engine) -> None:
    inspector = sa.inspect(engine)
    for table, column, ddl in _NEW_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table.name)}:
            with engine.begin() as conn:
                conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {column} {ddl}"))


def _refuse_unchained_audit_log(engine: sa.Engine) -> None:
    """An ``audit_log`` from a DART before the hash chain cannot take new entries: say so
    (DART never rewrites an audit log itself)."""
    inspector = sa.inspect(engine)
    if not inspector.has_table("audit_log"):
        return
    columns = {c["name"] for c in inspector.get_columns("audit_log")}
    if "entry_hash" not in columns:
        from dart.store.engine import StoreError

        raise StoreError(
            "this database's audit_log was made by an older DART without the hash chain; "
            "keep it under another name (ALTER TABLE audit_log RENAME TO audit_log_old) "
            "and start again: DART then creates the new log")
