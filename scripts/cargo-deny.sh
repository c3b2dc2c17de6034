#!/usr/bin/env bash
# Runs cargo-deny with this repository's deny.toml, installing it first when it is missing
# (`cargo install cargo-deny --locked`, kept in ~/.cargo/bin; a few minutes on 2 cores, once).
#
# Usage: bash scripts/cargo-deny.sh check licenses bans sources
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! cargo deny --version >/dev/null 2>&1; then
  echo "installing cargo-deny (once; cached in ~/.cargo/bin)" >&2
  # Its own target directory, removed afterwards: the project's CARGO_TARGET_DIR stays clean.
  build_dir="$(mktemp -d)"
  CARGO_TARGET_DIR="$build_dir" cargo install cargo-deny --locked
  rm -rf "$build_dir"
fi
exec cargo deny "$@"
