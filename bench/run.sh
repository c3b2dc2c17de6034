#!/usr/bin/env bash
# Runs the benchmarks and writes the tables into BENCHMARKS.md.
#
#   bash bench/run.sh                 # full run (about 3 minutes), updates BENCHMARKS.md
#   bash bench/run.sh --duration 0.5 --rounds 1 --out /dev/null   # a quick smoke run
#
# Builds labelbox-bench and the labelbox CLI in release mode, creates (or reuses) a virtual
# environment under target/bench-venv with the official SDK (labelbox==7.17.0, from PyPI),
# then runs `labelbox-bench run`. Extra arguments go to it (`--help` lists them); without
# `--out`, the report is spliced into BENCHMARKS.md.
#
# Environment:
#   LABELBOX_BENCH_VENV   the venv directory (default: target/bench-venv)
#   PYTHON                the Python that creates the venv (default: python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="${LABELBOX_BENCH_VENV:-$TARGET/bench-venv}"

"$ROOT/scripts/official-sdk-venv.sh" "$VENV"

# The machine's load before anything of ours runs, for the report.
LABELBOX_BENCH_LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
export LABELBOX_BENCH_LOAD_BEFORE

(cd "$ROOT" && cargo build --release --quiet -p labelbox-bench -p labelbox-cli)

out_given=0
for arg in "$@"; do
  case "$arg" in --out|--out=*|-h|--help) out_given=1 ;; esac
done
extra=()
if [ "$out_given" = 0 ]; then extra=(--out "$ROOT/BENCHMARKS.md"); fi

cd "$ROOT"
exec "$TARGET/release/labelbox-bench" run \
  --python "$VENV/bin/python" \
  --script "$ROOT/bench/python_bench.py" \
  --cli "$TARGET/release/labelbox" \
  "${extra[@]}" "$@"
