"""The recruitment funnel of a study, by practice: eligible, invited, responded, enrolled.

*Eligible* is who meets the approved criteria now (at the index date); *invited*,
*responded* and *enrolled* are who ever reached that stage (``lifecycle``), so a patient who
responded and then declined still counts as responded. The funnel leaves for a sponsor as
counts only. Each stage is a set of patients, so it is disclosed by its patients' record keys
(``DisclosurePolicy.disclose_ids``): the study's eligible patients at a practice publish the
same number here as in feasibility's practice breakdown or a rescreen, never a second,
independent look at the same patients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from dart.analysis.disclosure import DisclosurePolicy
from dart.compiler import prepare
from dart.recruitment.concurrent import study_criteria
from dart.recruitment.lifecycle import STATUS_STAGES, status_members
from dart.recruitment.rescreen import eligible_by_practice
from dart.recruitment.studies import Study

STAGES = ("eligible", "invited", "responded", "enrolled")


@dataclass(frozen=True)
class Funnel:
    study_id: int
    index_date: dt.date
    members: Mapping[int, Mapping[str, frozenset[int]]]  # practice id -> stage -> ids

    @property
    def practices(self) -> dict[int, dict[str, int]]:
        """Practice id -> stage -> exact count."""
        return {p: {s: len(ids) for s, ids in stages.items()}
                for p, stages in self.members.items()}

    @property
    def total(self) -> dict[str, int]:
        return {s: len(ids) for s, ids in self._total_members().items()}

    def _total_members(self) -> dict[str, frozenset[int]]:
        return {s: frozenset().union(*(p[s] for p in self.members.values())) for s in STAGES}

    def to_json(self, policy: DisclosurePolicy | None = None) -> dict:
        """Each count disclosed under ``policy`` (when given), one object per stage: a
        suppressed count is null with ``"suppressed": true`` beside it."""
        def row(members: Mapping[str, frozenset[int]]) -> list[dict]:
            cells = []
            for stage in STAGES:
                n = policy.disclose_ids(members[stage]) if policy else len(members[stage])
                cells.append({"stage": stage, "count": n}
                             | ({"suppressed": True} if n is None else {}))
            return cells

        out = {"study_id": self.study_id, "index_date": self.index_date.isoformat(),
               "total": row(self._total_members()),
               "practices": [{"practice_id": p, "stages": row(m)}
                             for p, m in sorted(self.members.items())]}
        if policy is not None:
            out["disclosure"] = policy.to_json()
        return out


def funnel(engine: sa.Engine, study: Study, library: Mapping | None = None, *,
           app: sa.Engine | None = None) -> Funnel:
    """The study's funnel now (exact counts; disclose them in ``to_json``); ``app`` is the
    application database (default: the store's own database)."""
    app = app or engine
    criteria, source = study_criteria(study, app)
    with engine.connect() as conn:
        ready = prepare(conn, criteria, library, source=source)
        eligible = eligible_by_practice(conn, ready.criteria, ready.library, ready.index_date,
                                        source=source)
    stages = status_members(app, study.study_id)
    none: dict[str, set[int]] = {s: set() for s in STATUS_STAGES}
    members = {}
    for p in sorted(set(eligible) | set(stages)):
        members[p] = {"eligible": frozenset(eligible.get(p, ())),
                      **{s: frozenset(ids) for s, ids in stages.get(p, none).items()}}
    return Funnel(study.study_id, ready.index_date, members)
