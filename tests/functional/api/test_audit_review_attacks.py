"""The attacks of docs/disclosure.md, asked through the API, then caught by ``dart audit
review``: every pair of answers an attack needs is listed, however it was phrased.

Over the averaging store (``averaging``): the pairs design (S_k with a target T of 4
patients, then S_k alone, each a new S_k) as feasibility and as representativeness answers,
and a one-person probe on the hand-built store's only man. An honest sponsor's answers
(sets far apart) are not listed.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dart.app.audit_review import review
from dart.store.engine import create_store, open_engine
from tests.functional.api import averaging
from tests.support.api import make_api
from tests.support.tables import load_tables

SIZE = 4
SINCE = dt.datetime(2000, 1, 1)


@pytest.fixture
def averaging_api(tmp_path, library):
    engine = open_engine(f"sqlite:///{tmp_path / 'averaging.db'}")
    create_store(engine)
    load_tables(engine, averaging.AVERAGING_STORE)
    yield make_api(engine, library)
    engine.dispose()


def ask(api, who: str, text: str, path: str) -> None:
    r = api.post(f"/api/v1/{path}", who, {"criteria": text})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]


def audit_ids(api, action: str) -> list[int]:
    found = api.get(f"/api/v1/audit?action={action}&limit=1000", "admin").get_json()
    return [e["id"] for e in found["entries"][::-1]
            if e["phase"] == "end" and e["outcome"] == "ok"]


def test_the_pairs_design_is_listed_pair_by_pair(averaging_api):
    api = averaging_api
    for k in range(3):
        for text in averaging.feasibility_pair(k, SIZE):
            ask(api, "sponsor", text, "feasibility")
        for text in averaging.pair(k, SIZE):
            ask(api, "sponsor", text, "representativeness")
    # an honest sponsor: two different questions, hundreds of patients apart
    ask(api, "sponsor2", 'include "Women": sex is female\n', "feasibility")
    ask(api, "sponsor2", 'include "Men": sex is male\n', "feasibility")
    found = review(api.engine, api.engine, SINCE)
    assert len(found.answers) == 14 and found.not_replayed == []
    near = {(p.first.audit_id, p.second.audit_id): p for p in found.near}
    feasibility, representativeness = (audit_ids(api, a) for a in
                                       ("feasibility", "representativeness"))
    for ids in (feasibility[:6], representativeness):
        for k in range(3):
            with_t, without_t = ids[2 * k], ids[2 * k + 1]
            pair = near[(with_t, without_t)]
            assert pair.same_user and pair.first.user == "sponsor"
            assert 1 <= pair.apart <= SIZE, (k, pair)
    users = {u["user"]: u for u in found.users()}
    assert users["sponsor"]["near_own"] >= 6
    assert users["sponsor2"]["near_own"] == users["sponsor2"]["near_others"] == 0


def test_a_one_person_probe_is_listed(api):
    # the hand-built store's only man (patient 14): who is he, then is he a man over 18
    ask(api, "sponsor", 'include "Him": sex is male\n', "feasibility")
    ask(api, "sponsor", 'include "Him": sex is male\ninclude "Adult": age >= 18\n',
        "feasibility")
    ask(api, "sponsor", 'include "Him": sex is male and age >= 120\n', "feasibility")
    found = review(api.engine, api.engine, SINCE)
    ids = audit_ids(api, "feasibility")
    assert [(p.first.audit_id, p.second.audit_id, p.apart) for p in found.near] == [
        (ids[0], ids[2], 1), (ids[1], ids[2], 1)]  # the second is the first's set again
