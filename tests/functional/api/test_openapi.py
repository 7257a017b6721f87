"""The OpenAPI document: it describes every route, and schemathesis finds no 500 in it.

Schemathesis generates requests (valid and invalid) for every operation from the document
and sends them as an admin, a sponsor and a practice user; the only check is that no answer
is a server error. Examples are bounded to keep the run well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from dart.store.engine import create_store, open_engine
from dart.web.openapi import openapi_document
from tests.support.api import CRITERIA, HAND_STORE, make_api
from tests.support.tables import load_tables


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from dart.store.codelists import load_library

    engine = open_engine(f"sqlite:///{tmp_path_factory.mktemp('oas') / 'api.db'}")
    create_store(engine)
    load_tables(engine, HAND_STORE)
    api = make_api(engine, load_library())
    for _ in range(2):
        study = api.services.create_study(api.user("sponsor"), CRITERIA)
    api.services.approve_study(api.user("admin"), study.study_id)
    yield api
    engine.dispose()


@pytest.fixture(scope="module")
def api_schema(world):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.client.application)


def test_no_server_errors(api_schema, world):
    # Driven by hand (not schemathesis' pytest plugin) so it runs with this pytest version.
    headers = [{"Authorization": f"Bearer {world.tokens[who]}"}
               for who in ("admin", "sponsor", "practice")]
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            for header in headers:
                case.call_and_validate(headers=header, checks=[not_a_server_error])

        run()
    audited = world.get("/api/v1/audit?limit=1000", "admin").get_json()["entries"]
    assert len(audited) > 50  # the generated requests did reach the services

def test_every_route_is_documented(world):
    documented = {f"/api/v1{path}".replace("{study_id}", "<study_id>")
                  for path in openapi_document()["paths"]}
    app = world.client.application
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes == documented
    methods = {(f"/api/v1{p}".replace("{study_id}", "<study_id>"), m.upper())
               for p, ops in openapi_document()["paths"].items() for m in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (rule.rule, method) in methods
