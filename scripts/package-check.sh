#!/usr/bin/env bash
# Packages every publishable crate and proves the packages stand on their own.
#
# 1. `cargo package --workspace`: each library crate and the CLI is packaged and its package
#    built on its own (verification, in dependency order; the packages of this run stand in for
#    crates.io), so nothing a build needs may lie outside a package.
# 2. A throwaway consumer (a copy of examples/consumer) in $TARGET/package-check depends on
#    `labelbox-sdk = "<version>"` etc. from crates.io, patched to the unpacked .crate files of
#    step 1 (never the workspace paths); it builds offline, so its build script checks and
#    generates its own operation with the packaged labelbox-codegen and its bundled schema;
#    its tests (examples/consumer/tests) then run that operation over HTTP against the
#    packaged emulator, and snapshot (insta, with redactions) the request the emulator's
#    journal recorded.
# 3. The same consumer with a misspelt field in a new operation must fail to build, naming
#    the file and the field (the check really runs).
#
# Usage: bash scripts/package-check.sh [--allow-dirty]   (CARGO_TARGET_DIR is honoured;
# extra arguments go to `cargo package`)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TARGET_DIR="$TARGET"
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
CRATES=(labelbox-codegen labelbox-schema labelbox-core labelbox-sdk labelbox-serve
        labelbox-emulator labelbox-schema-tools labelbox-console labelbox-cli)
# The workspace's dev profile (Cargo.toml), for the verification builds and the consumer:
# their ephemeral workspaces have no [profile] of their own, and the defaults would rebuild
# every dependency with full debug info instead of reusing what `cargo test` built.
PROFILE=(--config 'profile.dev.debug="line-tables-only"' --config 'profile.dev.package."*".debug=false')
# What the consumer depends on, directly or not (the emulator for its tests).
CONSUMER_DEPS=(labelbox-codegen labelbox-schema labelbox-core labelbox-sdk labelbox-serve
               labelbox-emulator)

# cargo verifies each package against its siblings from a temporary registry
# (target/package/tmp-registry), which it extracts into $CARGO_HOME/registry/src/-<hash of
# that path>/ and builds into the target directory. A registry package never changes, so cargo
# reuses both the extraction and the build when they are already there: a second run from the
# same checkout path (as CI's are) would verify against the previous run's code. CI saw the
# emulator's package built against an older labelbox-core. So the extractions of our packages
# are removed before packaging and afterwards, every build of our crates is cleaned first
# (`cargo clean -p`: all of a crate's builds, whatever their source; the workspace's own are
# rebuilt by the next cargo command), and the extractions this run made are compared with its
# packages below.
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
remove_extracted_packages() {
  for crate in "${CRATES[@]}"; do
    rm -rf "$CARGO_HOME"/registry/src/-*/"$crate-$VERSION"
  done
}
remove_extracted_packages
trap remove_extracted_packages EXIT
cargo clean --quiet "${CRATES[@]/#/--package=}"

echo "== cargo package --workspace (version $VERSION, verified)"
# The unpublishable members (publish = false) are left out by name: packaging them would fail
# on their path-only dependencies, and they are not shipped.
cargo package "${PROFILE[@]}" --workspace --locked "$@" \
  --exclude labelbox-bench --exclude labelbox-tests --exclude labelbox-example-consumer \
  --exclude labelbox-test-support

WORK="$TARGET/package-check"
UNPACKED="$WORK/unpacked"
CONSUMER="$WORK/consumer"
rm -rf "$WORK"
mkdir -p "$UNPACKED" "$CONSUMER"
for crate in "${CRATES[@]}"; do
  file="$TARGET/package/$crate-$VERSION.crate"
  [ -f "$file" ] || { echo "error: $file was not produced" >&2; exit 1; }
  tar -xzf "$file" -C "$UNPACKED"
  # Symlinks in the workspace (schema/, queries/, licenses) must travel as files.
  if find "$UNPACKED/$crate-$VERSION" -type l | grep -q .; then
    echo "error: $crate's package holds symlinks:" >&2
    find "$UNPACKED/$crate-$VERSION" -type l >&2
    exit 1
  fi
  for f in README.md LICENSE-MIT LICENSE-APACHE; do
    [ -s "$UNPACKED/$crate-$VERSION/$f" ] || { echo "error: $crate's package lacks $f" >&2; exit 1; }
  done
done
# What the verification built is what was packaged (see remove_extracted_packages).
compared=0
for extracted in "$CARGO_HOME"/registry/src/-*/labelbox-*-"$VERSION"; do
  [ -d "$extracted" ] || continue
  diff -rq --exclude=.cargo-ok "$extracted" "$UNPACKED/$(basename "$extracted")" >/dev/null || {
    echo "error: cargo verified $extracted, which differs from the package of this run" >&2
    exit 1
  }
  compared=$((compared + 1))
