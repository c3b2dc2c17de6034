#!/usr/bin/env bash
# Runs the fuzz targets one after the other (default: all three, 600 s each).
# Usage (from fuzz/): ./run.sh [SECONDS] [TARGET...]
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); on a stable toolchain the
# sanitizer flags are allowed by RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(validity_parse allowlist_parse response_decode)
export RUSTC_BOOTSTRAP=1
mkdir -p logs
declare -A dict=([validity_parse]=validity [allowlist_parse]=allowlist [response_decode]=response)
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    echo "== $target: ${seconds}s, log in fuzz/logs/$target.log"
    cargo fuzz run -O -a "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -dict="dicts/${dict[$target]}.dict" >"logs/$target.log" 2>&1 || {
        echo "!! $target failed (crash or error): see logs/$target.log and artifacts/$target/"
        continue
    }
    tail -n 12 "logs/$target.log" | grep -E '^(#[0-9]+|stat::|Done)' || true
done
