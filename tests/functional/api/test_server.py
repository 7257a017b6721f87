"""The real server: waitress on 127.0.0.1 (a free port), 8 clients x 25 requests at once.

Runs on DuckDB, the engine with the strictest one-writer rule, and checks every answer.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa
import waitress

from dart.analysis.disclosure import DisclosurePolicy, record_keys
from dart.store.app_tables import audit_log, invitations
from dart.store.engine import create_store, open_engine
from tests.functional.api.conftest import CRITERIA, HAND_STORE, PRACTICE_1, PRACTICE_2, make_api
from tests.support.tables import load_tables

CLIENTS, REQUESTS, TIMEOUT = 8, 25, 30
# The 22 eligible women as the default policy publishes them (every answer the same).
ELIGIBLE = DisclosurePolicy().disclose(
    22, sum(record_keys().of(i) for i in (*PRACTICE_1, *PRACTICE_2)))


@pytest.fixture
def server(tmp_path, library):
    engine = open_engine(f"duckdb:///{tmp_path / 'server.duckdb'}")
    create_store(engine)
    load_tables(engine, HAND_STORE)
    # The anonymous client's 25 refusals would lock its address out (tests/functional/
    # api/test_security.py checks the lockout itself).
    api = make_api(engine, library, RATE_LIMIT_BAD_TOKEN="1000 per minute")
    study = api.services.create_study(api.user("sponsor"), CRITERIA)
    api.services.approve_study(api.user("admin"), study.study_id)
    app = api.client.application
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/api/v1", api
    server.close()
    thread.join(timeout=5)
    engine.dispose()


def client(base: str, api, who: str | None, i: int) -> list[str]:
    """25 requests of one kind; returns what went wrong (empty: all answers correct)."""
    wrong = []
    session = requests.Session()
    if who:
        session.headers["Authorization"] = f"Bearer {api.tokens[who]}"
    for n in range(REQUESTS):
        if who == "sponsor":
            r = session.post(f"{base}/feasibility", json={"criteria": CRITERIA},
                             timeout=TIMEOUT)
            ok = r.status_code == 200 and r.json()["eligible"] == ELIGIBLE
        elif who == "practice2":
            r = session.get(f"{base}/studies/1/invites", timeout=TIMEOUT)
            ok = r.status_code == 200 and {p["patient_id"] for p in r.json()["patients"]} \
                == set(PRACTICE_2)
        elif who == "practice":
            r = session.post(f"{base}/studies/1/invitations",
                             json={"patient_ids": [n % 13 + 1]}, timeout=TIMEOUT)
            ok = r.status_code == 201 and r.json()["recorded"] + r.json()["already_recorded"] == 1
        elif who == "researcher":
            r = session.post(f"{base}/criteria/check", json={"criteria": CRITERIA},
                             timeout=TIMEOUT)
            ok = r.status_code == 200 and r.json()["valid"] is True
        elif who == "admin":
            r = session.get(f"{base}/audit?limit=5", timeout=TIMEOUT)
            ok = r.status_code == 200 and len(r.json()["entries"]) <= 5
        else:
            r = session.get(f"{base}/studies", timeout=TIMEOUT)
            ok = r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        if not ok:
            wrong.append(f"client {i} ({who}) request {n}: {r.status_code} {r.text[:200]}")
    return wrong


def test_concurrent_clients_are_all_answered_correctly(server):
    base, api = server
    who = ["sponsor", "sponsor", "practice2", "practice2", "practice", "researcher", "admin",
           None]
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(client, base, api, w, i) for i, w in enumerate(who)]
        wrong = [line for f in futures for line in f.result(timeout=240)]
    assert not wrong, "\n".join(wrong[:10])
    with api.engine.connect() as conn:
        invited = sorted(conn.execute(sa.select(invitations.c.patient_id)).scalars())
        audited = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar()
    assert invited == list(range(1, 14))
    assert audited >= 2 * REQUESTS * 2 + 2 * REQUESTS + 2  # runs, lists, records, set-up
