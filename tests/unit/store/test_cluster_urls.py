"""``hive://`` and ``databricks://``: accepted, opened through the cluster's own dialect,
and every example file compiles there with Spark's spellings (dialects.SPARK_DIALECTS).
What no cluster can show here is in docs/sources.md; a running Thrift server is
tests/functional/test_spark_cluster.py."""

from __future__ import annotations

import datetime as dt
import re
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from criteria_grammar import parse
from dart.analysis.disclosure.keys import RecordKeys
from dart.analysis.feasibility import statements
from dart.cli import main
from dart.compiler import compile_criteria
from dart.recruitment.invitations import with_invitations
from dart.sources.native import NATIVE
from dart.store.app_db import open_app_db
from dart.store.app_tables import invitations
from dart.store.codelists import load_library
from dart.store.engine import StoreError, normalise_url, open_engine

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "sample_data" / "criteria")
                  .glob("*.criteria"))
URLS = {"hive": "hive://dart@thrift.example:10000/default",
        "databricks": "databricks://token:T@dbc.example?http_path=/sql/1.0/warehouses/1"
                      "&catalog=main&schema=dart"}
KEYS = RecordKeys.from_secret("compile only")
MODULES = {"hive": "pyhive.sqlalchemy_hive", "databricks": "databricks.sqlalchemy"}


def dialect(name: str) -> sa.Dialect:
    pytest.importorskip(MODULES[name], reason=f"{name}:// needs pip install -e '.[{name}]'")
    return normalise_url(URLS[name]).get_dialect()()


@pytest.mark.parametrize("name", sorted(URLS))
def test_a_cluster_url_is_accepted_and_maps_to_its_dialect(name):
    assert dialect(name).name == name
    assert normalise_url(URLS[name]).get_backend_name() == name


def test_an_unknown_database_lists_the_cluster_routes():
    with pytest.raises(StoreError, match="use one of .*spark, hive, databricks"):
        normalise_url("mysql://root@localhost/x")


def test_no_thrift_server_is_a_clear_error_not_a_traceback():
    dialect("hive")
    with socket.socket() as s:  # a local port nothing listens on once it is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError, match="cannot open the store"):
        open_engine(f"hive://127.0.0.1:{port}/default", read_only=True)


@pytest.mark.parametrize("name", sorted(URLS))
def test_generate_refuses_a_cluster_and_says_where_to_write(name):
    result = CliRunner().invoke(main, ["generate", "--patients", "10", "--db", URLS[name]])
    assert result.exit_code != 0 and "spark:///PATH" in result.output


@pytest.fixture(scope="module")
def sent_source(tmp_path_factory):
    """The native source with one invitation recorded, so that every ``invited`` form
    compiles with its bound rows."""
    app = open_app_db(f"sqlite:///{tmp_path_factory.mktemp('app') / 'app.db'}")
    with app.begin() as conn:
        conn.execute(invitations.insert(), [{"study_id": 1, "patient_id": 8_765_432,
                                             "practice_id": 1,
                                             "invited_on": dt.date(2026, 1, 5)}])
    yield with_invitations(NATIVE, app)
    app.dispose()


@pytest.mark.parametrize("name", sorted(URLS))
def test_every_example_compiles_for_the_cluster_with_sparks_spellings(name, sent_source):
    target = dialect(name)
    library = load_library()
    for path in EXAMPLES:
        text = path.read_text()
        compiled = compile_criteria(parse(text), library, dt.date(2026, 6, 30),
                                    source=sent_source)
        sql = "\n".join(str(s.compile(dialect=target))
                        for s in [compiled.patient_rules, *statements(compiled, KEYS)])
        assert "EXTRACT" not in sql and "unnest" not in sql, path.name
        assert "unix_date" in sql or "latest" not in text, path.name
        assert "from_json" in sql or "invited" not in text, path.name
        assert not re.search(r"8765432|2026-01-05", sql), path.name  # values stay bound