done
# Verification unpacks every sibling it depends on; none found means cargo keeps them
# somewhere else now, and the removal above no longer guards anything.
[ "$compared" -gt 0 ] || {
  echo "error: no package unpacked by cargo's verification under $CARGO_HOME/registry/src/-*/" >&2
  exit 1
}
echo "the $compared packages cargo's verification unpacked are this run's packages"
for f in "$UNPACKED"/labelbox-schema-"$VERSION"/queries/*.graphql; do
  cmp -s "$f" "queries/$(basename "$f")" || { echo "error: packaged $f differs from queries/" >&2; exit 1; }
done
[ "$(ls "$UNPACKED/labelbox-schema-$VERSION/queries" | wc -l)" = "$(ls queries/*.graphql | wc -l)" ] \
  || { echo "error: labelbox-schema's package does not hold every file of queries/" >&2; exit 1; }
for crate in labelbox-codegen labelbox-schema labelbox-emulator; do
  cmp "$UNPACKED/$crate-$VERSION/schema/labelbox.graphql" schema/labelbox.graphql
done

echo "== a consumer built against the packages"
cp -r examples/consumer/build.rs examples/consumer/graphql examples/consumer/src \
  examples/consumer/tests "$CONSUMER/"
{
  cat <<TOML
[package]
name = "labelbox-example-consumer"
version = "0.0.0"
edition = "2021"
publish = false

# Its own workspace: nothing is inherited from labelbox-rs.
[workspace]

[dependencies]
labelbox-sdk = "$VERSION"
labelbox-schema = "$VERSION"
graphql_client = { version = "0.16", default-features = false }
serde = { version = "1", features = ["derive"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[build-dependencies]
labelbox-codegen = "$VERSION"

[dev-dependencies]
labelbox-emulator = "$VERSION"
insta = { version = "1", features = ["json", "redactions"] }

# crates.io is asked for nothing: the packages made above stand in for it.
[patch.crates-io]
TOML
  for crate in "${CONSUMER_DEPS[@]}"; do
    echo "$crate = { path = \"$UNPACKED/$crate-$VERSION\" }"
  done
} >"$CONSUMER/Cargo.toml"
# The workspace's lock file pins the foreign crates to the versions CI already built.
cp Cargo.lock "$CONSUMER/Cargo.lock"

cargo build "${PROFILE[@]}" --offline --manifest-path "$CONSUMER/Cargo.toml"

# Every labelbox crate in the consumer's graph is an unpacked package, none a workspace path.
TREE="$(cargo tree --offline --manifest-path "$CONSUMER/Cargo.toml" -e normal,build,dev --prefix none)"
if echo "$TREE" | grep '^labelbox-' | grep -v '^labelbox-example-consumer' | grep -v "$UNPACKED/" ; then
  echo "error: the consumer above used labelbox crates that are not the packages" >&2
  exit 1
fi
for crate in "${CONSUMER_DEPS[@]}"; do
  echo "$TREE" | grep -q "^$crate v$VERSION ($UNPACKED/$crate-$VERSION)" \
    || { echo "error: the consumer did not use the package of $crate" >&2; echo "$TREE" >&2; exit 1; }
done
echo "the consumer's own operation (graphql/my_key_names.graphql) was checked and compiled \
against the packaged labelbox-codegen, labelbox-schema and labelbox-sdk"

echo "== the consumer's tests: its operation over HTTP against the packaged emulator"
cargo test "${PROFILE[@]}" --offline --manifest-path "$CONSUMER/Cargo.toml" 2>&1 \
  | tee "$WORK/consumer-test.log"
grep -q 'my_key_names_runs_against_the_emulator ... ok' "$WORK/consumer-test.log" \
  || { echo "error: the consumer's emulator test did not run" >&2; exit 1; }
grep -q 'the_request_revoke_key_sends_is_what_the_snapshot_shows ... ok' "$WORK/consumer-test.log" \
  || { echo "error: the consumer's journal snapshot test did not run" >&2; exit 1; }

echo "== a misspelt field in the consumer's operation fails its build"
cat >"$CONSUMER/graphql/misspelt.graphql" <<'GRAPHQL'
query Misspelt {
  user {
    emial
  }
}
GRAPHQL
if cargo build "${PROFILE[@]}" --offline --manifest-path "$CONSUMER/Cargo.toml" 2>"$WORK/misspelt.log"; then
  echo "error: a misspelt field built" >&2
  exit 1
fi
grep -q 'misspelt.graphql' "$WORK/misspelt.log" && grep -q 'emial' "$WORK/misspelt.log" || {
  echo "error: the failed build did not name the file and the field:" >&2
  cat "$WORK/misspelt.log" >&2
  exit 1
}
rm "$CONSUMER/graphql/misspelt.graphql"
echo "package check: ok (${#CRATES[@]} packages)"
