"""``dart audit review``: the answers whose sets of patients were 1-7 patients apart.

Every attack on the published counts that docs/disclosure.md weighs (differencing, averaging
pairs, one-person probing, the threshold boundary) needs two answers about sets of patients
that differ by a small group: S with T and S without it, V and V with one more patient.
DART's memory of published counts makes most such pairs read the same; what is left is for
the data owner to catch, and the audit log holds every criteria text answered. This module
replays each feasibility and representativeness answer of a window on the store, with exact
counts on the data owner's own machine (nothing here leaves it), and lists the pairs of
answers in which a set of one is 1 to ``threshold`` patients away from a set of the other,
whoever phrased them and however.

The sets of an answer: the funnel's patients remaining after each rule (the last is the
eligible) and, for each rule, the patients who pass every other rule (representativeness's
"without this rule" population). Each text costs two statements: the base counted per
(first rule failed, whether it is the only one, bucket), as feasibility counts it, then the
patient ids of its sets of up to ``EXACT_UP_TO`` patients, so that the distance between two
such sets is exact. A larger set keeps its size and its counts per bucket (the record key
mod 64, as the disclosure's memory buckets patients): their differences are a lower bound
of the distance that is met unless two of the few differing patients share a bucket
(reported as "about").

The store is read as it is now: if it was refreshed since the answers, their sets are
today's.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import sqlalchemy as sa

from criteria_grammar.errors import CriteriaError
from dart.analysis.disclosure import RecordKeys, record_keys
from dart.analysis.disclosure.keys import BUCKETS, bucket_sql
from dart.analysis.feasibility.queries import failure_columns, rules_cte
from dart.compiler import INTEGER
from dart.sources import Source
from dart.sources.native import NATIVE
from dart.store.app_tables import audit_log
from dart.store.codelists import CodelistError
from dart.store.engine import StoreError

REVIEWED = ("feasibility", "representativeness")
EXACT_UP_TO = 5_000


@dataclass(frozen=True)
class Answer:
    """One answered request of the audit log (its end entry)."""

    audit_id: int
    at: dt.datetime
    user: str | None
    role: str | None
    action: str
    criteria_text: str


@dataclass
class PatientSet:
    """One set of an answer: its name, size, counts per bucket and (when it holds at most
    ``EXACT_UP_TO`` patients) its patient ids, sorted."""

    name: str
    n: int
    buckets: np.ndarray
    ids: np.ndarray | None = None


@dataclass(frozen=True)
class Near:
    """Two answers with sets ``apart`` patients apart (the closest pair of their sets)."""

    first: Answer
    second: Answer
    first_set: str
    second_set: str
    apart: int
    exact: bool
    pairs: int  # pairs of their sets near by their bucket counts (not the same set)

    @property
    def same_user(self) -> bool:
        return self.first.user == self.second.user

    def diff(self) -> list[str]:
        """The second criteria text against the first, as unified-diff lines."""
        return list(difflib.unified_diff(
            self.first.criteria_text.splitlines(), self.second.criteria_text.splitlines(),
            f"audit {self.first.audit_id}", f"audit {self.second.audit_id}", lineterm="", n=1))

    def to_json(self) -> dict:
        return {
            "first": self.first.audit_id, "second": self.second.audit_id,
            "first_user": self.first.user, "second_user": self.second.user,
            "first_set": self.first_set, "second_set": self.second_set,
            "apart": self.apart, "exact": self.exact, "pairs": self.pairs,
            "same_user": self.same_user, "diff": self.diff(),
        }


@dataclass(frozen=True)
class Review:
    """What ``review`` found over a window of the audit log."""

    since: dt.datetime
    threshold: int
    answers: list[Answer]
    near: list[Near]
    not_replayed: list[tuple[Answer, str]]

    def users(self) -> list[dict]:
        """Per user: answers, distinct criteria texts, near pairs among their own answers
        and with other users' (most near pairs first)."""
        out: dict[str | None, dict] = {}
        for a in self.answers:
            row = out.setdefault(a.user, {"user": a.user, "role": a.role, "answers": 0,
                                          "texts": set(), "near_own": 0, "near_others": 0})
            row["answers"] += 1
            row["texts"].add(a.criteria_text)
        for pair in self.near:
            if pair.same_user:
                out[pair.first.user]["near_own"] += 1
            else:
                out[pair.first.user]["near_others"] += 1
                out[pair.second.user]["near_others"] += 1
        rows = [{**r, "texts": len(r["texts"])} for r in out.values()]
        return sorted(rows, key=lambda r: (-r["near_own"] - r["near_others"], str(r["user"])))

    def to_json(self) -> dict:
        return {
            "since": self.since.isoformat(), "threshold": self.threshold,
            "answers": len(self.answers), "users": self.users(),
            "near": [p.to_json() for p in self.near],
            "not_replayed": [{"audit_id": a.audit_id, "user": a.user, "reason": why}
                             for a, why in self.not_replayed],
        }


