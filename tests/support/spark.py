"""Spark SQL in the tests: when it runs, and a Spark copy of a DuckDB store.

Spark's tests are optional on a developer's machine (pyspark is a ~450 MB extra and a local
session takes tens of seconds to start); CI installs the extra and sets
``DART_TEST_SPARK=1`` (``scripts/spark.sh``). Where that failed, they skip with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import sqlalchemy as sa

SPARK_ENV = "DART_TEST_SPARK"


def spark_skip_reason() -> str | None:
    """Why the Spark tests cannot run here, or None when they can."""
    if os.environ.get(SPARK_ENV) != "1":
        return f"Spark tests run with {SPARK_ENV}=1 (scripts/spark.sh sets it)"
    if importlib.util.find_spec("pyspark") is None:
        return (f"{SPARK_ENV}=1 but pyspark is not installed: pip install -e '.[spark]' "
                "(scripts/spark.sh)")
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home, "bin", "java")
                                              .exists()):
        return f"{SPARK_ENV}=1 but no Java runtime (java on PATH or JAVA_HOME) for Spark"
    return None


def spark_copy(duck: sa.Engine, folder: Path) -> sa.Engine:
    """A Spark store (``spark:///folder``) holding exactly the rows of the DuckDB ``duck``."""
    from dart.store.engine import open_engine
    from dart.store.spark import write_parquet

    write_parquet(duck, folder)
    return open_engine(f"spark:///{folder}")
