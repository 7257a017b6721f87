"""The recruitment funnel of a study, by practice: eligible, invited, responded, enrolled.

*Eligible* is who meets the approved criteria now (at the index date); *invited*,
*responded* and *enrolled* are who ever reached that stage (``lifecycle``), so a patient who
responded and then declined still counts as responded. The funnel leaves for a sponsor as
counts only, each disclosed through ``DisclosurePolicy.disclose``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from dart.analysis.disclosure import DisclosurePolicy
from dart.compiler import prepare
from dart.recruitment.invitations import with_invitations
from dart.recruitment.lifecycle import status_counts
from dart.recruitment.rescreen import eligible_by_practice
from dart.recruitment.studies import Study, approved_text
from dart.sources.native import NATIVE

STAGES = ("eligible", "invited", "responded", "enrolled")


@dataclass(frozen=True)
class Funnel:
    study_id: int
    index_date: dt.date
    practices: Mapping[int, Mapping[str, int]]  # practice id -> stage -> exact count

    @property
    def total(self) -> dict[str, int]:
        return {s: sum(p[s] for p in self.practices.values()) for s in STAGES}

    def to_json(self, policy: DisclosurePolicy | None = None) -> dict:
        """Each count disclosed under ``policy`` (when given), one object per stage: a
        suppressed count is null with ``"suppressed": true`` beside it."""
        def row(counts: Mapping[str, int], where: str) -> list[dict]:
            cells = []
            for stage in STAGES:
                n = (policy.disclose_aggregate(counts[stage], f"funnel {self.study_id} "
                                               f"{where} {stage}")
                     if policy else counts[stage])
                cells.append({"stage": stage, "count": n}
                             | ({"suppressed": True} if n is None else {}))
            return cells

        out = {"study_id": self.study_id, "index_date": self.index_date.isoformat(),
               "total": row(self.total, "total"),
               "practices": [{"practice_id": p, "stages": row(c, f"practice {p}")}
                             for p, c in sorted(self.practices.items())]}
        if policy is not None:
            out["disclosure"] = policy.to_json()
        return out


def funnel(engine: sa.Engine, study: Study, library: Mapping | None = None, *,
           app: sa.Engine | None = None) -> Funnel:
    """The study's funnel now (exact counts; disclose them in ``to_json``); ``app`` is the
    application database (default: the store's own database)."""
    app = app or engine
    source = with_invitations(NATIVE, app)
    with engine.connect() as conn:
        ready = prepare(conn, approved_text(study), library, source=source)
        eligible = eligible_by_practice(conn, ready.criteria, ready.library, ready.index_date,
                                        source=source)
    stages = status_counts(app, study.study_id)
    practices = {}
    for p in sorted(set(eligible) | set(stages)):
        practices[p] = {"eligible": len(eligible.get(p, ())),
                        **stages.get(p, {"invited": 0, "responded": 0, "enrolled": 0})}
    return Funnel(study.study_id, ready.index_date, practices)
