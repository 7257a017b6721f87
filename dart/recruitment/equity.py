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
from dart.recruitment.studies import Study, approved_text
from dart.sources.native import NATIVE
from dart.store.app_tables import ensure_app_tables, recruitment_status

STAGES = ("eligible", "invited", "enrolled")


def stage_patients(study_id: int, stage: str) -> sa.Select:
    """The distinct patient ids of ``stage`` ("invited" or "enrolled") for the study."""
    rs, invitation = recruitment_status.c, NATIVE.invitations
    study = sa.bindparam("stage_study_id", study_id, sa.Integer)
    if stage == "enrolled":
        return sa.select(rs.patient_id).where(rs.study_id == study, rs.status == "enrolled")
    if stage == "invited":
        return sa.union(
            sa.select(rs.patient_id).where(rs.study_id == study, rs.invited_at.is_not(None)),
            sa.select(invitation.c.patient_id).where(invitation.c.study_id == study),
        ).subquery("invited").select()
    raise ValueError(f"stage must be one of {', '.join(STAGES)}")


def stage_representativeness(engine: sa.Engine, study: Study, stage: str = "eligible",
                             library: Mapping | None = None,
                             policy: DisclosurePolicy | None = None,
                             thresholds: Thresholds | None = None
                             ) -> RepresentativenessResult:
    """The representativeness of the study's ``stage`` (its approved criteria's eligible,
    invited or enrolled patients), disclosed under ``policy`` (default: the default
    disclosure control)."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}")
    ensure_app_tables(engine)
    members = None if stage == "eligible" else Stage(stage, stage_patients(study.study_id,
                                                                          stage))
    return run_representativeness(engine, approved_text(study), library, policy=policy,
                                  thresholds=thresholds, stage=members)
