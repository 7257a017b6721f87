"""Representativeness of the invited and the enrolled, on every engine.

A hand-built store (index date 2026-06-30, practice 1, all adults, white, IMD 3):
women 1-20 and men 21-40 are eligible (aged 56); 41 (a woman) is eligible but opted out.
Lifecycle: women 1-15 and men 21-25 invited (15 and 5); woman 16 invited before the
lifecycle existed (an ``invitation`` row only); woman 41 invited, since opted out; women 1-5
and men 21-25 enrolled; woman 17 screened out before any invitation (never invited).

So the invited are 16 women and 5 men (41 is outside the base): women 16/21 against the
eligible's 20/40, ratio 1.524; men 5/21 against 0.5, 0.476 (under-represented). The
enrolled are 5 and 5: ratio 1 each.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from dart.analysis.disclosure import DisclosurePolicy
from dart.cli import main
from dart.recruitment.concurrent import DEFAULT_RULE
from dart.recruitment.equity import stage_representativeness
from dart.recruitment.studies import approve_study, create_study
from dart.store.app_tables import ensure_app_tables, recruitment_status
from dart.store.schema import invitation
from tests.support.tables import load_tables

CRITERIA = """study "Adults"
population "Adults": age >= 18
include "Adult": age >= 18
"""
WHEN = dt.datetime(2026, 5, 1, 9, 0)
EXACT = DisclosurePolicy(enabled=False)


def _lifecycle(invited_f, invited_m, enrolled, screened_out) -> list[dict]:
    rows = {}
    for pid in [*invited_f, *invited_m]:
        rows[pid] = {"status": "invited", "invited_at": WHEN}
    for pid in enrolled:
        rows[pid] = {"status": "enrolled", "invited_at": WHEN, "responded_at": WHEN,
                     "outcome_at": WHEN}
    for pid in screened_out:
        rows[pid] = {"status": "screened_out", "invited_at": None, "outcome_at": WHEN,
                     "reason": "GP review"}
    blank = {"responded_at": None, "outcome_at": None, "reason": None}
    return [{"study_id": 1, "patient_id": pid, "practice_id": 1, "updated_at": WHEN,
             **blank, **r} for pid, r in rows.items()]


@pytest.fixture
def study(store):
    patients = [f"{i} | F | false" for i in range(1, 21)]
    patients += [f"{i} | M | false" for i in range(21, 41)] + ["41 | F | true"]
    load_tables(store, "patient\npatient_id | sex | research_opt_out\n" + "\n".join(patients))
    ensure_app_tables(store)
    create_study(store, owner_id=1, title="Adults", criteria_text=CRITERIA)
    found = approve_study(store, 1, admin_id=2)
    with store.begin() as conn:
        conn.execute(recruitment_status.insert(), _lifecycle(
            [*range(1, 16), 41], range(21, 26), [*range(1, 6), *range(21, 26)], [17]))
        conn.execute(invitation.insert(), [
            {"study_id": 1, "patient_id": 16, "practice_id": 1,
             "invited_on": dt.date(2025, 1, 1)}])
    return found


def test_the_invited_against_the_eligible(store, study):
    res = stage_representativeness(store, study, "invited", {}, EXACT)
    assert res.stage == "invited" and res.cohort_total == 21
    assert [r.key for r in res.references] == ["eligible", "target", "base", "uk"]
    assert res.reference("eligible").total == 40
    assert res.reference("target").total == 40  # the opted-out woman is in no population
    sex = res.dimension("sex")
    women, men = sex.row("F"), sex.row("M")
    assert (women.cohort.count, men.cohort.count) == (16, 5)
    assert women.ratios["eligible"].value == pytest.approx((16 / 21) / (20 / 40))
    assert men.ratios["eligible"].value == pytest.approx((5 / 21) / (20 / 40))
    assert men.ratios["eligible"].flag == "under"
    assert res.rule_reference == "eligible" and res.rule_impacts == ()
    assert res.summary[0] == "The invited group holds 21 patients."
    assert res.summary[1].startswith("Under-represented against the eligible patients: males")


def test_the_enrolled_and_the_eligible_stage(store, study):
    enrolled = stage_representativeness(store, study, "enrolled", {}, EXACT)
    assert enrolled.cohort_total == 10
    assert enrolled.dimension("sex").row("M").ratios["eligible"].value == pytest.approx(1.0)
    # The eligible stage is the ordinary report: the criteria's cohort and its rule impact,
    # the default concurrent-trial exclusion an interventional study's second rule (no other
    # study here: it leaves nobody out).
    eligible = stage_representativeness(store, study, "eligible", {}, EXACT)
    assert eligible.stage == "eligible" and eligible.cohort_total == 40
    assert [r.key for r in eligible.references] == ["target", "base", "uk"]
    assert [r.label for r in eligible.rule_impacts] == ["Adult", DEFAULT_RULE]


def test_a_small_stage_is_disclosure_controlled(store, study):
    body = stage_representativeness(store, study, "enrolled", {}, DisclosurePolicy()).to_json()
    sex = next(d for d in body["dimensions"] if d["key"] == "sex")
    men = next(g for g in sex["groups"] if g["group"] == "M")
    assert men["cohort"] == {"count": None, "share": None, "suppressed": True,
                             "structural": False}  # 5 is below the threshold
    assert body["stage"] == "enrolled" and body["disclosure"]["applied"]


def test_an_unknown_stage_is_refused(store, study):
    with pytest.raises(ValueError, match="stage must be one of"):
        stage_representativeness(store, study, "responded", {}, EXACT)


def test_the_stage_query_counts_each_patient_once(store, study):
    from dart.recruitment.equity import stage_ids

    ids = stage_ids(store, 1, "invited")  # the application database's: 16 is in the store's
    assert ids == [*range(1, 16), *range(21, 26), 41]


def test_the_cli_reports_a_stage(store, store_url, study):
    store.dispose()
    out = CliRunner().invoke(main, ["representativeness", "--study", "1", "--stage", "invited",
                                    "--db", store_url, "--json", "--no-suppression"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["stage"] == "invited" and body["cohort"]["total"] == 21
    text = CliRunner().invoke(main, ["representativeness", "--study", "1", "--stage",
                                     "enrolled", "--db", store_url])
    assert text.exit_code == 0, text.output
    assert "Representativeness: Adults (enrolled group)" in text.output
    assert "Eligible patients: " in text.output


@pytest.mark.parametrize(("args", "message"), [
    (["--stage", "invited"], "give either FILE or --study ID"),
    (["x.criteria", "--study", "1"], "give either FILE or --study ID"),
    (["--study", "2"], "study 2 does not exist or is not approved"),
])
def test_the_cli_refuses_unclear_requests(store, store_url, study, args, message):
    store.dispose()
    out = CliRunner().invoke(main, ["representativeness", *args, "--db", store_url])
    assert out.exit_code != 0 and message in out.output
