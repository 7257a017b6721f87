"""Spark SQL on a cluster's route: ``hive://`` (a Spark Thrift Server, through PyHive's
dialect and DBAPI) gives DuckDB's answers, 100,000 invitations sent with a query give the
exact counts on both Spark routes, and the SQL text databricks-sqlalchemy writes runs on
Spark with DuckDB's rows.

No cluster is needed: pip's pyspark ships the Spark Thrift Server (the
``spark-hive-thriftserver`` jar), so the test starts one inside its own local Spark
session, over the tables of a Parquet store registered in the session's catalog, as a
cluster's metastore holds them, and DART reaches it at ``hive://127.0.0.1:PORT/DB`` like
any Thrift server. Needs ``DART_TEST_SPARK=1``, pyspark and PyHive
(``pip install -e '.[spark,hive]'``).
"""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa

from criteria_grammar import parse
from dart.analysis.disclosure.keys import RecordKeys
from dart.analysis.feasibility import run_feasibility, statements
from dart.compiler import compile_criteria
from dart.recruitment.invitations import with_invitations
from dart.sources.native import NATIVE
from dart.store.codelists import load_library
from dart.store.engine import create_store, open_engine
from dart.store.generate import generate
from dart.store.spark import session, write_parquet
from tests.support.sent import PATIENT_TABLE, app_with_sent, expected, sent
from tests.support.spark import spark_copy, spark_skip_reason
from tests.support.tables import load_tables

if spark_skip_reason():
    pytest.skip(spark_skip_reason(), allow_module_level=True)
pytest.importorskip("pyhive.hive", reason="the hive:// route needs PyHive: "
                    "pip install -e '.[hive]'")

EXAMPLES = Path(__file__).resolve().parents[2] / "sample_data" / "criteria"
# Two of the examples, between them latest values (by epoch seconds), windows relative to
# a patient's own date, invitations, codes, ages and every breakdown:
# each takes tens of seconds on Spark, so the rest are compiled (tests/unit/store/
# test_cluster_urls.py) rather than run here; tests/functional/test_spark.py runs them
# all on the local route.
THROUGH_HIVE = ("t2dm_sglt2i", "copd_early_exacerbation")
SENT_CRITERIA = "include invited within 6 months"  # every one of the 100,000 rows is read


KEYS = RecordKeys.from_secret("spark cluster test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def register(spark, database: str, folder: Path) -> None:
    """Every ``folder/<table>.parquet`` as a catalog table ``database.<table>`` (test
    data only: the names and paths are the test's own, quoted as SQL literals)."""
    spark.sql(f"CREATE DATABASE {database} LOCATION '{folder / 'warehouse'}'")
    for table in sorted(folder.glob("*.parquet")):
        spark.sql(f"CREATE TABLE {database}.{table.stem} USING parquet "
                  f"LOCATION '{table}'")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """DuckDB and Spark copies of a generated store and of the sent-rows store, and a
    Thrift server over the Spark session's catalog; yields (duck, spark, hive_url)."""
    folder = tmp_path_factory.mktemp("cluster")
    duck = open_engine(f"duckdb:///{folder / 'examples.duckdb'}")
    create_store(duck)
    generate(duck, 400, seed=5, progress=False)
    write_parquet(duck, folder / "examples")
    hand = open_engine(f"duckdb:///{folder / 'sent.duckdb'}")
    create_store(hand)
    load_tables(hand, PATIENT_TABLE)
    spark = spark_copy(hand, folder / "sent")
    hand.dispose()
    local = session(str(folder / "sent"))
    register(local, "dart_examples", folder / "examples")
    register(local, "dart_sent", folder / "sent")
    port = free_port()
    # The Thrift server boots an in-memory Derby metastore for its own use, which would
    # write derby.log and a warehouse folder into the working directory.
    local._jvm.java.lang.System.setProperty("derby.stream.error.file",
                                            str(folder / "derby.log"))
    local.conf.set("hive.metastore.warehouse.dir", str(folder / "hive-warehouse"))
    local.conf.set("hive.server2.thrift.bind.host", "127.0.0.1")
    local.conf.set("hive.server2.thrift.port", str(port))
    server = local._jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 \
        .startWithContext(local._jsparkSession.sqlContext())
    try:
        yield duck, spark, f"hive://dart@127.0.0.1:{port}"
    finally:
        server.stop()
        for database in ("dart_examples", "dart_sent"):
            local.sql(f"DROP DATABASE {database} CASCADE")
        duck.dispose()
        spark.dispose()


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> sa.Engine:
    engine = app_with_sent(tmp_path_factory.mktemp("sent") / "app.db")
    yield engine
    engine.dispose()


def test_a_hive_url_opens_as_the_hive_dialect(cluster):
    hive = open_engine(f"{cluster[2]}/dart_examples", read_only=True, create=False)
    try:
        assert hive.dialect.name == "hive"
        with hive.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM patient")).scalar() == 400
    finally:
        hive.dispose()


@pytest.mark.parametrize("name", THROUGH_HIVE)
def test_examples_through_hive_give_duckdbs_answer(cluster, name):
    duck, _, url = cluster
    text = (EXAMPLES / f"{name}.criteria").read_text()
    expected_json = run_feasibility(duck, text).to_json()
    assert expected_json["base"] > 0
    hive = open_engine(f"{url}/dart_examples", read_only=True, create=False)
    try:
        assert run_feasibility(hive, text).to_json() == expected_json
    finally:
        hive.dispose()


@pytest.mark.parametrize("route", ["spark", "hive"])
def test_100000_invitations_give_the_exact_counts_on_both_spark_routes(cluster, app, route):
    engine = cluster[1] if route == "spark" else open_engine(
        f"{cluster[2]}/dart_sent", read_only=True, create=False)
    try:
        result = run_feasibility(engine, SENT_CRITERIA, {},
                                 source=with_invitations(NATIVE, app))
        assert result.eligible == expected(sent())[SENT_CRITERIA]
    finally:
        if route == "hive":
            engine.dispose()


def test_databricks_sql_text_gives_duckdbs_rows_on_spark(cluster):
    """No Databricks warehouse here: the statements as databricks-sqlalchemy writes them,
    values rendered by that dialect's own literal binding (in this test only: DART binds
    them), run on the Thrift server's Spark and give DuckDB's rows."""
    pytest.importorskip("databricks.sqlalchemy", reason="pip install -e '.[databricks]'")
    duck, _, url = cluster
    text = (EXAMPLES / "copd_early_exacerbation.criteria").read_text()
    compiled = compile_criteria(parse(text), load_library(), dt.date(2026, 6, 30))
    databricks = sa.make_url("databricks://token:T@host?http_path=/x").get_dialect()()
    hive = open_engine(f"{url}/dart_examples", read_only=True, create=False)
    try:
        for statement in statements(compiled, KEYS):
            with duck.connect() as conn:
                want = sorted(tuple(r) for r in conn.execute(statement))
            sql = str(statement.compile(dialect=databricks,
                                        compile_kwargs={"literal_binds": True}))
            raw = hive.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute(sql)  # no parameters: PyHive sends the text as it is
                got = sorted(tuple(r) for r in cursor.fetchall())
            finally:
                raw.close()
            assert got == want
    finally:
        hive.dispose()
