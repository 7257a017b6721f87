"""Any number of invitations goes with a query, as a fixed number of bound parameters
(``dialects.BoundRows``): 100,000 give the exact counts on every engine, dates and NULL
study ids come back as sent, and no patient id is ever written into the SQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from dart.analysis.feasibility import run_feasibility
from dart.recruitment.invitations import MAX_SENT, sent_ids, sent_rows, with_invitations
from dart.sources.native import NATIVE
from dart.store.engine import open_engine
from dart.store.limits import QueryTooCostly
from tests.support.sent import (
    INDEX,
    PATIENT_TABLE,
    PATIENTS,
    START,
    app_with_sent,
    expected,
    sent,
)
from tests.support.tables import load_tables


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> sa.Engine:
    engine = app_with_sent(tmp_path_factory.mktemp("sent") / "app.db")
    yield engine
    engine.dispose()


def test_the_rows_make_a_discriminating_test():
    counts = expected(sent())
    assert len(sent()) == 100_000
    assert 100 < counts["include invited within 6 months"] < PATIENTS - 100
    assert 0 < counts["include invited to study 1 within 6 months"] < counts[
        "include invited within 6 months"]


def test_100000_invitations_give_the_exact_counts_on_every_engine(store, store_url, app):
    load_tables(store, PATIENT_TABLE)
    store.dispose()
    records = open_engine(store_url, read_only=True, create=False)
    try:
        for criteria, count in expected(sent()).items():
            result = run_feasibility(records, criteria, {},
                                     source=with_invitations(NATIVE, app))
            assert result.eligible == count, criteria
    finally:
        records.dispose()


ROUND_TRIP = [(None, 1, dt.date(1900, 1, 1)), (7, 2, dt.date(2024, 2, 29)),
              (None, 3, INDEX), (2_000_000_000, 4, None)]


def test_dates_and_null_study_ids_come_back_as_sent(store):
    rows = ROUND_TRIP + [(i % 5 or None, 10 + i, START + dt.timedelta(days=i % 3_000))
                         for i in range(100_000)]
    with store.connect() as conn:
        back = conn.execute(sa.select(sent_rows(rows))).all()
        ids = conn.execute(sa.select(sent_ids([r[1] for r in rows], "ids"))).scalars().all()
        none = conn.execute(sa.select(sa.func.count()).select_from(sent_rows([]))).scalar()
    assert sorted(back, key=repr) == sorted(rows, key=repr)
    assert sorted(ids) == sorted(r[1] for r in rows)
    assert none == 0


def dialects() -> dict[str, sa.Dialect]:
    from dart.store.spark import SparkDialect

    found = {name: sa.make_url(f"{name}://").get_dialect()()
             for name in ("sqlite", "duckdb", "postgresql")}
    found["spark"] = SparkDialect()
    for name, url in (("hive", "hive://host/default"), ("databricks", "databricks://h"),
                      ("trino", "trino://user@host/catalog")):
        try:
            found[name] = sa.make_url(url).get_dialect()()
        except (sa.exc.NoSuchModuleError, ImportError):
            pass  # that dialect's package is not installed
    return found


@pytest.mark.parametrize("dialect", sorted(dialects()))
def test_the_sql_holds_no_patient_id_and_a_fixed_number_of_parameters(dialect):
    compiled = {n: sa.select(sent_rows([(1, 7_000_000 + i, INDEX) for i in range(n)]))
                .compile(dialect=dialects()[dialect]) for n in (1, 100_000)}
    assert str(compiled[1]) == str(compiled[100_000])
    assert len(compiled[1].params) == len(compiled[100_000].params) <= 3
    assert not re.search(r"\d{5,}", str(compiled[100_000]))


def test_past_the_memory_bound_is_a_clear_refusal():
    ids = list(range(MAX_SENT))
    sent_ids(ids, "fits")  # the bound itself is allowed
    with pytest.raises(QueryTooCostly, match="too many") as refused:
        sent_rows([(1, 1, INDEX)] * (MAX_SENT + 1))
    assert refused.value.limit == "invitations"
    with pytest.raises(QueryTooCostly, match="too many"):
        sent_ids([*ids, MAX_SENT], "over")
