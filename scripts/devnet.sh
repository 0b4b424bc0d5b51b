#!/usr/bin/env bash
# Set up and run a local devnet: installs and checks build prerequisites,
# builds the binaries, then runs `hub devnet`. Extra arguments go to
# `hub devnet` (e.g. --home DIR). State persists in ./devnet; run again to
# resume.
#
# The binaries are built with the same profile and command as
# scripts/test.sh (`cargo build --workspace --bins`, the dev profile, whose
# dependencies are optimized at opt-level 2), so the two README commands share
# one compiled RocksDB: a newcomer pays for its C++ once. Benchmarks build
# --release on their own (BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/target-dir.sh
cargo build --workspace --bins
exec "$CARGO_TARGET_DIR/debug/hub" devnet "$@"
