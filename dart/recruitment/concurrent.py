"""The default concurrent-trial exclusion, and the criteria a study's cohort is counted with.

A patient enrolled in one interventional trial is, by default, not recruited into another
(concurrent-trial exclusions: issue #16; docs/recruitment.md "Concurrent trials"). So an
**interventional** study's cohort (its funnel's eligible, invite lists and their approval
check, rescreening, forecasts, fair invitations, the representativeness of its eligible)
leaves out everyone currently enrolled in any *other* interventional study, as one more
exclusion rule at the end of its criteria, ``DEFAULT_RULE``, so that every count and funnel
names it as its own step. The rule is the language's ``enrolled ever`` read over the
*current* enrolments of those other studies only (``CurrentEnrolments``): every patient
whose lifecycle status for one of them is ``enrolled`` now. Those are sent undated
(``CURRENT``, before any index date) because a status recorded today is after the store's
extract date, which the language never reads past: the written form `enrolled in study N`
dates an enrolment, the default asks only whether the patient is in a trial now.

A study whose criteria already use ``enrolled`` has said what it wants and gets no default;
an observational study gets none either. The study's own enrolments never exclude: its
enrolled patients are followed by its lifecycle, not re-screened.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Collection

import sqlalchemy as sa

from criteria_grammar import nodes, parse
from dart.recruitment.invitations import recorded_enrolments, sent_enrolments, with_invitations
from dart.recruitment.studies import Study, approved_text
from dart.sources import Source
from dart.sources.coverage import every_condition
from dart.sources.native import NATIVE
from dart.store.app_tables import ensure_app_tables, studies

DEFAULT_RULE = "Enrolled in another interventional trial (default)"
INTERVENTIONAL = "interventional"
CURRENT = dt.date(1900, 1, 1)  # the date a current enrolment is sent with (see above)


def other_interventional(app: sa.Engine, study_id: int) -> list[int]:
    """The ids of every interventional study but ``study_id``."""
    ensure_app_tables(app)
    c = studies.c
    with app.connect() as conn:
        return list(conn.execute(
            sa.select(c.study_id).where(
                sa.or_(c.design == sa.bindparam("design", INTERVENTIONAL), c.design.is_(None)),
                c.study_id != sa.bindparam("study_id", study_id))
            .order_by(c.study_id)).scalars())


class CurrentEnrolments:
    """``base`` (a source sent the application database's rows) whose ``enrolments`` are
    the current ones of ``study_ids`` only, each dated ``CURRENT``."""

    def __init__(self, base: Source, app: sa.Engine, study_ids: Collection[int]) -> None:
        self.base, self.app, self.study_ids = base, app, tuple(study_ids)

    def __getattr__(self, name: str):
        return getattr(self.base, name)

    @functools.cached_property
    def enrolments(self) -> sa.Subquery:
        rows = recorded_enrolments(self.app, self.study_ids)
        return sent_enrolments([(s, p, CURRENT) for s, p, _ in rows])


def applies(study: Study, criteria: nodes.Criteria) -> bool:
    """Whether the default exclusion applies: an interventional study whose criteria do not
    mention ``enrolled``."""
    return study.design == INTERVENTIONAL and not any(
        isinstance(c, nodes.Enrolled) for c in every_condition(criteria))


def study_criteria(study: Study, app: sa.Engine, text: str | None = None,
                   source: Source = NATIVE) -> tuple[nodes.Criteria, Source]:
    """The criteria ``study``'s cohort is counted with (``text``, default its approved
    version, with ``DEFAULT_RULE`` where it applies) and the source to read them from
    (``source`` sent the application database's invitations and enrolments)."""
    criteria = parse(approved_text(study) if text is None else text)
    if not applies(study, criteria):
        return criteria, with_invitations(source, app)
    rule = nodes.Rule("exclude", DEFAULT_RULE, nodes.Enrolled(nodes.Ever()), "enrolled ever")
    criteria = dataclasses.replace(criteria, rules=(*criteria.rules, rule))
    return criteria, CurrentEnrolments(with_invitations(source, app), app,
                                       other_interventional(app, study.study_id))
