"""Calendar arithmetic of windows and the English each rule explains itself with."""

import datetime as dt

from criteria_grammar import nodes as n
from dart.compiler import explain
from dart.compiler.dates import DateRange, birth_cutoff, months_back, step_back, window_range

D = dt.date


def test_month_end_clamps():
    assert months_back(D(2026, 3, 31), 1) == D(2026, 2, 28)
    assert months_back(D(2024, 3, 31), 1) == D(2024, 2, 29)
    assert months_back(D(2026, 1, 15), 1) == D(2025, 12, 15)
    assert step_back(D(2024, 2, 29), 1, "year") == D(2023, 2, 28)
    assert step_back(D(2026, 6, 30), 2, "week") == D(2026, 6, 16)


def test_windows_are_closed_ranges_ending_at_or_before_the_index():
    idx = D(2026, 6, 30)
    assert window_range(n.Within(12, "month"), idx) == DateRange(D(2025, 6, 30), idx)
    assert window_range(n.MoreThanAgo(12, "month"), idx) == DateRange(None, D(2025, 6, 29))
    assert window_range(n.Between(D(2026, 1, 1), D(2026, 12, 31)), idx) == DateRange(
        D(2026, 1, 1), idx)


def test_birth_cutoff_leap_day():
    # Born 2024-02-29: not yet 1 on 2025-02-28 (cut-off 2024-02-28).
    assert birth_cutoff(D(2025, 2, 28), 1) == D(2024, 2, 28)


def test_explain_reads_as_english():
    criteria = n.Criteria(rules=(
        n.Rule("include", "Aged 40 to 80", n.AgeTest(n.Range(40, 80)), "age between 40 and 80"),
        n.Rule("include", "T2", n.Has("t2dm", n.Ever()), "has t2dm"),
        n.Rule("include", "HbA1c", n.ValueOf("latest", "hba1c", n.Within(12, "month"),
                                             n.Range(58, 110, "mmol/mol")), "..."),
    ), index_date=D(2026, 6, 30))
    assert explain(criteria) == [
        'include "Aged 40 to 80": aged 40 to 80 on 2026-06-30',
        'include "T2": has a record of t2dm on or before 2026-06-30',
        'include "HbA1c": latest hba1c value between 2025-06-30 and 2026-06-30 is between '
        "58 and 110 mmol/mol",
    ]


def test_v1_1_forms_read_as_english():
    first_copd = n.Anchor("first", "copd")
    criteria = n.Criteria(rules=(
        n.Rule("include", "Ex", n.Has("exac", n.Relative(12, "month", "after", first_copd)),
               "..."),
        n.Rule("include", "Pre", n.ValueOf("latest", "hba1c", n.Relative(
            3, "month", "before", n.Anchor("latest", "sglt2i")), n.Compare(">", 58)), "..."),
        n.Rule("include", "Q", n.TotalQuantity("salbutamol", n.Within(12, "month"),
                                               n.Compare("<=", 11)), "..."),
        n.Rule("include", "P", n.PracticeIn(("A81001", "B82002")), "..."),
        n.Rule("exclude", "I", n.Invited(n.Ever(), 3), "..."),
        n.Rule("exclude", "E", n.Enrolled(n.Within(1, "year")), "..."),
        n.Rule("exclude", "E4", n.Enrolled(n.Ever(), 4), "..."),
    ), index_date=D(2026, 6, 30))
    assert explain(criteria) == [
        'include "Ex": has a record of exac from the day of the patient\'s first copd record '
        "to 12 month(s) after it (never after the index date; no copd record: none)",
        'include "Pre": latest hba1c value from 3 month(s) before the day of the patient\'s '
        "latest sglt2i record to that day (no sglt2i record: none) is above 58",
        'include "Q": total quantity prescribed of salbutamol between 2025-06-30 and '
        "2026-06-30 is at most 11",
        'include "P": registered at practice A81001 or B82002',
        'exclude "I": invited to study 3 on or before 2026-06-30',
        'exclude "E": enrolled in a trial between 2025-06-30 and 2026-06-30',
        'exclude "E4": enrolled in study 4 on or before 2026-06-30',
    ]
