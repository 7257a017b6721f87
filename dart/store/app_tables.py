"""DART's own tables: users, studies, study versions, the recruitment record and the audit log.

They live on ``app_metadata``, apart from the GP-record store's ``metadata``, because a real
store arrives through the data owner's extract-and-load and is read as it is: DART creates
only these tables, and only when it first needs them (``ensure_app_tables``). Ids come from
sequences because DuckDB has no auto-increment; SQLite ignores the sequences.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

app_metadata = sa.MetaData()

ROLES = ("sponsor", "practice", "researcher", "admin")
STUDY_STATUSES = ("draft", "approved", "closed")
INVITATION_STATUSES = ("invited", "responded", "declined", "screened_out", "enrolled")
CHANNELS = ("letter", "text_message", "in_person")


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
    _col("user_id", sa.Integer, "who (null: unauthenticated)"),
    _col("user_name", sa.Text, "who, by name at the time"),
    _col("role", sa.Text, "their role at the time"),
    _col("action", sa.Text, "e.g. criteria.check, feasibility, invites.download", nullable=False),
    _col("outcome", sa.Text, "ok, or the error code", nullable=False),
    _col("status", sa.Integer, "HTTP status of the answer", nullable=False),
    _col("criteria_hash", sa.Text, "sha256 hex of the criteria text run"),
    _col("study_id", sa.Integer, "study concerned"),
    _col("practice_id", sa.Integer, "practice concerned"),
    _col("row_count", sa.Integer, "rows listed or recorded"),
    comment="Append-only record of every criteria run, list download and invitation record.",
)

sa.Index("ix_audit_log_at", audit_log.c.at)

# The store's ``invitation`` table (study_id, patient_id, practice_id, invited_on) stays the
# record the criteria language reads (``invited WINDOW``); this table follows each invitation
# on through its outcome. Keyed by study and patient: one lifecycle per patient per study,
# so concurrent recordings of the same batch meet the key and cannot duplicate.
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

APP_TABLES = tuple(app_metadata.tables)

_created: set[str] = set()
_lock = threading.Lock()


def ensure_app_tables(engine: sa.Engine) -> None:
    """Create DART's own tables in ``engine``'s database if they do not exist yet.

    Done once per engine and process; never touches the store's own tables.
    """
    key = engine.url.render_as_string(hide_password=False) + f"#{id(engine)}"
    with _lock:
        if key in _created:
            return
        app_metadata.create_all(engine)
        _created.add(key)
