#!/usr/bin/env bash
# Run every test: Rust unit, property and end-to-end tests (real `hub`
# processes), then sdk-ts's tests when that package exists.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tributary-target}"
# End-to-end tests start the real binaries: build them first.
cargo build --workspace --bins
cargo test --workspace --no-fail-fast
if [ -f sdk-ts/package.json ]; then
  (cd sdk-ts && npm ci --no-audit --no-fund && npm test)
fi
