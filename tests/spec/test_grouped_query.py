"""Property: ``grouped_query`` (DuckDB's feasibility statement) returns exactly the rows of
``one_query`` (the other engines'), on every engine, for random criteria over the random
store of ``test_cross_engine``."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria_grammar import nodes as n
from dart.analysis.feasibility import grouped_query, one_query, rules_cte, rules_source
from dart.compiler import compile_criteria
from tests.spec.test_cross_engine import LIBRARY, engines, rules  # noqa: F401 (fixture)


def _rows(engine, query) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return sorted(((dim, None if g is None else str(g), p, name, int(c))
                   for dim, g, p, name, c in rows), key=repr)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(rules, min_size=0, max_size=3),
       st.sampled_from([dt.date(2026, 6, 30), dt.date(2026, 3, 1)]))
def test_grouped_query_returns_the_rows_of_one_query(engines, rule_list, index):  # noqa: F811
    compiled = compile_criteria(n.Criteria(rules=tuple(rule_list)), LIBRARY, index)
    k = len(compiled.rules)
    for engine in engines:
        want = _rows(engine, one_query(rules_cte(compiled), k))
        got = _rows(engine, grouped_query(rules_source(compiled), k))
        assert got == want, engine.dialect.name
