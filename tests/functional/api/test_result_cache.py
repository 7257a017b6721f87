"""Results kept per store version: asking again costs no query, a changed store does.

The hand-built store (``conftest.HAND_STORE``) has 22 adult women eligible for
``CRITERIA``: thirteen at practice 1 and nine at practice 2.
"""

from __future__ import annotations

import sqlalchemy as sa

from dart.store.schema import metadata
from tests.support.api import CRITERIA
from tests.support.tables import filled_tables


def add_woman(engine: sa.Engine, patient_id: int) -> None:
    """One more adult woman at practice 1 (a change of the store's data)."""
    rows = filled_tables(f"patient\npatient_id | practice_id | sex\n{patient_id} | 1 | F")
    with engine.begin() as conn:
        conn.execute(metadata.tables["patient"].insert(), rows["patient"])


def test_a_second_feasibility_is_kept_and_a_changed_store_counts_again(api):
    def eligible() -> int:
        response = api.post("/api/v1/feasibility", "admin", json={"criteria": CRITERIA})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["eligible"]

    assert eligible() == 22
    computed = api.services.results.computed
    assert eligible() == 22
    assert api.services.results.computed == computed  # the same store: nothing computed
    add_woman(api.engine, 40)
    assert eligible() == 23  # a new version of the store: counted again
    assert api.services.results.computed == computed + 1


def test_every_kept_answer_is_still_audited_and_disclosed(api):
    first = api.post("/api/v1/feasibility", "sponsor", json={"criteria": CRITERIA})
    second = api.post("/api/v1/feasibility", "sponsor", json={"criteria": CRITERIA})
    exact = api.post("/api/v1/feasibility", "admin", json={"criteria": CRITERIA})
    assert first.get_json() == second.get_json()
    assert first.get_json()["disclosure"]["applied"] is True
    assert exact.get_json()["eligible"] == 22  # the kept result is published per reader
    entries = api.get("/api/v1/audit?action=feasibility", "admin").get_json()["entries"]
    assert sorted(e["outcome"] for e in entries if e["outcome"]) == ["ok"] * 3


def test_the_profile_is_computed_once_per_store_version(api, monkeypatch):
    from dart.analysis import profile

    runs = []
    real = profile.run_profile

    def counted(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(profile, "run_profile", counted)

    def patients() -> int:
        response = api.get("/api/v1/profile", "admin")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["patients"]

    assert patients() == 25 and len(runs) == 1
    assert patients() == 25 and len(runs) == 1  # the second call: no profile computed
    add_woman(api.engine, 40)
    assert patients() == 26 and len(runs) == 2  # a changed store is profiled again
    with api.engine.begin() as conn:  # a new extract (store_info) is a new version too
        conn.execute(metadata.tables["store_info"].update()
                     .where(metadata.tables["store_info"].c.key == "extract_date")
                     .values(value="2026-07-01"))
    assert patients() == 26 and len(runs) == 3


def test_the_cache_keeps_the_most_recently_used():
    from dart.app.result_cache import ResultCache

    cache = ResultCache(size=2)
    assert [cache.get(k, lambda k=k: k * 10) for k in (1, 2, 1, 3)] == [10, 20, 10, 30]
    assert cache.computed == 3  # 1 was kept
    assert cache.get(1, lambda: -1) == 10  # used last before 3: still kept
    assert cache.get(2, lambda: -2) == -2  # the least recently used went first


def test_a_forecast_is_kept_until_an_invitation_or_enrolment_changes_it(api):
    study = api.services.create_study(api.user("sponsor"), CRITERIA)
    api.services.approve_study(api.user("admin"), study.study_id)
    url = f"/api/v1/studies/{study.study_id}/forecast?target=5&months=3"

    def projected() -> dict:
        response = api.get(url, "admin")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    first = projected()
    computed = api.services.results.computed
    assert projected() == first
    assert api.services.results.computed == computed  # nothing recorded: kept
    for status in ("invited", "responded", "enrolled"):
        recorded = api.post(f"/api/v1/studies/{study.study_id}/invitations", "practice",
                            {"patient_ids": [1], "status": status})
        assert recorded.status_code == 201, recorded.get_data(as_text=True)
    again = projected()
    assert api.services.results.computed == computed + 1  # a new version: forecast again
    assert (first["projection"]["enrolled"], again["projection"]["enrolled"]) == (0, 1)
