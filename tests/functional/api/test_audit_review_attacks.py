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


INDEX = dt.date(2026, 6, 30)
# 120 women registered on days 1..120 of 2000 (practice 1), and T: four men aged 90 or
# more (practice 2)
PAIRS_STORE = "\n".join(
    ["patient", "patient_id | practice_id | sex | date_of_birth | registration_start"]
    + [f"{i} | 1 | F | 1970-01-01 | {dt.date(2000, 1, 1) + dt.timedelta(days=i)}"
       for i in range(1, 121)]
    + [f"{i} | 2 | M | 1930-01-01 | 2000-01-01" for i in range(121, 125)])


def pairs_design(k: int) -> tuple[str, str]:
    """S_k (119 women: all but woman k) with T, then S_k alone: cells of 119-127."""
    days = (INDEX - (dt.date(2000, 1, 1) + dt.timedelta(days=k))).days
    s = f"sex is female and not (registered for {days} days and not registered for " \
        f"{days + 1} days)"
    head = f"index date {INDEX}\n"
    return head + f'include "S": ({s}) or age >= 90\n', head + f'include "S": {s}\n'


@pytest.mark.parametrize("copies_accurate_from", [100, 220])
def test_copies_accurate_from_220_leaves_no_look_and_keeps_tables_linked(
        tmp_path, library, copies_accurate_from):
    """The data owner's lever (``dart serve --copies-accurate-from 220``): the pairs design
    over cells of 119-127 patients gives no look (the default, keeping every count of 100
    or more within 5 %, gives some), and every answer's funnel ends at its eligible total
    (a copy 11 off is not moved back into 5 %)."""
    from dart.analysis.disclosure import DisclosurePolicy

    engine = open_engine(f"sqlite:///{tmp_path / 'lever.db'}")
    create_store(engine)
    load_tables(engine, PAIRS_STORE)
    api = make_api(engine, library, DISCLOSURE=DisclosurePolicy(
        copies_accurate_from=copies_accurate_from))
    looks = []
    for k in range(1, 21):
        with_t, without_t = (api.post("/api/v1/feasibility", "sponsor", {"criteria": text})
                             .get_json() for text in pairs_design(k))
        for body in (with_t, without_t):
            assert body["funnel"][-1]["remaining"] == body["eligible"] is not None
        looks.append(with_t["eligible"] - without_t["eligible"])
    engine.dispose()
    if copies_accurate_from == 220:
        assert set(looks) == {0}
    else:  # a copy 4 + p1 away is allowed only within 5 (p1 <= 1): otherwise a look
        assert any(look != 0 for look in looks), looks
