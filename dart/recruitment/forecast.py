"""Forecasts: patients newly meeting a study's criteria per month, and the time to target.

**History.** The criteria are evaluated at monthly index dates D0 (the study's index date),
D1 = D0 - 1 month, ... D24 (calendar months, month-end clamped). Month k (the month up to
Dk) counts the patients eligible at Dk who were not eligible at Dk+1 (at the same practice):
new diagnoses, new registrations, birthdays. Every date is one branch of ONE statement
(``monthly``), which returns the counts per month and practice.

**Presentations.** For an acute-presentation trial (its trigger rule, ``acute``: e.g.
``has copd_exacerbation within 14 days``), month k also counts the patients presenting in
that month with the triggering record who meet every other rule at Dk, in the same
statement.

**Projection.** Months until ``target`` patients are enrolled, by simulation: month 1
invites the current pool (eligible now, not yet in the lifecycle); each later month invites
the newly eligible, Poisson with the mean of the last 12 months; each invitee enrols with
probability response x enrolment (binomial). 2,000 runs from a fixed seed give the median
and the 10th-90th percentile interval. The rates are observed from the lifecycle once
``MIN_OBSERVED`` patients were invited, else these defaults:

- response 0.21 and enrolment among responders 0.51: the iSOLVE general-practice trial's
  patient mail-outs (5,241 mailed, 1,091 responded, 560 recruited: "Strategies for
  recruitment in general practice settings: the iSOLVE fall prevention pragmatic cluster
  randomised controlled trial", BMC Medical Research Methodology 2019,
  https://doi.org/10.1186/s12874-019-0869-7).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from criteria_grammar.nodes import Criteria
from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.disclosure.keys import RecordKeys, record_keys
from dart.analysis.disclosure.nested import publish_nested
from dart.compiler import months_back, prepare
from dart.recruitment import acute, monthly
from dart.recruitment.concurrent import study_criteria
from dart.recruitment.funnel import EARLIER
from dart.recruitment.lifecycle import STATUS_STAGES, status_members
from dart.recruitment.studies import Study
from dart.sources import Source
from dart.sources.native import NATIVE

HISTORY_MONTHS = 24
DEFAULT_RESPONSE = 0.21
DEFAULT_ENROLMENT = 0.51
DEFAULT_SOURCE = "iSOLVE (https://doi.org/10.1186/s12874-019-0869-7)"
MIN_OBSERVED = 50
RUNS = 2000
HORIZON = 120  # months simulated at most


@dataclass(frozen=True)
class Month:
    """One month's exact counts per practice (``monthly.Cell``: the eligible at the month's
    index date, the newly eligible, and their record-key sums) and, for an acute trial,
    the patients presenting (their ``eligible``)."""

    index_date: dt.date
    cells: Mapping[int, monthly.Cell]
    presenting: Mapping[int, monthly.Cell] | None = None

    @property
    def newly_eligible(self) -> dict[int, int]:
        """Practice id -> how many are newly eligible (exact)."""
        return {p: c.newly for p, c in self.cells.items()}

    @property
    def eligible(self) -> dict[int, int]:
        """Practice id -> how many are eligible at the month's index date (exact)."""
        return {p: c.eligible for p, c in self.cells.items()}


@dataclass(frozen=True)
class Trigger:
    """The rule an acute-presentation trial recruits at (``acute.trigger_rule``)."""

    index: int
    label: str
    source: str

    def to_json(self) -> dict:
        return {"rule": self.index, "label": self.label, "source": self.source}


@dataclass(frozen=True)
class Projection:
    """Months to ``target`` enrolled, from exact counts (an admin's) or from the counts a
    sponsor is shown (``Forecast.to_json``): never from an exact count a reader may not
    see. ``enrolled`` None: the marker (0..threshold)."""

    target: int
    enrolled: int | None
    pool: int
    monthly_new: float
    response: float
    enrolment: float
    rates_from: str
    median: int | None  # months; None: not reached within HORIZON in half the runs
    low: int | None
    high: int | None

    def to_json(self) -> dict:
        return {"target": self.target, "enrolled": self.enrolled,
                "monthly_new": round(self.monthly_new, 2),
                "response_rate": round(self.response, 3),
                "enrolment_rate": round(self.enrolment, 3), "rates_from": self.rates_from,
                "months_to_target": {"median": self.median, "low": self.low,
                                     "high": self.high, "interval": "10th-90th percentile",
                                     "horizon": HORIZON}}


