#!/usr/bin/env bash
# Runs the official Labelbox Python SDK (labelbox==7.17.0) against the emulator.
#
# Creates (or reuses) a virtual environment under target/conformance-venv, installs the SDK
# from PyPI, starts the emulator binary on a free loopback port with a fixed admin key seed,
# runs official_sdk_flows.py, and stops the emulator.
#
# Environment:
#   LABELBOX_CONFORMANCE_ENDPOINT + LABELBOX_CONFORMANCE_API_KEY  use a running emulator
#                                   (default seed) instead of starting the binary
#   LABELBOX_EMULATOR_BIN           the emulator binary (default: built with cargo)
#   LABELBOX_CONFORMANCE_VENV       the venv directory (default: target/conformance-venv)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="${LABELBOX_CONFORMANCE_VENV:-$TARGET/conformance-venv}"

"$ROOT/scripts/official-sdk-venv.sh" "$VENV"

EMU_PID=""
OUT=""
cleanup() {
  if [ -n "$EMU_PID" ]; then kill "$EMU_PID" 2>/dev/null || true; wait "$EMU_PID" 2>/dev/null || true; fi
  if [ -n "$OUT" ]; then rm -rf "$OUT"; fi
}
trap cleanup EXIT

if [ -n "${LABELBOX_CONFORMANCE_ENDPOINT:-}" ] && [ -n "${LABELBOX_CONFORMANCE_API_KEY:-}" ]; then
  ENDPOINT="$LABELBOX_CONFORMANCE_ENDPOINT"
  KEY="$LABELBOX_CONFORMANCE_API_KEY"
else
  BIN="${LABELBOX_EMULATOR_BIN:-}"
  if [ -z "$BIN" ]; then
    (cd "$ROOT" && cargo build --quiet -p labelbox-emulator --bin labelbox-emulator)
    BIN="$TARGET/debug/labelbox-emulator"
  fi
  OUT="$(mktemp -d)"
  READY="$OUT/ready.json"
  "$BIN" --listen 127.0.0.1:0 --admin-key-seed conformance --ready-file "$READY" >/dev/null &
  EMU_PID=$!
  # The ready file appears (atomically, mode 0600) once the emulator listens.
  for _ in $(seq 1 300); do
    if [ -s "$READY" ]; then break; fi
    if ! kill -0 "$EMU_PID" 2>/dev/null; then echo "conformance: the emulator exited" >&2; exit 1; fi
    sleep 0.1
  done
  ENDPOINT="$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$READY")"
  KEY="$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin_key"])' "$READY")"
  if [ -z "$ENDPOINT" ] || [ -z "$KEY" ]; then echo "conformance: the emulator did not start" >&2; exit 1; fi
fi

echo "conformance: official SDK against $ENDPOINT" >&2
"$VENV/bin/python" -W ignore::UserWarning "$ROOT/tests/conformance/official_sdk_flows.py" "$ENDPOINT" "$KEY"
