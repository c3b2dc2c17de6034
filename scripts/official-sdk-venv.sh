#!/usr/bin/env bash
# Makes sure a virtual environment with the official Labelbox Python SDK exists.
#
# Usage: scripts/official-sdk-venv.sh VENV_DIR
# Reuses VENV_DIR when it already holds labelbox==7.17.0; otherwise (re)creates it with
# $PYTHON (default python3) and installs the SDK from PyPI. Used by the conformance test
# (tests/conformance/run.sh) and the benchmarks (bench/run.sh).
set -euo pipefail

VENV="${1:?usage: $0 VENV_DIR}"
PYTHON="${PYTHON:-python3}"
VERSION="7.17.0"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON is not installed; it is needed to install the official Labelbox Python" \
       "SDK (Debian: apt-get install python3 python3-venv). The conformance test can be" \
       "skipped on purpose with LABELBOX_SKIP_PYTHON_CONFORMANCE=1." >&2
  exit 1
fi

if ! "$VENV/bin/python" - "$VERSION" <<'PY' 2>/dev/null
import importlib.metadata as m, sys
sys.exit(0 if m.version("labelbox") == sys.argv[1] else 1)
PY
then
  echo "creating $VENV with labelbox==$VERSION" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "labelbox==$VERSION"
fi