@dataclass(frozen=True)
class Forecast:
    study_id: int
    months: tuple[Month, ...]  # oldest first
    projection: Projection | None  # from exact counts
    trigger: Trigger | None = None
    stages: Mapping[str, tuple[int, int]] = dataclasses.field(default_factory=dict)
    """The study's patients ever invited, ever responded and enrolled, in total: exact
    count and record-key sum, to publish them as the recruitment funnel's total does."""

    def to_json(self, policy: DisclosurePolicy | None = None) -> dict:
        """Each count disclosed under ``policy`` (a suppressed one: null, ``suppressed``).

        Each count is of a set of patients, disclosed with the sum of their record keys
        (summed in the statement), as a rescreen publishes the same patients. A month's
        practice cells are nested in the month's total (a patient is at one practice on a
        date), so each reads as the total when within the threshold of it
        (``nested.publish_nested``): a practice with all but a few of the month's newly
        eligible gives no look at the other practices' few."""
        none = monthly.Cell(0, 0)
        series = [("newly_eligible", lambda m: m.cells, lambda c: (c.newly, c.newly_key)),
                  ("presenting", lambda m: m.presenting, lambda c: (c.eligible, c.eligible_key))]
        cells: dict = {}
        anchors: dict = {}
        for i, m in enumerate(self.months):
            practices = set(m.cells) | set(m.presenting or {})
            for what, of, exact in series:
                found = of(m)
                if found is None:
                    continue
                pairs = [exact(found.get(p, none)) for p in practices]
                cells[(i, what, None)] = (sum(n for n, _ in pairs), sum(k for _, k in pairs))
                for p in practices:
                    cells[(i, what, p)] = exact(found.get(p, none))
                    anchors[(i, what, p)] = ((i, what, None),)
        if policy is None:
            shown = {name: n for name, (n, _) in cells.items()}
        else:  # with the policy's memory, if any: packed keys (``monthly.Cell``)
            shown = publish_nested(policy, cells, anchors)
        projection = self.projection
        if projection is not None and policy is not None and policy.enabled:
            projection = self._published_projection(
                policy, [shown[(i, "newly_eligible", None)] for i in range(len(self.months))])

        def count(name: tuple) -> dict:
            value = shown[name]
            return {"count": value} | ({"suppressed": True} if value is None else {})

        rows = []
        for i, m in enumerate(self.months):
            practices = sorted(set(m.cells) | set(m.presenting or {}))
            row = {"index_date": m.index_date.isoformat(),
                   "month": m.index_date.strftime("%Y-%m"),
                   "newly_eligible": count((i, "newly_eligible", None)),
                   "practices": [{"practice_id": p,
                                  "newly_eligible": count((i, "newly_eligible", p))}
                                 for p in practices]}
            if m.presenting is not None:
                row["presenting"] = count((i, "presenting", None))
                for p in row["practices"]:
                    p["presenting"] = count((i, "presenting", p["practice_id"]))
            rows.append(row)
        out = {"study_id": self.study_id, "months": rows,
               "trigger": self.trigger.to_json() if self.trigger else None,
               "projection": projection.to_json() if projection else None}
        if policy is not None:
            out["disclosure"] = policy.to_json()
        return out

    def _published_projection(self, policy: DisclosurePolicy,
                              recent: list[int | None]) -> Projection:
        """The projection from the counts the reader is shown: the months' newly eligible
        (``recent``, as published), the eligible now and the lifecycle's totals as the
        recruitment funnel publishes them (the same cells, the same anchors: enrolled in
        responded in invited); a marker counts as the middle of 0..threshold."""
        last = self.months[-1].cells.values() if self.months else ()
        eligible = policy.publish(sum(c.eligible for c in last),
                                  sum(c.eligible_key for c in last))
        none = (0, 0)
        cells = {s: self.stages.get(s, none) for s in STATUS_STAGES}
        stages = publish_nested(policy, cells, {s: (before,) for s, before in EARLIER.items()})
        middle = (policy.threshold + 1) // 2
        return project(self.projection.target, eligible, recent, stages, marker_as=middle)


def monthly_dates(index: dt.date, months: int) -> list[dt.date]:
    """D0 .. D``months`` (newest first)."""
    return [months_back(index, k) for k in range(months + 1)]


CRITERIA, PRESENTING = 0, 1  # the series of ``monthly.evaluate``


