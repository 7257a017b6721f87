"""Studies: criteria under review, approved for recruitment, then closed.

A study's criteria are kept as immutable versions (the text exactly as submitted and its
sha256). A draft takes new versions; approval freezes one of them and from then on invite
lists are built from that version only; a closed study is finished. No function here updates
or deletes a version. Plain functions over SQLAlchemy Core; callers check who may do what.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from dart.analysis.feasibility import criteria_hash
from dart.store.app_tables import (
    STUDY_DESIGNS,
    ensure_app_tables,
    studies,
    study_versions,
    utcnow,
)

DEFAULT_FATIGUE_MONTHS = 6


class StudyError(Exception):
    """A study change that its state does not allow (``code`` is stable: ``conflict``)."""

    def __init__(self, message: str, code: str = "conflict"):
        self.code = code
        super().__init__(message)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class StudyVersion:
    study_id: int
    version: int
    criteria_text: str
    criteria_hash: str
    created_at: dt.datetime

    def to_json(self) -> dict:
        return {"version": self.version, "criteria": self.criteria_text,
                "criteria_hash": self.criteria_hash, "created_at": _iso(self.created_at)}


@dataclass(frozen=True)
class Study:
    study_id: int
    title: str
    owner_id: int
    status: str
    fatigue_months: int
    approved_version: int | None
    created_at: dt.datetime
    approved_at: dt.datetime | None
    closed_at: dt.datetime | None
    versions: tuple[StudyVersion, ...] = field(default=())
    design: str = "interventional"  # or observational (STUDY_DESIGNS)

    @property
    def approved(self) -> StudyVersion | None:
        """The frozen version, once approved."""
        return next((v for v in self.versions if v.version == self.approved_version), None)

    def to_json(self, versions: tuple[StudyVersion, ...] | None = None) -> dict:
        shown = self.versions if versions is None else versions
        return {
            "id": self.study_id, "title": self.title, "status": self.status,
            "fatigue_months": self.fatigue_months, "design": self.design,
            "approved_version": self.approved_version,
            "created_at": _iso(self.created_at), "approved_at": _iso(self.approved_at),
            "closed_at": _iso(self.closed_at), "versions": [v.to_json() for v in shown],
        }


def approved_text(study: Study) -> str:
    """The frozen criteria text of an approved study (``ValueError`` if none)."""
    if study.approved is None:
        raise ValueError(f"study {study.study_id} has no approved version")
    return study.approved.criteria_text


def _versions(conn: sa.Connection, ids: list[int]) -> dict[int, list[StudyVersion]]:
    found: dict[int, list[StudyVersion]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = conn.execute(
        sa.select(study_versions).where(study_versions.c.study_id.in_(ids))
        .order_by(study_versions.c.study_id, study_versions.c.version)
    )
    for r in rows:
        found[r.study_id].append(StudyVersion(r.study_id, r.version, r.criteria_text,
                                              r.criteria_hash, r.created_at))
    return found


def _load(conn: sa.Connection, where: sa.ColumnElement[bool] | None = None) -> list[Study]:
    query = sa.select(studies).order_by(studies.c.study_id)
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query).all()
    versions = _versions(conn, [r.study_id for r in rows])
    return [
        Study(r.study_id, r.title, r.owner_id, r.status, r.fatigue_months, r.approved_version,
              r.created_at, r.approved_at, r.closed_at, tuple(versions[r.study_id]),
              r.design or "interventional")
        for r in rows
    ]


def get_study(engine: sa.Engine, study_id: int) -> Study | None:
    """The study with its versions, or None."""
    ensure_app_tables(engine)
    with engine.connect() as conn:
        found = _load(conn, studies.c.study_id == study_id)
    return found[0] if found else None


def list_studies(engine: sa.Engine, *, owner_id: int | None = None,
                 status: str | None = None) -> list[Study]:
    """Studies, oldest first, optionally only one owner's or one status."""
    ensure_app_tables(engine)
    where = sa.true()
    if owner_id is not None:
        where = sa.and_(where, studies.c.owner_id == owner_id)
    if status is not None:
        where = sa.and_(where, studies.c.status == status)
    with engine.connect() as conn:
        return _load(conn, where)


def create_study(engine: sa.Engine, owner_id: int, title: str, criteria_text: str,
                 fatigue_months: int = DEFAULT_FATIGUE_MONTHS,
                 design: str = "interventional") -> Study:
    """A new draft study whose version 1 is ``criteria_text``; ``design`` one of
    ``STUDY_DESIGNS`` (``ValueError`` otherwise)."""
    if design not in STUDY_DESIGNS:
        raise ValueError(f"design must be one of {', '.join(STUDY_DESIGNS)}")
    ensure_app_tables(engine)
    now = utcnow()
    with engine.begin() as conn:
        study_id = conn.execute(
            studies.insert().values(title=title, owner_id=owner_id, status="draft",
                                    fatigue_months=fatigue_months, design=design,
                                    created_at=now)
        ).inserted_primary_key[0]
        conn.execute(study_versions.insert().values(
            study_id=study_id, version=1, criteria_text=criteria_text,
            criteria_hash=criteria_hash(criteria_text), created_at=now, created_by=owner_id,
        ))
    return get_study(engine, study_id)


def add_version(engine: sa.Engine, study_id: int, criteria_text: str, user_id: int) -> Study:
    """Append a criteria version to a draft study."""
    with engine.begin() as conn:
        status = conn.execute(
            sa.select(studies.c.status).where(studies.c.study_id == study_id)
        ).scalar_one()
        if status != "draft":
            raise StudyError(f"study {study_id} is {status}; only a draft takes new versions")
        last = conn.execute(
            sa.select(sa.func.max(study_versions.c.version))
            .where(study_versions.c.study_id == study_id)
        ).scalar() or 0
        conn.execute(study_versions.insert().values(
            study_id=study_id, version=last + 1, criteria_text=criteria_text,
            criteria_hash=criteria_hash(criteria_text), created_at=utcnow(), created_by=user_id,
        ))
    return get_study(engine, study_id)


def approve_study(engine: sa.Engine, study_id: int, admin_id: int,
                  version: int | None = None) -> Study:
    """Freeze ``version`` (default: the latest) of a draft study and open it for recruitment."""
    found = get_study(engine, study_id)
    if found.status != "draft":
        raise StudyError(f"study {study_id} is {found.status}; only a draft can be approved")
    numbers = [v.version for v in found.versions]
    chosen = numbers[-1] if version is None else version
    if chosen not in numbers:
        raise StudyError(f"study {study_id} has no version {version}", code="bad_version")
    with engine.begin() as conn:
        conn.execute(studies.update().where(studies.c.study_id == study_id,
                                            studies.c.status == "draft")
                     .values(status="approved", approved_version=chosen,
                             approved_by=admin_id, approved_at=utcnow()))
    return get_study(engine, study_id)


def close_study(engine: sa.Engine, study_id: int) -> Study:
    """Close a draft or approved study: no more lists or invitations."""
    found = get_study(engine, study_id)
    if found.status == "closed":
        raise StudyError(f"study {study_id} is already closed")
    with engine.begin() as conn:
        conn.execute(studies.update().where(studies.c.study_id == study_id)
                     .values(status="closed", closed_at=utcnow()))
    return get_study(engine, study_id)
