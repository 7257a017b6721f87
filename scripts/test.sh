#!/usr/bin/env bash
# Set up and run DART's whole test suite on a fresh machine (Debian, Python 3.11+).
# Installs the package with its test extra into .venv, Chromium + chromedriver for the
# browser tests (Debian packages, when missing and run as root), makes sure a PostgreSQL
# server answers for the cross-engine tests, on CI (or with DART_TEST_SPARK=1) the spark
# extra for the Spark tests, then runs ruff and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

# Browser for the dashboard tests (dash's testing tools drive headless Chromium).
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        echo "installing chromium and chromium-driver (Debian packages)…"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "warning: chromium/chromedriver missing and not root: browser tests will fail" >&2
    fi
fi

# PostgreSQL for the cross-engine tests.
if [ -z "${DART_TEST_POSTGRES_URL:-}" ]; then
    # shellcheck source=scripts/postgres.sh
    source scripts/postgres.sh
fi
echo "PostgreSQL tests use: ${DART_TEST_POSTGRES_URL:-<none: they will skip>}"

# Spark SQL for its tests: on CI, or when asked for (a 450 MB install, a few minutes of tests).
if [ -n "${CI:-}" ] || [ "${DART_TEST_SPARK:-}" = 1 ]; then
    # shellcheck source=scripts/spark.sh
    source scripts/spark.sh
fi

.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q -p no:cacheprovider --webdriver Chrome --headless "$@"