# A study's report on its invited or enrolled patients is logged with the approved
# criteria's text, but its sets are the lifecycle's, not the criteria's: not replayed.
STAGE_REPORTS = ("stage=invited", "stage=enrolled")


def answered(app: sa.Engine, since: dt.datetime,
             until: dt.datetime | None = None) -> list[Answer]:
    """The successful feasibility and representativeness answers since ``since`` (before
    ``until``), oldest first, but the reports on a study's invited or enrolled patients
    (``STAGE_REPORTS``)."""
    t = audit_log.c
    query = (sa.select(t.audit_id, t.at, t.user_name, t.role, t.action, t.criteria_text)
             .where(t.phase == "end", t.outcome == "ok", t.action.in_(REVIEWED),
                    t.criteria_text.is_not(None),
                    sa.or_(t.detail.is_(None), t.detail.not_in(STAGE_REPORTS)),
                    t.at >= sa.bindparam("since", since, sa.DateTime))
             .order_by(t.audit_id))
    if until is not None:
        query = query.where(t.at < sa.bindparam("until", until, sa.DateTime))
    with app.connect() as conn:
        return [Answer(*row) for row in conn.execute(query)]


Membership = Callable[[Any, Any], Any]


def set_tests(n_rules: int) -> list[tuple[str, Membership]]:
    """The sets of an answer of ``n_rules`` rules (see the module's docstring), each with
    its test of a patient's (first rule failed, only failure): the same expression over
    numpy arrays (the counted rows) and over SQL columns (the small sets' ids)."""

    def after(step: int) -> Membership:
        return lambda first, only: first > step

    def without(rule: int) -> Membership:  # failing no rule, or this rule alone
        return lambda first, only: (first == n_rules) | ((only == 1) & (first == rule))

    steps = [(f"after rule {i + 1}", after(i)) for i in range(n_rules - 1)]
    return [*steps, ("eligible", after(n_rules - 1)),
            *((f"without rule {i + 1}", without(i)) for i in range(n_rules))]


def patient_sets(conn: sa.Connection, text: str, library: Mapping | None = None,
                 source: Source = NATIVE, keys: RecordKeys | None = None) -> list[PatientSet]:
    """The sets of one criteria text on the store: two statements, the base counted per
    (first rule failed, only failure, bucket) as feasibility counts it, then the ids of
    the patients of the small sets only."""
    from dart.compiler import prepare

    compiled = prepare(conn, text, library, source=source).compiled
    n_rules = len(compiled.rules)
    rules = rules_cte(compiled)
    bucket = bucket_sql((keys or record_keys()).sql(rules.c.patient_id))
    if n_rules:
        first, only = failure_columns(rules, n_rules)
        grouped = (first, only, bucket)
    else:  # no rules: everyone passes; one set, the base (constants are not grouped by:
        # SQLite reads GROUP BY 0 as a column's position)
        first, only = sa.literal_column("0", INTEGER), sa.literal_column("0", INTEGER)
        grouped = (bucket,)
    counted = _integers(conn.execute(
        sa.select(first, only, bucket, sa.func.count()).group_by(*grouped)), 4)
    f, o, b, n = counted.T
    tests = set_tests(n_rules)
    sets = []
    for name, test in tests:
        member = test(f, o)
        counts = np.bincount(b[member], weights=n[member], minlength=BUCKETS).astype(np.int64)
        sets.append(PatientSet(name, int(counts.sum()), counts))
    small = [(s, test) for s, (_, test) in zip(sets, tests, strict=True)
             if s.n <= EXACT_UP_TO]
    if small:
        rows = _integers(conn.execute(
            sa.select(rules.c.patient_id, first, only)
            .where(sa.or_(*(test(first, only) for _, test in small)))), 3)
        for s, test in small:
            s.ids = np.sort(rows[test(rows[:, 1], rows[:, 2]), 0])
    return _distinct(sets)


def _integers(result: sa.CursorResult, width: int) -> np.ndarray:
    """A result of integer columns as an array, one row each (without numpy probing every
    row object for an array interface, which costs more than the query)."""
    rows = result.all()
    return np.fromiter(chain.from_iterable(rows), np.int64,
                       len(rows) * width).reshape(-1, width)


def _distinct(sets: list[PatientSet]) -> list[PatientSet]:
    """One of each set (the first name) within one answer."""
    seen: dict[tuple, PatientSet] = {}
    for s in sets:
        key = (s.n, s.buckets.tobytes(), None if s.ids is None else s.ids.tobytes())
        seen.setdefault(key, s)
    return list(seen.values())


