#!/usr/bin/env bash
# Makes sure a headless Chromium and its WebDriver (chromedriver) are installed, and prints
# their paths, one per line: "CHROMIUM=<path>" and "CHROMEDRIVER=<path>".
#
# Usage: scripts/browser.sh
# Looks for an installed Chromium ($CHROMIUM, chromium, chromium-browser, google-chrome) and
# chromedriver ($CHROMEDRIVER, chromedriver, /usr/lib/chromium/chromedriver). When either is
# missing and we run as root on Debian/Ubuntu, installs Debian's packages:
#   apt-get update && apt-get install -y chromium chromium-driver
# Otherwise it exits 1 and says what to install. Used by the console's browser tests
# (crates/labelbox-console/tests/it/browser.rs).
set -euo pipefail

find_chromium() {
  local c
  for c in "${CHROMIUM:-}" chromium chromium-browser google-chrome google-chrome-stable; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
  done
  return 1
}

find_driver() {
  local c
  for c in "${CHROMEDRIVER:-}" chromedriver /usr/lib/chromium/chromedriver /usr/bin/chromedriver; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
  done
  return 1
}

if ! find_chromium >/dev/null || ! find_driver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium and chromium-driver with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq chromium chromium-driver >&2
  else
    echo "no Chromium/chromedriver found. Install them, e.g. as root on Debian/Ubuntu:" >&2
    echo "  apt-get update && apt-get install -y chromium chromium-driver" >&2
    echo "or set CHROMIUM=/path/to/chromium and CHROMEDRIVER=/path/to/chromedriver" >&2
    exit 1
  fi
fi

CHROMIUM_PATH="$(find_chromium)" || { echo "chromium still not found after installing" >&2; exit 1; }
DRIVER_PATH="$(find_driver)" || { echo "chromedriver still not found after installing" >&2; exit 1; }
echo "CHROMIUM=$CHROMIUM_PATH"
echo "CHROMEDRIVER=$DRIVER_PATH"
