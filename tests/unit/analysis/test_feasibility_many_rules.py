# ruff: noqa: E501  (the text tables are wider than code)
"""Past ``MAX_PATTERN_RULES`` rules the funnel and unique impacts come from one GROUP BY of
(first rule failed, the only one failed, in population): counts derived by hand, every engine.
"""

from __future__ import annotations

from dart.analysis.disclosure import RecordKeys
from dart.analysis.feasibility import queries, run, run_feasibility
from dart.analysis.feasibility.queries import MAX_PATTERN_RULES, totals_from_failures
from dart.compiler import prepare
from tests.support.tables import load_tables

N = MAX_PATTERN_RULES + 10  # 70 rules: "include age > k" for k = 0..68, then "exclude sex is male"
CRITERIA = ("index date 2026-06-30\npopulation \"Women\": sex is female\n"
            + "".join(f"include age > {k}\n" for k in range(N - 1)) + "exclude sex is male\n")

# Ages on 2026-06-30: a patient aged a passes "age > k" for k < a, so fails rules a..68.
#  1 F 10: first fails rule 10            2 F 30: first fails rule 30
#  3 F 68: fails rule 68 alone (impact)   4 M 68: fails 68 and the exclude (rule 69)
#  5 F 80: eligible                       6 M 80: fails the exclude alone (impact)
#  7 F 80: eligible                       8 F 0 (born 2026-01-01): fails rule 0 first
STORE = """
patient
patient_id | sex | date_of_birth
1          | F   | 2016-01-01
2          | F   | 1996-01-01
3          | F   | 1958-01-01
4          | M   | 1958-01-01
5          | F   | 1946-01-01
6          | M   | 1946-01-01
7          | F   | 1946-01-01
8          | F   | 2026-01-01
"""


AGES = {1: 10, 2: 30, 3: 68, 4: 68, 5: 80, 6: 80, 7: 80, 8: 0}
MALES = {4, 6}


def expected_remaining(k: int) -> int:
    """Left after rules 0..k: aged over k (ages only grow the bar), then not male."""
    if k < N - 1:
        return sum(age > k for age in AGES.values())
    return sum(age > N - 2 and p not in MALES for p, age in AGES.items())


def test_funnel_and_unique_impact_past_the_pattern_rules(store):
    load_tables(store, STORE)
    result = run_feasibility(store, CRITERIA)
    assert (result.base, result.population, result.eligible) == (8, 6, 2)
    assert [s.remaining for s in result.funnel] == [expected_remaining(k) for k in range(N)]
    assert result.funnel[0].dropped == 1 and result.funnel[10].dropped == 1
    impact = {r.label: r.count for r in result.unique_impact if r.count}
    assert impact == {"age > 68": 1, "sex is male": 1}  # patients 3 and 6


def test_totals_from_failures_by_hand():
    # (first failed, only, in population, n, key sum) over 3 rules; first = 3: none failed.
    rows = [(3, 0, 1, 4, 40), (0, 1, 1, 2, 200), (0, 0, 0, 1, 1000), (2, 1, 0, 3, 3)]
    totals = totals_from_failures(rows, 3)
    assert (totals["base"], totals["population"], totals["eligible"]) == (10, 6, 4)
    assert [totals[f"remaining_{k}"] for k in range(3)] == [7, 7, 4]
    assert [totals[f"impact_{k}"] for k in range(3)] == [2, 0, 3]
    # The key sums follow the same sums and differences as the counts.
    assert (totals["base_key"], totals["population_key"], totals["eligible_key"]) == (
        1243, 240, 40)
    assert [totals[f"remaining_{k}_key"] for k in range(3)] == [43, 43, 40]
    assert [totals[f"impact_{k}_key"] for k in range(3)] == [200, 0, 3]


# Three rules over 7 patients (ages on 2026-06-30): 1 F 40, 2 F 17, 3 M 50, 4 F 85, 5 F 30,
# 6 M 16, 7 F 60. Eligible (adult women aged 80 or under): 1, 5, 7.
FEW = """
patient
patient_id | sex | date_of_birth
1          | F   | 1986-01-01
2          | F   | 2009-01-01
3          | M   | 1976-01-01
4          | F   | 1941-01-01
5          | F   | 1996-01-01
6          | M   | 2010-01-01
7          | F   | 1966-01-01
"""
FEW_CRITERIA = ("index date 2026-06-30\ninclude age >= 18\ninclude sex is female\n"
                "exclude age > 80\n")


def test_past_the_pattern_limit_the_counts_are_the_same(store, monkeypatch):
    # The two statements that take over past MAX_PATTERN_RULES must give what the one
    # pattern query gives: the same criteria counted both ways, the limit lowered to 2.
    load_tables(store, FEW)
    one_query = run_feasibility(store, FEW_CRITERIA)
    monkeypatch.setattr(queries, "MAX_PATTERN_RULES", 2)
    monkeypatch.setattr(run, "MAX_PATTERN_RULES", 2)
    two_queries = run_feasibility(store, FEW_CRITERIA)
    assert len(queries.statements(prepare(store, FEW_CRITERIA).compiled,
                                  RecordKeys.from_secret("t"))) == 2
    assert (two_queries.base, two_queries.eligible) == (7, 3)
    # funnel: 5 adults (2 and 6 are not), 4 of them women (3 is not), 3 aged 80 or under
    assert [s.remaining for s in two_queries.funnel] == [5, 4, 3]
    assert two_queries.to_json() == one_query.to_json()
    assert two_queries.cell_keys == one_query.cell_keys