def apart(a: PatientSet, b: PatientSet) -> tuple[int, bool]:
    """How many patients are in one set and not the other, and whether that is exact
    (both sets small) or the bucket counts' lower bound."""
    if a.ids is not None and b.ids is not None:
        return len(np.setxor1d(a.ids, b.ids, assume_unique=True)), True
    return int(np.abs(a.buckets - b.buckets).sum()), False


def review(app: sa.Engine, store: sa.Engine, since: dt.datetime, *,
           until: dt.datetime | None = None, threshold: int = 7,
           library: Mapping | None = None, source: Source = NATIVE) -> Review:
    """Replay the answers of a window and pair those whose sets are 1..``threshold``
    patients apart (a text answered twice is replayed once)."""
    answers = answered(app, since, until)
    replayed: dict[str, list[PatientSet]] = {}
    failed: list[tuple[Answer, str]] = []
    with store.connect() as conn:
        for answer in answers:
            text = answer.criteria_text
            if text in replayed:
                continue
            try:
                replayed[text] = patient_sets(conn, text, library, source)
            except (CriteriaError, CodelistError, StoreError) as exc:
                failed.append((answer, str(exc).splitlines()[0]))
                replayed[text] = []
    return Review(since, threshold, answers,
                  list(_near_pairs(answers, replayed, threshold)), failed)


def _near_pairs(answers: list[Answer], replayed: Mapping[str, list[PatientSet]],
                threshold: int) -> Iterator[Near]:
    """Each pair of answers with sets 1..threshold apart; a user's first answer of each
    text stands for their later answers of it.

    Bounded work whatever the files (a file of 500 rules is 1,000 sets): sets are grouped
    by size, each compared at once with the earlier answers' sets within ``threshold`` of
    its size by their bucket counts (whose distance is a lower bound of how far apart two
    sets are), and of a pair of answers' candidates only the ``EXACT_PER_PAIR`` closest
    are measured exactly (the closest that is not the same set is the pair's distance;
    ``pairs`` counts the candidates less those found to be the same set)."""
    firsts: dict[tuple[str | None, str], Answer] = {}
    for answer in answers:
        firsts.setdefault((answer.user, answer.criteria_text), answer)
    chosen = list(firsts.values())
    by_size: dict[int, list[tuple[int, PatientSet]]] = {}
    rows: dict[int, np.ndarray] = {}  # each size's bucket counts, one row per set
    for j, second in enumerate(chosen):
        sets = replayed[second.criteria_text]
        candidates: dict[int, list[tuple[int, PatientSet, PatientSet]]] = {}
        for b in sets:
            for m in range(max(b.n - threshold, 0), b.n + threshold + 1):
                earlier = by_size.get(m)
                if not earlier:
                    continue
                if len(rows.get(m, ())) != len(earlier):  # grown since: built once again
                    rows[m] = np.array([a.buckets for _, a in earlier], dtype=np.int64)
                bound = np.abs(rows[m] - b.buckets).sum(axis=1)
                for k in np.flatnonzero(bound <= threshold):
                    i, a = earlier[k]
                    candidates.setdefault(i, []).append((int(bound[k]), a, b))
        for i in sorted(candidates):
            near = _closest(candidates[i], threshold)
            if near is not None:
                d, exact, a_name, b_name, pairs = near
                yield Near(chosen[i], second, a_name, b_name, d, exact, pairs)
        for b in sets:  # this answer's sets are compared with the later answers'
            by_size.setdefault(b.n, []).append((j, b))


EXACT_PER_PAIR = 64


def _closest(candidates: list[tuple[int, PatientSet, PatientSet]],
             threshold: int) -> tuple[int, bool, str, str, int] | None:
    """The closest of two answers' candidate pairs of sets that are not the same set: its
    distance, whether exact, the sets' names, and how many pairs are near. The same set
    (the same ids; for large sets, the same bucket counts) is set aside first, so however
    many sets two answers share, their near pairs are still measured."""
    rest = [(bound, a, b) for bound, a, b in candidates
            if not (bound == 0 and (a.ids is None or b.ids is None
                                    or np.array_equal(a.ids, b.ids)))]
    # a lower bound of each distance: the bucket counts' (which has the parity of the
    # difference in size, as the distance has), and 2 for two different sets that agree
    # in every bucket (so that such collisions are not measured before sets 1 apart)
    rest.sort(key=lambda c: (c[0] or 2, c[1].name, c[2].name))
    best = None
    for bound, a, b in rest[:EXACT_PER_PAIR]:
        if best is not None and (bound or 2) >= best[0]:
            break  # no later candidate can be closer
        d, exact = apart(a, b)
        if 1 <= d <= threshold and (best is None or d < best[0]):
            best = (d, exact, a.name, b.name)
    return None if best is None else (*best, len(rest))
