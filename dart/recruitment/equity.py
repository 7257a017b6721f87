"""Equity through the pipeline: the representativeness of a study's invited and enrolled.

The same method and report as the eligible cohort's (``dart.analysis.representativeness``,
docs/representativeness.md), with the cohort replaced by a stage of the invitation
lifecycle and the eligible added as a reference, so that a gap is seen where it arises: in
the criteria (eligible against the target population and the UK), in who the practices
invite (invited against the eligible) or in who takes part (enrolled against the invited's
eligible pool).

* **invited**: every patient an invitation was recorded for (the lifecycle's ``invited_at``,
  or an ``invitation`` row from before the lifecycle), whatever happened next;
* **enrolled**: the lifecycle's ``enrolled``.

Patients are described as they are at the criteria's index date and counted only while in
the base population then (registered, living, not opted out): someone who has since
opted out of research is not described.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.representativeness import (
    RepresentativenessResult,
    Stage,
    Thresholds,
    run_representativeness,
)
from dart.recruitment.concurrent import study_criteria
from dart.recruitment.invitations import recorded, sent_ids
from dart.recruitment.lifecycle import status_members
from dart.recruitment.studies import Study
from dart.sources.native import NATIVE

STAGES = ("eligible", "invited", "enrolled")


def stage_ids(app: sa.Engine, study_id: int, stage: str) -> list[int]:
    """The distinct patient ids of ``stage`` ("invited" or "enrolled") for the study, from
    the application database (the store's own ``invitation`` table is read with the query,
    ``stage_representativeness``)."""
    if stage not in STAGES[1:]:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}")
    ids: set[int] = set()
    for stages in status_members(app, study_id).values():
        ids |= stages[stage]
    if stage == "invited":  # invitations recorded before the lifecycle
        ids |= {patient for _, patient, _ in recorded(app, study_id)}
    return sorted(ids)


def stage_representativeness(engine: sa.Engine, study: Study, stage: str = "eligible",
                             library: Mapping | None = None,
                             policy: DisclosurePolicy | None = None,
                             thresholds: Thresholds | None = None,
                             app: sa.Engine | None = None) -> RepresentativenessResult:
    """The representativeness of the study's ``stage`` (its approved criteria's eligible,
    invited or enrolled patients), disclosed under ``policy`` (default: the default
    disclosure control); ``app``: the application database (default: the store's own).
    The stage's patients are sent with the query as bound values."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}")
    app = app or engine
    members = None
    if stage != "eligible":
        sent = sent_ids(stage_ids(app, study.study_id, stage), f"{stage}_patients")
        patients = sa.select(sent.c.patient_id)
        if stage == "invited":  # and the store's own invitations for the study, if any
            own = NATIVE.invitations.c
            patients = sa.union(patients, sa.select(own.patient_id).where(
                own.study_id == sa.bindparam("stage_study_id", study.study_id, sa.Integer))
                                ).subquery("invited").select()
        members = Stage(stage, patients)
    criteria, source = study_criteria(study, app)
    return run_representativeness(engine, criteria, library, policy=policy,
                                  thresholds=thresholds, stage=members, source=source)
