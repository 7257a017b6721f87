"""``dart audit review``: answers replayed from the audit log, pairs of sets 1-7 apart.

The store: 30 women (patients 1-30) and 10 men (31-40), all born in 1970 but man 31,
born in 1930 (the only patient aged 90 or more). So ``sex is female`` is 30 patients,
``sex is female or age >= 90`` is those and man 31 (one apart), ``age >= 18`` is all 40
(10 and 9 apart: not flagged), ``age >= 90`` is man 31 alone and ``age >= 90 and sex is
female`` is nobody (one apart: a one-person probe).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from click.testing import CliRunner

from dart.analysis.disclosure import record_keys
from dart.analysis.disclosure.keys import BUCKETS
from dart.app.accounts import User
from dart.app.audit import AuditEntry, AuditLog
from dart.app.audit_review import EXACT_UP_TO, PatientSet, apart, review
from dart.cli import main
from dart.store.app_db import open_app_db
from dart.store.engine import create_store, open_engine
from tests.support.tables import load_tables

STORE = "\n".join(
    ["patient", "patient_id | sex | date_of_birth"]
    + [f"{i} | F | 1970-01-01" for i in range(1, 31)]
    + ["31 | M | 1930-05-01"] + [f"{i} | M | 1970-01-01" for i in range(32, 41)])
WOMEN = 'include "Women": sex is female\n'
WOMEN_OR_T = 'include "Women": sex is female or age >= 90\n'
ADULTS = 'include "Adults": age >= 18\n'
OLDEST = 'include "Oldest": age >= 90\n'
OLDEST_WOMAN = 'include "Oldest": age >= 90 and sex is female\n'
SPONSOR, SPONSOR2 = User(1, "sponsor", "sponsor"), User(2, "sponsor2", "sponsor")
ASKED = [(SPONSOR, WOMEN, "ok"), (SPONSOR, WOMEN, "ok"), (SPONSOR, WOMEN_OR_T, "ok"),
         (SPONSOR, ADULTS, "ok"), (SPONSOR2, OLDEST, "ok"), (SPONSOR2, OLDEST_WOMAN, "ok"),
         (SPONSOR2, WOMEN, "ok"), (SPONSOR, 'include "Old": age >= 95\n', "rate_limited")]
SINCE = dt.datetime(2000, 1, 1)


def log_answers(app, asked=ASKED) -> list[int]:
    audit = AuditLog(app)
    return [audit.end(None, user, AuditEntry("feasibility", criteria_text=text), outcome,
                      200 if outcome == "ok" else 429) for user, text, outcome in asked]


def test_pairs_of_answers_one_patient_apart_are_found_on_every_engine(store, tmp_path):
    load_tables(store, STORE)
    app = open_app_db(f"sqlite:///{tmp_path / 'app.db'}")
    ids = log_answers(app)
    found = review(app, store, SINCE)
    assert len(found.answers) == 7  # the refused answer is not one
    pairs = [(p.first.audit_id, p.second.audit_id, p.first_set, p.second_set, p.apart,
              p.exact, p.same_user) for p in found.near]
    assert pairs == [
        (ids[0], ids[2], "eligible", "eligible", 1, True, True),  # S, then S or T
        (ids[4], ids[5], "eligible", "eligible", 1, True, True),  # T, then T and has X
        (ids[2], ids[6], "eligible", "eligible", 1, True, False),  # across users
    ]
    users = {u["user"]: u for u in found.users()}
    assert (users["sponsor"]["answers"], users["sponsor"]["texts"]) == (4, 3)
    assert (users["sponsor"]["near_own"], users["sponsor"]["near_others"]) == (1, 1)
    assert (users["sponsor2"]["near_own"], users["sponsor2"]["near_others"]) == (1, 1)
    diff = found.near[0].diff()
    assert f"-{WOMEN.strip()}" in diff and f"+{WOMEN_OR_T.strip()}" in diff
    assert found.not_replayed == []


def test_funnel_steps_and_without_rule_populations_are_compared(store, tmp_path):
    """The small group hides in a rule's step, not in the eligible: two texts whose
    eligible are 30 apart, whose first steps are one patient apart, and the
    representativeness form (every rule but one)."""
    load_tables(store, STORE)
    app = open_app_db(f"sqlite:///{tmp_path / 'app.db'}")
    first = 'include "Women": sex is female\ninclude "Old": age >= 90\n'
    second = 'include "Women": sex is female or age >= 90\ninclude "Young": age < 90\n'
    ids = log_answers(app, [(SPONSOR, first, "ok"), (SPONSOR, second, "ok")])
    (pair,) = review(app, store, SINCE).near
    # first: after rule 1 = 30 women; eligible = nobody; without rule 1 = {31};
    # without rule 2 = 30 women. second: after rule 1 = 31; eligible = 30 women ...
    assert (pair.first.audit_id, pair.second.audit_id, pair.apart) == (ids[0], ids[1], 1)
    assert (pair.first_set, pair.second_set) == ("after rule 1", "after rule 1")


def test_a_file_of_no_rules_is_the_base(store, tmp_path):
    """Only a population (no rule): its one set is the whole base, 40 patients, one
    patient from the base without man 31 (a pair), on every engine."""
    load_tables(store, STORE)
    app = open_app_db(f"sqlite:///{tmp_path / 'app.db'}")
    ids = log_answers(app, [(SPONSOR, 'population "Everyone": age >= 0\n', "ok"),
                            (SPONSOR, 'exclude "Oldest": age >= 90\n', "ok")])
    (pair,) = review(app, store, SINCE).near
    assert (pair.first.audit_id, pair.second.audit_id, pair.apart) == (ids[0], ids[1], 1)
    assert (pair.first_set, pair.second_set) == ("eligible", "eligible")


def test_a_criteria_text_that_no_longer_compiles_is_named_not_fatal(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path / 'store.db'}")
    create_store(engine)
    load_tables(engine, STORE)
    app = open_app_db(f"sqlite:///{tmp_path / 'app.db'}")
    ids = log_answers(app, [(SPONSOR, 'include "X": has nosuchcodelist\n', "ok"),
                            (SPONSOR, WOMEN, "ok")])
    found = review(app, engine, SINCE)
    assert [a.audit_id for a, _ in found.not_replayed] == [ids[0]]
    assert "nosuchcodelist" in found.not_replayed[0][1]
    assert found.near == []


def test_large_sets_are_compared_by_bucket_counts():
    """Past EXACT_UP_TO a set keeps only its counts per bucket (the record key mod 64):
    one patient fewer reads as one apart (a lower bound, said to be about), an unrelated
    set of the same size as far apart."""
    rng = np.random.default_rng(7)
    base = rng.choice(10**9, size=EXACT_UP_TO + 500, replace=False)
    other = rng.choice(10**9, size=EXACT_UP_TO + 500, replace=False)
    keys = record_keys()

    def made(ids: np.ndarray) -> PatientSet:
        buckets = np.bincount([keys.of(int(i)) % BUCKETS for i in ids], minlength=BUCKETS)
        return PatientSet("eligible", len(ids), buckets)

    assert apart(made(base), made(base[:-1])) == (1, False)
    assert apart(made(base), made(np.concatenate([base[:-3], other[:2]])))[0] <= 5
    assert apart(made(base), made(other))[0] > 100


def test_cli_review_prints_the_pair_and_its_diff(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = open_engine(url)
    create_store(engine)
    load_tables(engine, STORE)
    engine.dispose()
    app_url = f"sqlite:///{tmp_path / 'app.db'}"
    ids = log_answers(open_app_db(app_url), [(SPONSOR, WOMEN, "ok"),
                                            (SPONSOR, WOMEN_OR_T, "ok")])
    run = CliRunner().invoke(main, ["audit", "review", "--db", url, "--app-db", app_url])
    assert run.exit_code == 0, run.output
    assert "sets 1-7 patients apart in 1 pair of answers" in run.output
    assert f"audit {ids[0]} (sponsor" in run.output
    assert "1 patient apart (1 pair of sets)" in run.output
    assert f"+{WOMEN_OR_T.strip()}" in run.output
    as_json = CliRunner().invoke(main, ["audit", "review", "--db", url, "--app-db", app_url,
                                        "--json"])
    data = json.loads(as_json.output)
    assert [(p["first"], p["second"], p["apart"]) for p in data["near"]] == [
        (ids[0], ids[1], 1)]


@pytest.mark.parametrize("days", ["0", "x"])
def test_cli_review_refuses_bad_days(days):
    run = CliRunner().invoke(main, ["audit", "review", "--days", days])
    assert run.exit_code == 2 and "Traceback" not in run.output


def test_files_of_many_rules_that_share_near_sets_are_reviewed_in_bounded_work(tmp_path):
    """Two files of 150 rules, each rule excluding one patient (the first patients 1-150,
    the second 2-151): hundreds of sets each, thousands of near pairs between them. The
    review still names the pair (one patient apart: the first steps) and counts the
    near pairs, measuring exactly only the closest candidates."""
    from dart.app import audit_review

    start = dt.date(2000, 1, 1)
    store = "\n".join(["patient", "patient_id | registration_start"]
                      + [f"{i} | {start + dt.timedelta(days=i)}" for i in range(1, 161)])
    engine = open_engine(f"sqlite:///{tmp_path / 'store.db'}")
    create_store(engine)
    load_tables(engine, store)
    index = dt.date(2026, 6, 30)

    def one_each(patients) -> str:
        rules = []
        for i in patients:
            days = (index - (start + dt.timedelta(days=i))).days
            rules.append(f'exclude "p{i}": registered for {days} days and not registered '
                         f"for {days + 1} days\n")
        return f"index date {index}\n" + "".join(rules)

    app = open_app_db(f"sqlite:///{tmp_path / 'app.db'}")
    ids = log_answers(app, [(SPONSOR, one_each(range(1, 151)), "ok"),
                            (SPONSOR, one_each(range(2, 152)), "ok")])
    calls = []
    real = audit_review.apart

    def counted(a, b):
        calls.append(1)
        return real(a, b)

    audit_review.apart, before = counted, audit_review.apart
    try:
        (pair,) = review(app, engine, SINCE).near
    finally:
        audit_review.apart = before
    assert (pair.first.audit_id, pair.second.audit_id, pair.apart) == (ids[0], ids[1], 1)
    assert pair.pairs > 1000 and len(calls) <= audit_review.EXACT_PER_PAIR
    engine.dispose()


def test_reports_on_a_studys_invited_or_enrolled_are_not_replayed_as_its_criteria(
        store, tmp_path):
    """A stage report is logged with the approved criteria's text, but it counted the
    invited (or enrolled) patients: replaying the text would compare the criteria's
    eligible, not what was published. Its eligible stage is the criteria's, and stays."""
    load_tables(store, STORE)
    app = open_app_db(f"sqlite:///{tmp_path / 'app.db'}")
    audit = AuditLog(app)
    ids = [audit.end(None, SPONSOR, AuditEntry("representativeness", criteria_text=text,
                                               study_id=1, detail=detail), "ok", 200)
           for text, detail in ((WOMEN, "stage=invited"), (WOMEN_OR_T, "stage=enrolled"),
                                (WOMEN, "stage=eligible"), (WOMEN_OR_T, None))]
    found = review(app, store, SINCE)
    assert [a.audit_id for a in found.answers] == [ids[2], ids[3]]
    assert [(p.first.audit_id, p.second.audit_id) for p in found.near] == [(ids[2], ids[3])]
