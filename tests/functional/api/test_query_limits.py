"""Bounded execution on every engine: a query past its time limit answers 503
``query_too_costly`` (with Retry-After) and the server serves the next request; approval
runs the invite list's query under the same limits, and refuses what cannot run.

The store is the synthetic generator's (2,000 patients), where ``include age > k`` x 480
keeps each engine busy well past the 0.02 s limit used here, while the small statements
around it (authentication, audit) take a few milliseconds.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dart.recruitment import invites as invite_lists
from dart.recruitment import studies as study_store
from dart.store.engine import create_store, open_engine
from dart.store.generate import generate
from dart.store.limits import QueryLimits, apply_limits
from dart.store.schema import practice
from tests.functional.api.conftest import CRITERIA, make_api
from tests.support import hostile

COSTLY = hostile.many_rules(480)
TINY = QueryLimits(seconds=0.02)


def filled(engine: sa.Engine) -> sa.Engine:
    generate(engine, 2000, seed=5, progress=False)
    with engine.begin() as conn:  # the practice users' practices (make_api adds them)
        for practice_id, ods in ((1, "T00001"), (2, "T00002")):
            conn.execute(practice.update().where(practice.c.practice_id == practice_id)
                         .values(ods_code=ods))
    return engine


@pytest.fixture
def costly(store, library):
    return make_api(filled(store), library)


def test_an_over_time_query_answers_503_and_the_server_goes_on(costly):
    apply_limits(costly.engine, TINY)
    response = costly.post("/api/v1/feasibility", "sponsor", {"criteria": COSTLY})
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "query_too_costly" and error["details"] == {"limit": "time"}
    assert f"{TINY.seconds:g} s" in error["message"]
    assert int(response.headers["Retry-After"]) > 0
    apply_limits(costly.engine, QueryLimits())
    again = costly.post("/api/v1/feasibility", "admin", {"criteria": CRITERIA})
    assert again.status_code == 200 and again.get_json()["base"] > 0


@pytest.fixture
def duckdb_costly(tmp_path, library):
    engine = open_engine(f"duckdb:///{tmp_path / 'memory.duckdb'}")
    create_store(engine)
    yield make_api(filled(engine), library)
    engine.dispose()


def test_a_query_past_duckdbs_memory_limit_answers_503(duckdb_costly):
    api = duckdb_costly
    apply_limits(api.engine, QueryLimits(memory_mb=1))
    response = api.post("/api/v1/feasibility", "sponsor", {"criteria": COSTLY})
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "query_too_costly" and error["details"] == {"limit": "memory"}
    apply_limits(api.engine, QueryLimits())  # each new connection sets the limit again
    again = api.post("/api/v1/feasibility", "sponsor", {"criteria": CRITERIA})
    assert again.status_code == 200


def test_approval_refuses_a_study_whose_invite_query_passes_the_limit(costly, monkeypatch):
    study = costly.services.create_study(costly.user("sponsor"), COSTLY, "Costly")
    real = invite_lists.check_runs

    def under_a_millisecond(engine, *args, **kwargs):
        # The invite query alone under a 1 ms limit: PostgreSQL can count this store's 480
        # rules inside 0.1 s, and the approval's small statements must not hit the limit.
        apply_limits(engine, QueryLimits(seconds=0.001))
        try:
            return real(engine, *args, **kwargs)
        finally:
            apply_limits(engine, QueryLimits())

    monkeypatch.setattr(invite_lists, "check_runs", under_a_millisecond)
    response = costly.post(f"/api/v1/studies/{study.study_id}/approve", "admin")
    assert response.status_code == 409, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] == "not_approvable"
    monkeypatch.setattr(invite_lists, "check_runs", real)
    assert study_store.get_study(costly.engine, study.study_id).status == "draft"
    # under the normal limits it runs, so it is approved
    response = costly.post(f"/api/v1/studies/{study.study_id}/approve", "admin")
    assert response.status_code == 200 and response.get_json()["status"] == "approved"


def test_approval_refuses_criteria_past_the_size_limits(api):
    # Stored before the limits existed (straight into the table, as an old version would
    # be): approval checks again, so the study can never reach a practice.
    sponsor = api.user("sponsor")
    study = study_store.create_study(api.engine, sponsor.user_id, "Old",
                                     hostile.at_least(1100))
    response = api.post(f"/api/v1/studies/{study.study_id}/approve", "admin")
    assert response.status_code == 400
    found = response.get_json()["error"]["details"]["errors"][0]
    assert (found["code"], found["line"]) == ("too-large", 2)
    assert study_store.get_study(api.engine, study.study_id).status == "draft"
