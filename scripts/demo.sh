#!/usr/bin/env bash
# Set up DART and start it on the embedded default store with demo data and demo users.
# Prints the demo accounts' tokens; the dashboard is at http://127.0.0.1:8050/dashboard/
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/dart serve --demo "$@"
