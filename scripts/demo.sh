#!/usr/bin/env bash
# Set up DART and start it on the embedded default store with demo data and demo users.
# Prints the demo accounts' tokens; the dashboard is at http://127.0.0.1:8050/dashboard/
# Installs into .venv only when needed (no .venv yet, or pyproject.toml changed since the
# last install), so a second start takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
STAMP=.venv/.dart-installed
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
fi
if [ ! -x .venv/bin/dart ] || [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    echo "installing DART into .venv…"
    .venv/bin/python -m pip install -q -e .
    touch "$STAMP"
fi
exec .venv/bin/dart serve --demo "$@"
