#!/usr/bin/env bash
# Run every test: Rust unit, property and end-to-end tests (real `hub`
# processes), the explorer check in headless Chromium, then sdk-ts's tests.
# setup.sh --test installs and checks what they need (Chromium included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
source scripts/target-dir.sh
(cd tests/explorer && npm ci --no-audit --no-fund --loglevel=error)
# No import cycle between the files of any crate (issue 17).
python3 scripts/check_import_cycles.py .
# The example contracts (their own workspace and target dir): the SDK's host
# tests, then the .wasm modules the runtime's tests upload (contracts/out/).
cargo test --manifest-path contracts/Cargo.toml --target-dir contracts/target --locked
bash scripts/build-contracts.sh
# End-to-end tests start the real binaries: build them first, with the same
# command scripts/devnet.sh uses, so both share one build.
cargo build --workspace --bins
cargo test --workspace --no-fail-fast
if [ -f sdk-ts/package.json ]; then
  (cd sdk-ts && npm ci --no-audit --no-fund && npm test)
fi
