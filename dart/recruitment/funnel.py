"""The recruitment funnel of a study, by practice: eligible, invited, responded, enrolled.

*Eligible* is who meets the approved criteria now (at the index date); *invited*,
*responded* and *enrolled* are who ever reached that stage (``lifecycle``), so a patient who
responded and then declined still counts as responded. The funnel leaves for a sponsor as
counts only. Each stage is a set of patients, so it is disclosed by its patients' record keys
(``DisclosurePolicy.disclose_ids``): the study's eligible patients at a practice publish the
same number here as in feasibility's practice breakdown or a rescreen, never a second,
independent look at the same patients. Within the funnel, a cell within 0..7 patients of
the cell it lies in is published as that cell (``disclosure.nested``): a practice's stage
and the stage's total, a stage and the one before it (enrolled, responded, invited); the
eligible patients of a practice are anchored as feasibility anchors its practice cell (its
region, its nation, the total), so the two read the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.disclosure.nested import breakdown_anchors, publish_nested
from dart.compiler import prepare
from dart.recruitment.concurrent import study_criteria
from dart.recruitment.lifecycle import STATUS_STAGES, status_members
from dart.recruitment.rescreen import eligible_by_practice
from dart.recruitment.studies import Study

STAGES = ("eligible", "invited", "responded", "enrolled")
# Who reached a stage reached the one before it: its anchor.
EARLIER = {"responded": "invited", "enrolled": "responded"}


@dataclass(frozen=True)
class Funnel:
    study_id: int
    index_date: dt.date
    members: Mapping[int, Mapping[str, frozenset[int]]]  # practice id -> stage -> ids
    regions: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    """Practice id -> (region, nation), for the practices with eligible patients."""

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
        shown = self._published(policy) if policy else None

        def row(where, members: Mapping[str, frozenset[int]]) -> list[dict]:
            cells = []
            for stage in STAGES:
                n = shown[(where, stage)] if shown is not None else len(members[stage])
                cells.append({"stage": stage, "count": n}
                             | ({"suppressed": True} if n is None else {}))
            return cells

        out = {"study_id": self.study_id, "index_date": self.index_date.isoformat(),
               "total": row("total", self._total_members()),
               "practices": [{"practice_id": p, "stages": row(p, m)}
                             for p, m in sorted(self.members.items())]}
        if policy is not None:
            out["disclosure"] = policy.to_json()
        return out


    def _published(self, policy: DisclosurePolicy) -> dict:
        """Every stage of every practice and of the total, published with its anchors."""
        exact = policy.keys.cell  # the count and packed key, as the SQL's
        cells, anchors = {}, {}
        for where, stages in (("total", self._total_members()), *self.members.items()):
            for stage in STAGES:
                cells[(where, stage)] = exact(stages[stage])
                before = ((where, EARLIER[stage]),) if stage in EARLIER else ()
                anchors[(where, stage)] = before + (
                    (("total", stage),) if where != "total" else ())
        # The eligible patients by region and nation, anchored as feasibility's breakdown.
        eligible = {p: m["eligible"] for p, m in self.members.items() if m["eligible"]}
        for dim, place in (("region", 0), ("nation", 1)):
            for group in {self.regions[p][place] for p in eligible if p in self.regions}:
                cells[((dim, group), "eligible")] = exact(frozenset().union(*(
                    ids for p, ids in eligible.items()
                    if p in self.regions and self.regions[p][place] == group)))
        places = {"practice": [(p, self.regions.get(p, (None,))[0]) for p in eligible],
                  "region": [(r, nation) for r, nation in set(self.regions.values())],
                  "nation": [(n, None) for _, n in set(self.regions.values())]}
        anchors |= breakdown_anchors(
            ("total", "eligible"), places,
            name=lambda dim, group: (group if dim == "practice" else (dim, group), "eligible"))
        return publish_nested(policy, cells, anchors)


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
        rules = ready.compiled.patient_rules.subquery()
        regions = {p: (region, nation) for p, region, nation in conn.execute(
            sa.select(rules.c.practice_id, rules.c.region, rules.c.nation).distinct()
            .where(rules.c.eligible == 1))}
    stages = status_members(app, study.study_id)
    none: dict[str, set[int]] = {s: set() for s in STATUS_STAGES}
    members = {}
    for p in sorted(set(eligible) | set(stages)):
        members[p] = {"eligible": frozenset(eligible.get(p, ())),
                      **{s: frozenset(ids) for s, ids in stages.get(p, none).items()}}
    return Funnel(study.study_id, ready.index_date, members, regions)
