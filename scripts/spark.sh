# Sourced by scripts/test.sh on CI (CI=true) or with DART_TEST_SPARK=1: install the spark
# extra (pyspark, ~450 MB) and the cluster routes' dialects (hive: PyHive, for the test
# through a Spark Thrift Server; databricks: compiled for) into .venv and turn the Spark
# tests on. Where pyspark cannot be installed or no Java runtime is found, the Spark tests
# stay on and skip, saying why (tests/support/spark.py); nothing else in the run is affected.
if ! .venv/bin/python -c 'import pyspark, pyhive.hive, databricks.sqlalchemy' >/dev/null 2>&1
then
    echo "installing the spark, hive and databricks extras (pyspark, about 450 MB)…"
    began=$(date +%s)
    if .venv/bin/python -m pip install -q -e '.[spark,hive,databricks]'; then
        echo "the extras installed in $(( $(date +%s) - began )) s"
    else
        echo "warning: the extras could not be installed: the Spark tests will skip" >&2
    fi
fi
command -v java >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ] \
    || echo "warning: no Java runtime: the Spark tests will skip" >&2
export DART_TEST_SPARK=1
