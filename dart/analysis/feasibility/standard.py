"""Counting only what rests on good data: acceptable patients of up-to-standard practices.

``up_to_standard_source(conn, source, index_date)`` asks the data-quality profile
(``dart.analysis.profile``) which practices are up to standard on the index date (not
flagged ``no_data``, ``stopped`` or ``gap``, with an up-to-standard date on or before the
index date) and hands back ``source`` restricted to the acceptable patients of those
practices (``dart.sources.restricted``). Feasibility then counts from that base, so the
funnel's base and every count below it are of the restricted population (docs/profile.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from dart.sources import Source
from dart.sources.restricted import RestrictedSource
from dart.store.engine import StoreError

BASE_NOTE = ("acceptable patients of practices up to standard on the index date "
             "(docs/profile.md)")


@dataclass(frozen=True)
class Restriction:
    """Which practices a restricted count kept and left out (ODS codes)."""

    kept: tuple[str, ...]
    left_out: tuple[str, ...]

    def to_json(self) -> dict:
        return {"up_to_standard": True, "base": BASE_NOTE,
                "practices_kept": len(self.kept),
                "practices_left_out": list(self.left_out)}


def up_to_standard_source(conn: sa.Connection, source: Source, index_date: dt.date
                          ) -> RestrictedSource:
    """``source`` restricted to acceptable patients of practices up to standard on
    ``index_date``; its ``about`` says which practices that keeps (``Restriction``). The
    profile reads DART's own store (``StoreError`` for another source)."""
    from dart.analysis.profile.run import practice_profiles

    if source.name != "native":
        raise StoreError("the up-to-standard restriction needs a practice profile, which "
                         f"reads DART's own store (not a {source.name} source)")
    kept, left_out = [], []
    for p in practice_profiles(conn):
        good = p.acceptable and p.up_to_standard is not None and p.up_to_standard <= index_date
        (kept if good else left_out).append(p)
    restriction = Restriction(tuple(sorted(p.ods_code for p in kept)),
                              tuple(sorted(p.ods_code for p in left_out)))
    return RestrictedSource(source, (p.practice_id for p in kept), restriction.to_json())
