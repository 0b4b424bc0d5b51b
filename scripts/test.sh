#!/usr/bin/env bash
# Run every test: Rust unit, property and end-to-end tests (real `hub`
# processes), then sdk-ts's tests when that package exists.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tributary-target}"
# The gateway's explorer page is checked in headless Chromium (Debian's
# package; playwright-core drives it and downloads no browser of its own).
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "test: installing chromium (for the explorer check)" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd tests/explorer && npm ci --no-audit --no-fund --loglevel=error)
# End-to-end tests start the real binaries: build them first.
cargo build --workspace --bins
cargo test --workspace --no-fail-fast
if [ -f sdk-ts/package.json ]; then
  (cd sdk-ts && npm ci --no-audit --no-fund && npm test)
fi
