"""A motivated sponsor against the real application: each attack from docs/disclosure.md.

The store (``attacks.ATTACK_STORE``) holds targets of 1..7 patients; every attack is
the sponsor's ordinary ``POST /feasibility`` (and ``/representativeness``), and each test
asserts what the sponsor cannot learn. The same attacks against the rounding baseline
(computed from the admin's exact answers) do succeed, so the attacks are real.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dart.app.budget import QueryBudget
from tests.functional.api import attacks
from tests.functional.api.conftest import make_api
from tests.functional.api.helpers import assert_disclosed
from tests.support.tables import load_tables

STEPS = 60


@pytest.fixture(scope="module")
def attack_api(tmp_path_factory, library):
    from dart.store.engine import create_store, open_engine

    engine = open_engine(f"sqlite:///{tmp_path_factory.mktemp('attack') / 'attack.db'}")
    create_store(engine)
    load_tables(engine, attacks.ATTACK_STORE)
    # The attacks measure what the answers themselves give away, so the query budget (which
    # bounds how many a sponsor gets: tests/functional/api/test_budget.py) is lifted here.
    yield make_api(engine, library, QUERY_BUDGET=QueryBudget(queries=1_000_000))
    engine.dispose()


def ask(api, who: str, criteria: str, path: str = "/api/v1/feasibility") -> dict:
    response = api.post(path, who, json={"criteria": criteria})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_differencing_chains_pin_no_small_count(attack_api):
    found = {}
    for target, size in attacks.TARGETS.items():
        plain = ask(attack_api, "sponsor", attacks.chain(target, STEPS, False))
        with_t = ask(attack_api, "sponsor", attacks.chain(target, STEPS, True))
        for body in (plain, with_t):
            assert_disclosed(body)
        sizes = attacks.chain_sizes(plain, with_t, *attacks.perturbed_spans(STEPS))
        assert size in sizes  # the attacker's reasoning is sound...
        assert len(sizes) >= 2, (target, sizes)  # ...and never pins the size
        # Baseline: the same two queries under rounding to 5 with exact zeros.
        exact = [ask(attack_api, "admin", attacks.chain(target, STEPS, w)) for w in (0, 1)]
        base_plain, base_t = (attacks.as_baseline(e) for e in exact)
        pinned = attacks.chain_sizes(base_plain, base_t, lambda _i: attacks.rounded_span,
                                     attacks.rounded_span, attacks.rounded_span)
        assert size in pinned
        found[target] = (size, sorted(sizes), sorted(pinned))
    assert all(len(f[2]) == 1 for f in found.values()), found  # rounding: all pinned


def test_one_person_attribute_probing_gives_no_yes_or_no(attack_api):
    person = f"define P = registered for {3 * attacks.PERSON} days and not registered " \
             f"for {3 * attacks.PERSON + 1} days\n"
    answers = {}
    for code in (*attacks.HELD, *attacks.NOT_HELD):
        text = f"{attacks.CODELISTS}\n{person}include P\ninclude has {code}\n"
        body = ask(attack_api, "sponsor", text)
        assert_disclosed(body)
        answers[code] = (body["eligible"], tuple(s["remaining"] for s in body["funnel"]),
                         body["funnel"][1]["dropped"], body["disclosure"]["breakdowns_withheld"])
    # 0 (does not hold) and 1 (holds) read the same: the marker everywhere.
    assert set(answers.values()) == {(None, (None, None), None, True)}
    exact = ask(attack_api, "admin",
                f"{attacks.CODELISTS}\n{person}include P\ninclude has {attacks.HELD[0]}\n")
    assert exact["eligible"] == 1 and exact["funnel"][0]["remaining"] == 1  # one person


SAME_COHORT = [
    'include "Women": sex is female\ninclude "Long": registered for 600 days\n',
    'include "Long": registered for 600 days\ninclude "Women": sex is female\n',
    'include "Both": sex is female and registered for 600 days\n',
    'exclude "Men": sex is male\nexclude "Recent": not registered for 600 days\n',
    'include "Either way": (sex is female and registered for 600 days) or '
    '(sex is female and registered for 601 days)\n',
]


def test_rephrasing_the_same_cohort_gives_identical_numbers(attack_api):
    bodies = [ask(attack_api, "sponsor", text) for text in SAME_COHORT]
    assert len({b["eligible"] for b in bodies}) == 1
    for body in bodies[1:]:
        for dim, cells in body["breakdowns"].items():
            for a, b in zip(bodies[0]["breakdowns"][dim], cells, strict=True):
                if a["structural"] or b["structural"]:
                    # Structural zeros are read from the text: the "or" phrasing is not
                    # recognised, so its men are the marker, never a number.
                    assert {a["count"], b["count"]} <= {0, None}
                else:
                    assert a == b, (dim, a, b)
    exact = ask(attack_api, "admin", SAME_COHORT[0])["eligible"]  # women 200, 202, ..., 400
    assert exact == 101 and abs(bodies[0]["eligible"] - exact) <= 4
    # the other endpoint counts the same patients: the same published number
    report = ask(attack_api, "sponsor", SAME_COHORT[2], "/api/v1/representativeness")
    assert report["cohort"]["total"] == bodies[0]["eligible"]


def test_linked_tables_are_published_identically(attack_api):
    body = ask(attack_api, "sponsor", 'include "Women": sex is female\n')
    cells = {dim: {c["group"]: c for c in cells} for dim, cells in body["breakdowns"].items()}
    assert cells["nation"]["Wales"]["count"] == cells["region"]["Wales"]["count"]
    assert cells["practice"]["T00002"]["count"] == cells["region"]["Wales"]["count"]
    assert body["funnel"][-1]["remaining"] == body["eligible"] == cells["sex"]["F"]["count"]
    assert cells["sex"]["M"] == {"group": "M", "count": 0, "suppressed": False,
                                 "structural": True, "percent": 0.0}
    report = ask(attack_api, "sponsor", 'include "Women": sex is female\n',
                 "/api/v1/representativeness")
    groups = {(d["key"], g["group"]): g["cohort"] for d in report["dimensions"]
              for g in d["groups"]}
    assert groups[("nation", "Wales")] == groups[("region", "Wales")]
    assert groups[("nation", "Wales")]["count"] == cells["nation"]["Wales"]["count"]
    assert groups[("sex", "M")]["structural"] is True
    assert report["cohort"]["total"] == body["eligible"]


def test_every_answer_states_the_opt_outs(attack_api):
    exact = ask(attack_api, "admin", 'include "Women": sex is female\n')
    shown = ask(attack_api, "sponsor", 'include "Women": sex is female\n')
    assert exact["opt_outs"] == 10  # patients 402-411
    assert shown["opt_outs"] is not None and abs(shown["opt_outs"] - 10) <= 4


CONDITIONS = st.lists(st.sampled_from(
    ["sex is female", "registered for 300 days", "registered for 900 days", "age >= 50",
     "nation in (Wales)", "not registered for 1100 days"]), min_size=1, max_size=4, unique=True)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CONDITIONS, st.randoms(use_true_random=False))
def test_the_same_cohort_always_gets_the_same_published_count(attack_api, conditions, rnd):
    # One conjunction, as one rule, as separate rules in two orders: the same patients.
    as_one = f'include "All": {" and ".join(conditions)}\n'
    shuffled = list(conditions)
    rnd.shuffle(shuffled)
    as_rules = "".join(f'include "r{i}": {c}\n' for i, c in enumerate(shuffled))
    first, second = (ask(attack_api, "sponsor", t) for t in (as_one, as_rules))
    assert first["eligible"] == second["eligible"]
    assert first["breakdowns"] == second["breakdowns"]


PREFIX = st.lists(st.sampled_from(
    ["sex is female", "registered for 300 days", "age >= 50", "not registered for 1100 days",
     "registered for 450 days"]), min_size=2, max_size=4, unique=True)
SUFFIX = 'include "Long": registered for 600 days\nexclude "Welsh": nation in (Wales)\n'


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(PREFIX, st.randoms(use_true_random=False))
def test_a_funnel_step_is_published_by_its_patients_not_by_the_rules_before_it(
        attack_api, conditions, rnd):
    # The same patients reached by one rule, or by the conditions as rules in a random
    # order, then the same rules after: the step and every later one read the same.
    as_one = f'include "All": {" and ".join(conditions)}\n' + SUFFIX
    shuffled = list(conditions)
    rnd.shuffle(shuffled)
    as_rules = "".join(f'include "r{i}": {c}\n' for i, c in enumerate(shuffled)) + SUFFIX
    first, second = (ask(attack_api, "sponsor", t) for t in (as_one, as_rules))
    tail = len(conditions) - 1
    assert [s["remaining"] for s in first["funnel"]] == \
        [s["remaining"] for s in second["funnel"][tail:]]
    assert first["eligible"] == second["eligible"] == first["funnel"][-1]["remaining"]
