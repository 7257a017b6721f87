"""Forecasts: patients newly meeting a study's criteria per month, and the time to target.

**History.** The criteria are evaluated at monthly index dates D0 (the study's index date),
D1 = D0 - 1 month, ... D24 (calendar months, month-end clamped). Month k (the month up to
Dk) counts the patients eligible at Dk who were not eligible at Dk+1: new diagnoses, new
registrations, birthdays, and, for a trial that recruits at an acute presentation
(``has exacerbation within 14 days``), everyone presenting with the triggering record. One
statement per date (each compiles its own record reads); ids compared in Python.

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

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from dart.analysis.disclosure import DisclosurePolicy
from dart.compiler import prepare
from dart.compiler.dates import months_back
from dart.recruitment.invitations import with_invitations
from dart.recruitment.lifecycle import status_counts
from dart.recruitment.rescreen import eligible_by_practice
from dart.recruitment.studies import Study, approved_text
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
    index_date: dt.date
    new: Mapping[int, frozenset[int]]  # practice id -> the newly eligible patients
    eligible: Mapping[int, int]

    @property
    def newly_eligible(self) -> dict[int, int]:
        """Practice id -> how many are newly eligible (exact)."""
        return {p: len(ids) for p, ids in self.new.items()}


@dataclass(frozen=True)
class Projection:
    target: int
    enrolled: int
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
    projection: Projection | None

    def to_json(self, policy: DisclosurePolicy | None = None) -> dict:
        """Each count disclosed under ``policy`` (a suppressed one: null, ``suppressed``)."""
        def count(ids: frozenset[int]) -> dict:
            # newly eligible patients are a set: disclosed by their record keys, as a
            # rescreen publishes the same patients
            shown = policy.disclose_ids(ids) if policy else len(ids)
            return {"count": shown} | ({"suppressed": True} if shown is None else {})

        rows = []
        for m in self.months:
            practices = sorted(set(m.new) | set(m.eligible))
            rows.append({"index_date": m.index_date.isoformat(),
                         "month": m.index_date.strftime("%Y-%m"),
                         "newly_eligible": count(frozenset().union(*m.new.values())),
                         "practices": [{"practice_id": p,
                                        "newly_eligible": count(m.new.get(p, frozenset()))}
                                       for p in practices]})
        out = {"study_id": self.study_id, "months": rows,
               "projection": self.projection.to_json() if self.projection else None}
        if policy is not None:
            out["disclosure"] = policy.to_json()
        return out


def monthly_dates(index: dt.date, months: int) -> list[dt.date]:
    """D0 .. D``months`` (newest first)."""
    return [months_back(index, k) for k in range(months + 1)]


def history(conn: sa.Connection, criteria, library, index: dt.date,
            months: int = HISTORY_MONTHS, source: Source = NATIVE) -> list[Month]:
    """Newly eligible per practice in each of the ``months`` months to ``index``."""
    dates = monthly_dates(index, months)
    sets = [eligible_by_practice(conn, criteria, library, d, source=source) for d in dates]
    out = []
    for k in range(months - 1, -1, -1):
        now, before = sets[k], sets[k + 1]
        out.append(Month(dates[k], {p: frozenset(ids - before.get(p, set()))
                                    for p, ids in now.items()},
                         {p: len(ids) for p, ids in now.items()}))
    return out


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


def project(study_id: int, engine: sa.Engine, target: int, eligible_now: int,
            recent: list[int]) -> Projection:
    """The projection to ``target`` from the lifecycle's counts (``recent``: newly
    eligible in the last months, oldest first)."""
    stages = status_counts(engine, study_id).values()
    invited = sum(s["invited"] for s in stages)
    responded = sum(s["responded"] for s in stages)
    enrolled = sum(s["enrolled"] for s in stages)
    if invited >= MIN_OBSERVED and responded:
        response, enrolment, source = responded / invited, enrolled / responded, "observed"
    else:
        response, enrolment, source = DEFAULT_RESPONSE, DEFAULT_ENROLMENT, DEFAULT_SOURCE
    last = recent[-12:]
    monthly = sum(last) / len(last) if last else 0.0
    pool = max(eligible_now - invited, 0)
    median, low, high = simulate(target - enrolled, pool, monthly, response * enrolment)
    return Projection(target, enrolled, pool, monthly, response, enrolment, source,
                      median, low, high)


def forecast(engine: sa.Engine, study: Study, library: Mapping | None = None, *,
             months: int = HISTORY_MONTHS, target: int | None = None,
             app: sa.Engine | None = None) -> Forecast:
    """The study's monthly history and, given a ``target``, the projection to it; ``app``
    is the application database (default: the store's own database)."""
    app = app or engine
    source = with_invitations(NATIVE, app)
    with engine.connect() as conn:
        ready = prepare(conn, approved_text(study), library, source=source)
        past = history(conn, ready.criteria, ready.library, ready.index_date, months, source)
    projection = None
    if target is not None:
        eligible_now = sum(past[-1].eligible.values()) if past else 0
        recent = [sum(m.newly_eligible.values()) for m in past]
        projection = project(study.study_id, app, target, eligible_now, recent)
    return Forecast(study.study_id, tuple(past), projection)
