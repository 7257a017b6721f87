"""GET /api/v1/profile: exact for an admin, every count disclosure-controlled for a sponsor
or researcher, refused for a practice user; audited."""

from __future__ import annotations

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.profile.model import shown
from tests.functional.api.helpers import assert_disclosed, assert_error, nhs_in

# Integers in a profile that are not counts of people or records.
# Integers of the profile that are not counts of people or records.
NOT_COUNTS = ("practice_id", ".counts.")


def test_admin_gets_exact_figures(api):
    response = api.get("/api/v1/profile", "admin")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    # The hand-built store: 14 patients at practice 1 and 11 at practice 2, no records.
    assert body["patients"] == 25 and body["records"] == 0
    assert body["disclosure"] is None
    patients = {p["ods_code"]: p["patients"] for p in body["practices"]}
    assert patients == {"T00001": 14, "T00002": 11}
    assert {c["key"] for c in body["checks"]} >= {"conformance.nhs_number",
                                                  "practices.up_to_standard"}


def test_sponsor_gets_disclosed_counts_only(api):
    for who in ("sponsor", "researcher"):
        response = api.get("/api/v1/profile", who)
        assert response.status_code == 200
        body = response.get_json()
        assert body["disclosure"]["applied"] is True
        # 25 patients, 15 and 10 by practice: each published through the engine (the
        # suite's fixed secret), so within 4 of the truth.
        policy = DisclosurePolicy()
        assert body["patients"] == shown(policy, 25) and abs(body["patients"] - 25) <= 4
        exact = api.get("/api/v1/profile", "admin").get_json()["practices"]
        patients = {p["ods_code"]: p["patients"] for p in body["practices"]}
        assert patients == {p["ods_code"]: shown(policy, p["patients"]) for p in exact}
        assert_disclosed(body, skip=NOT_COUNTS)  # no count 0..7: the marker (null) instead
        assert not nhs_in(response)  # aggregates only


def test_practice_users_are_refused_and_everything_is_audited(api):
    assert_error(api.get("/api/v1/profile", "practice"), 403)
    assert_error(api.get("/api/v1/profile", None), 401)
    assert_error(api.get("/api/v1/profile?x=1", "admin"), 400)
    api.get("/api/v1/profile", "sponsor")
    entries = api.get("/api/v1/audit?action=profile", "admin").get_json()["entries"]
    outcomes = sorted(e["outcome"] for e in entries if e["outcome"])  # end entries
    assert outcomes.count("ok") == 1 and "forbidden" in " ".join(outcomes)


def test_feasibility_up_to_standard(api):
    criteria = 'include "Adults": age >= 18\n'
    body = api.post("/api/v1/feasibility", "admin",
                    {"criteria": criteria, "up_to_standard": True}).get_json()
    # The hand-built store holds no records: no practice is up to standard, nobody is left.
    assert body["base"] == 0 and body["eligible"] == 0
    assert body["restriction"]["practices_left_out"] == ["T00001", "T00002"]
    plain = api.post("/api/v1/feasibility", "admin", {"criteria": criteria}).get_json()
    assert plain["base"] == 23 and "restriction" not in plain
    sponsor = api.post("/api/v1/feasibility", "sponsor",
                       {"criteria": criteria, "up_to_standard": True}).get_json()
    assert sponsor["base"] is None and sponsor["restriction"]["practices_kept"] == 0
    assert_error(api.post("/api/v1/feasibility", "admin",
                          {"criteria": criteria, "up_to_standard": "yes"}), 400, "bad_type")


def profile_of(tmp_path, library, bad_nhs: int) -> tuple[dict, dict]:
    """The profile (admin's, sponsor's) of 30 patients, ``bad_nhs`` of whom have an NHS
    number that fails its modulus-11 check (body 123456789: check digit 10, invalid)."""
    from dart.store.engine import create_store, open_engine
    from tests.support.api import make_api
    from tests.support.tables import load_tables, nhs_number

    engine = open_engine(f"sqlite:///{tmp_path / f'profile{bad_nhs}.db'}")
    create_store(engine)
    rows = [f"{i} | 1 | {'123456789' + str(i) if i <= bad_nhs else nhs_number(i)}"
            for i in range(1, 31)]
    load_tables(engine, "\n".join(["patient", "patient_id | practice_id | nhs_number", *rows,
                                   f"31 | 2 | {nhs_number(31)}"]))
    api = make_api(engine, library)
    return (api.get("/api/v1/profile", "admin").get_json(),
            api.get("/api/v1/profile", "sponsor").get_json())


def test_a_check_of_a_few_faulty_rows_reads_as_one_of_none(tmp_path, library):
    """Three bad NHS numbers of 31: the admin sees the check warn or fail; a sponsor sees the
    marker and the verdict a clean store gets, so the verdict tells 0 from 1..7 no more
    than the marker does."""
    exact_bad, shown_bad = profile_of(tmp_path, library, 3)
    _, shown_clean = profile_of(tmp_path, library, 0)

    def check(body, key="conformance.nhs_number"):
        return next(c for c in body["checks"] if c["key"] == key)

    assert check(exact_bad)["figure"]["n"] == 3 and check(exact_bad)["verdict"] != "pass"
    assert check(shown_bad)["figure"]["n"] is None  # the marker
    assert check(shown_bad)["verdict"] == check(shown_clean)["verdict"] == "pass"
    assert [(c["key"], c["verdict"], c["items"]) for c in shown_bad["checks"]] == \
        [(c["key"], c["verdict"], c["items"]) for c in shown_clean["checks"]]
    assert shown_bad["score"] == shown_clean["score"]
