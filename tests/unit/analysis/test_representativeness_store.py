# ruff: noqa: E501  (the text tables are wider than code)
"""Representativeness on every engine, from a tiny store where every number is known."""

from __future__ import annotations

import pytest

from dart.analysis.disclosure import DisclosurePolicy
from dart.analysis.representativeness import run_representativeness
from tests.support.tables import load_tables

CRITERIA = """\
population "Adults": age >= 18
codelist ckd3 = snomed("433144002")
include "Aged 18 to 65": age between 18 and 65
exclude "CKD": has ckd3
"""

# Index date 2026-06-30. All women of practice 1 (London), IMD 3.
#  1-20 white, born 1970 (56: 55-59)                  -> eligible
# 21-32 black, born 1970, CKD                         -> fail "CKD" only
# 33-40 black, born 1970                              -> eligible
# 41-50 white, born 1950 (76: 75-79)                  -> fail "Aged 18 to 65" only
# Target (adults) 50: white 30, black 20; base aged 18-65: 40; cohort 28: white 20, black 8.


def _store(engine) -> None:
    rows = [f"{i} | white | 1970-01-01" for i in range(1, 21)]
    rows += [f"{i} | black | 1970-01-01" for i in range(21, 41)]
    rows += [f"{i} | white | 1950-01-01" for i in range(41, 51)]
    obs = [f"{i} | 2020-01-01 | 433144002 |" for i in range(21, 33)]
    load_tables(engine, "patient\npatient_id | ethnicity | date_of_birth\n" + "\n".join(rows)
                + "\n\nobservation\npatient_id | obs_date | code | value\n" + "\n".join(obs))


def test_shares_ratios_and_rule_impact_by_hand(store):
    _store(store)
    res = run_representativeness(store, CRITERIA, {}, policy=DisclosurePolicy(enabled=False))
    assert res.cohort_total == 28
    assert res.reference("target").total == 50 and res.reference("base").total == 40
    assert res.age_range == (18, 65)
    black = res.dimension("ethnicity").row("black")
    # 8/28 = 0.2857 against 20/50 = 0.4 -> 0.714; Katz SE = sqrt(1/8 - 1/28 + 1/20 - 1/50)
    # = 0.345378 -> 0.714286 * exp(-/+ 0.676927) = 0.36298, 1.40558
    r = black.ratios["target"]
    assert (r.value, r.lower, r.upper) == pytest.approx((0.714286, 0.36298, 1.40558), abs=1e-5)
    assert r.flag == "under"
    assert black.ratios["base"].value == pytest.approx((8 / 28) / (20 / 40))  # 0.571
    white = res.dimension("ethnicity").row("white")
    assert white.ratios["target"].value == pytest.approx((20 / 28) / (30 / 50))  # 1.190
    ages = res.dimension("age_band")
    assert ages.row("55-59").ratios["target"].value == pytest.approx(1 / 0.8)  # 1.25: ok
    assert ages.row("55-59").ratios["target"].flag == "ok"
    old = ages.row("75-79")
    assert old.ratios["target"].value == 0.0 and old.ratios["target"].flag == "under"
    assert old.ratios["base"].value is None  # outside the ages the rules allow
    assert old.ratios["uk"].value is None

    by_label = {i.label: i for i in res.rule_impacts}
    ckd = by_label["CKD"]
    # without "CKD": patients 1-40, black 20/40 = 0.5 / 0.4 = 1.25 (with it: 0.714)
    change = next(c for c in ckd.changes if (c.dimension, c.group) == ("ethnicity", "black"))
    assert change.ratio_without == pytest.approx(1.25)
    assert (ckd.worst.dimension, ckd.worst.group) == ("ethnicity", "black")
    age = by_label["Aged 18 to 65"]
    # without the age rule: 1-20, 33-50 = 38; 75-79: 10/38 / 0.2 = 1.316 (with it: 0)
    assert (age.worst.dimension, age.worst.group) == ("age_band", "75-79")
    assert age.worst.ratio_without == pytest.approx((10 / 38) / 0.2)
    # ranked: the age rule lowers an under-represented group most (-1.32 vs -0.54)
    assert [i.label for i in res.rule_impacts] == ["Aged 18 to 65", "CKD"]
    summary = " ".join(res.summary)
    assert "Black" in summary and "'CKD'" in summary and "'Aged 18 to 65'" in summary


def test_disclosure_on_every_engine(store):
    # Each published count is the engine's p(count, cell key) of the same patients' keys
    # computed here in Python: identical on SQLite, DuckDB and PostgreSQL.
    _store(store)
    policy = DisclosurePolicy(secret="store-test")
    res = run_representativeness(store, CRITERIA, {}, policy=policy)

    def published(ids) -> int | None:
        ids = list(ids)
        return policy.disclose(len(ids), sum(policy.keys.of(i) for i in ids))

    cohort = [*range(1, 21), *range(33, 41)]
    assert res.cohort_total == published(cohort)
    black = res.dimension("ethnicity").row("black")
    assert black.cohort.count == published(range(33, 41))  # 8: published, perturbed
    assert res.reference("target").total == published(range(1, 51))
    old = res.dimension("age_band").row("75-79")
    assert old.references["target"].count == published(range(41, 51))
    # nobody aged 75-79 can pass "Aged 18 to 65": a structural zero, not "<8"
    assert (old.cohort.count, old.cohort.structural) == (0, True)
    assert (old.references["base"].count, old.references["base"].structural) == (0, True)
    # a true zero the criteria allow is "<8" like any small count
    assert res.dimension("ethnicity").row("asian").cohort.suppressed
