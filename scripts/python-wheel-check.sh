#!/usr/bin/env bash
# The labelbox-emulator wheel, end to end, as a Python user gets it:
#
# 1. installs maturin from PyPI into a venv under the target directory (reused when it holds
#    the pinned version);
# 2. builds the wheel from this checkout (`maturin build`, python/labelbox-emulator: the
#    `labelbox-emulator` binary and the `labelbox_emulator` package with its pytest plugin);
# 3. creates a fresh venv in a new temporary directory outside the checkout, installs the
#    official `labelbox` SDK (the version scripts/official-sdk-venv.sh pins) and pytest, then
#    the wheel (timed);
# 4. runs python/labelbox-emulator/tests there (copied out of the checkout), with no
#    `target/` directory on PATH and no LABELBOX_EMULATOR_BIN: the binary is the wheel's;
# 5. measures the fixture's start (median of $LABELBOX_WHEEL_STARTS starts, default 20).
#
# Environment: PYTHON (default python3), CARGO_TARGET_DIR, LABELBOX_WHEEL_PROFILE (cargo
# profile, default dev: see python/labelbox-emulator/README.md for why).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
PROFILE="${LABELBOX_WHEEL_PROFILE:-dev}"
STARTS="${LABELBOX_WHEEL_STARTS:-20}"
MATURIN_VERSION="1.16.0"
# The one pin of the official SDK lives in official-sdk-venv.sh.
SDK_VERSION="$(sed -n 's/^VERSION="\(.*\)"$/\1/p' "$ROOT/scripts/official-sdk-venv.sh")"
if [ -z "$SDK_VERSION" ]; then echo "error: no VERSION in scripts/official-sdk-venv.sh" >&2; exit 1; fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON is not installed; the wheel check needs it with the venv module" \
       "(Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi

pip_quiet() { "$@" --quiet --disable-pip-version-check; }

# 1. maturin, from PyPI.
BUILD_VENV="$TARGET/maturin-venv"
if [ "$("$BUILD_VENV/bin/maturin" --version 2>/dev/null)" != "maturin $MATURIN_VERSION" ]; then
  echo "wheel: installing maturin $MATURIN_VERSION into $BUILD_VENV" >&2
  rm -rf "$BUILD_VENV"
  "$PYTHON" -m venv "$BUILD_VENV"
  pip_quiet "$BUILD_VENV/bin/python" -m pip install "maturin==$MATURIN_VERSION"
fi

# 2. The wheel, from the checkout.
WHEELS="$TARGET/python-wheel"
rm -rf "$WHEELS"
start=$SECONDS
(cd "$ROOT/python/labelbox-emulator" &&
  CARGO_TARGET_DIR="$TARGET" "$BUILD_VENV/bin/maturin" build --quiet --profile "$PROFILE" \
    --out "$WHEELS")
WHEEL="$(ls "$WHEELS"/labelbox_emulator-*.whl)"
echo "wheel: built $(basename "$WHEEL") ($PROFILE profile) in $((SECONDS - start)) s," \
     "$(du -k "$WHEEL" | cut -f1) KiB" >&2

# 3. A fresh venv outside the checkout.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
case "$WORK" in "$ROOT"/*) echo "error: $WORK is inside the checkout" >&2; exit 1 ;; esac
"$PYTHON" -m venv "$WORK/venv"
pip_quiet "$WORK/venv/bin/python" -m pip install "labelbox==$SDK_VERSION" pytest
start_ns=$(date +%s%N)
pip_quiet "$WORK/venv/bin/python" -m pip install --no-deps "$WHEEL"
echo "wheel: pip install of the wheel took $(( ($(date +%s%N) - start_ns) / 1000000 )) ms" >&2
cp -R "$ROOT/python/labelbox-emulator/tests" "$WORK/tests"

# 4. Its tests, with the wheel's binary only: no target/ directory on PATH.
CLEAN_PATH="$WORK/venv/bin"
IFS=: read -r -a entries <<<"$PATH"
for entry in "${entries[@]}"; do
  case "$entry" in */target|*/target/*|"") ;; *) CLEAN_PATH="$CLEAN_PATH:$entry" ;; esac
done
run_in_venv() {
  (cd "$WORK" && env -u LABELBOX_EMULATOR_BIN -u VIRTUAL_ENV PATH="$CLEAN_PATH" \
    PYTHONDONTWRITEBYTECODE=1 "$@")
}
run_in_venv python -m pytest -q -p no:cacheprovider -W ignore::UserWarning tests

# 5. The fixture's start: the median of $STARTS, from `start()` until the emulator serves.
run_in_venv python - "$STARTS" <<'PY'
import statistics, sys, time
import labelbox_emulator

starts, stops = [], []
for _ in range(int(sys.argv[1])):
    began = time.perf_counter()
    with labelbox_emulator.start() as emulator:
        ready = time.perf_counter()
        emulator.now()
    stops.append(time.perf_counter() - ready)
    starts.append(ready - began)
print(
    f"wheel: fixture start median {statistics.median(starts) * 1000:.1f} ms "
    f"(min {min(starts) * 1000:.1f}, max {max(starts) * 1000:.1f}; "
    f"one request and the stop: median {statistics.median(stops) * 1000:.1f} ms; "
    f"{len(starts)} starts)",
    file=sys.stderr,
)
PY