def history(conn: sa.Connection, criteria: Criteria, library, index: dt.date,
            months: int = HISTORY_MONTHS, keys: RecordKeys | None = None,
            source: Source = NATIVE) -> list[Month]:
    """Newly eligible per practice in each of the ``months`` months to ``index`` (oldest
    first) and, for an acute-presentation trial, those presenting in each month; cell keys
    summed with ``keys`` (default: the deployment's record keys), records read from
    ``source``."""
    dates = monthly_dates(index, months)
    series = [monthly.Series(CRITERIA, [criteria] * len(dates), dates)]
    rule = acute.trigger_rule(criteria)
    if rule is not None:
        # The oldest date has no month before it: the file as it is stands in for it.
        at = [acute.presenting(criteria, rule, dates[k + 1] + dt.timedelta(days=1), dates[k])
              for k in range(months)] + [criteria]
        series.append(monthly.Series(PRESENTING, at, dates))
    counts = monthly.evaluate(conn, series, library, keys, source,
                              pack_eligible={PRESENTING})
    out = []
    for k in range(months - 1, -1, -1):
        presenting = counts.get((PRESENTING, k), {}) if rule is not None else None
        out.append(Month(dates[k], counts.get((CRITERIA, k), {}), presenting))
    return out


def trigger_of(criteria: Criteria) -> Trigger | None:
    """The acute-presentation trigger rule of ``criteria``, if it has one."""
    rule = acute.trigger_rule(criteria)
    if rule is None:
        return None
    found = criteria.rules[rule]
    return Trigger(rule, found.label, found.source)


def simulate(target: int, pool: int, monthly_new: float, p: float,
             runs: int = RUNS, seed: int = 20260101) -> tuple[int | None, ...]:
    """(median, 10th, 90th percentile) months to ``target`` enrolments (None: beyond
    ``HORIZON``)."""
    if target <= 0:
        return (0, 0, 0)
    rng = np.random.default_rng(seed)
    invited = rng.poisson(monthly_new, size=(runs, HORIZON))
    invited[:, 0] += pool
    enrolled = rng.binomial(invited, p).cumsum(axis=1)
    reached = enrolled >= target
    months = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, HORIZON + 1)
    out = []
    for q in (50, 10, 90):
        v = int(np.percentile(months, q, method="inverted_cdf"))
        out.append(None if v > HORIZON else v)
    return tuple(out)


def project(target: int, eligible_now: int | None, recent: Sequence[int | None],
            stages: Mapping[str, int | None], *, marker_as: int = 0) -> Projection:
    """The projection to ``target`` from the eligible now, the newly eligible of the last
    months (``recent``, oldest first) and the lifecycle's totals (``stages``: invited,
    responded, enrolled); a count None (the marker) is taken as ``marker_as``."""
    def n(value: int | None) -> int:
        return marker_as if value is None else value

    invited, responded, enrolled = (n(stages.get(s)) for s in
                                    ("invited", "responded", "enrolled"))
    if invited >= MIN_OBSERVED and responded:
        response, enrolment = responded / invited, min(enrolled / responded, 1.0)
        source = "observed"
    else:
        response, enrolment, source = DEFAULT_RESPONSE, DEFAULT_ENROLMENT, DEFAULT_SOURCE
    last = [n(v) for v in recent[-12:]]
    monthly = sum(last) / len(last) if last else 0.0
    pool = max(n(eligible_now) - invited, 0)
    median, low, high = simulate(target - enrolled, pool, monthly, response * enrolment)
    return Projection(target, stages.get("enrolled"), pool, monthly, response, enrolment,
                      source, median, low, high)


def forecast(engine: sa.Engine, study: Study, library: Mapping | None = None, *,
             months: int = HISTORY_MONTHS, target: int | None = None,
             keys: RecordKeys | None = None, app: sa.Engine | None = None) -> Forecast:
    """The study's monthly history and, given a ``target``, the projection to it (``keys``:
    the record keys of the policy that will disclose it, default the deployment's; ``app``:
    the application database, default the store's own database)."""
    app = app or engine
    criteria, source = study_criteria(study, app)
    with engine.connect() as conn:
        ready = prepare(conn, criteria, library, source=source)
        past = history(conn, ready.criteria, ready.library, ready.index_date, months, keys,
                       source)
    projection, stages = None, {}
    if target is not None:
        eligible_now = sum(past[-1].eligible.values()) if past else 0
        recent = [sum(m.newly_eligible.values()) for m in past]
        members = status_members(app, study.study_id).values()
        of = keys or record_keys()
        for stage in STATUS_STAGES:
            stages[stage] = of.cell(set().union(*(m[stage] for m in members)))
        projection = project(target, eligible_now, recent,
                             {s: n for s, (n, _) in stages.items()})
    return Forecast(study.study_id, tuple(past), projection, trigger_of(ready.criteria),
                    stages)
