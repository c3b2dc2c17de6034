#!/usr/bin/env bash
# Runs cargo-deny with this repository's deny.toml, installing it first when it is missing
# (`cargo install cargo-deny --locked`, kept in ~/.cargo/bin; a few minutes on 2 cores, once).
#
# Usage: bash scripts/cargo-deny.sh check licenses bans sources
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! cargo deny --version >/dev/null 2>&1; then
  echo "installing cargo-deny (once; cached in ~/.cargo/bin)" >&2
  # Its own target directory: the project's CARGO_TARGET_DIR is not polluted.
  CARGO_TARGET_DIR="$(mktemp -d)" cargo install cargo-deny --locked
fi
exec cargo deny "$@"
