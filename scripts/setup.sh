#!/usr/bin/env bash
# Idempotent environment setup shared by scripts/serve and scripts/test.
# Creates .venv with Python 3.11 and installs the project (torch pinned to the CPU build).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
stamp=.venv/.medpolicy-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
  python -m pip install -q --upgrade pip
  # torch first and pinned: anything else makes pip pick a multi-GB CUDA build.
  python -m pip install -q "torch==2.13.0"
  # The locked set (scripts/lock.sh regenerates it from pyproject.toml), then the project itself.
  python -m pip install -q -r requirements.lock
  python -m pip install -q --no-deps -e ".[dev]"
  touch "$stamp"
fi
