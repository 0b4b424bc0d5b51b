#!/usr/bin/env bash
# The long soak (issue 20, RELIABILITY.md): the multi-host fault scenario of
# tests/the_network_survives_random_faults_under_load.rs for MINUTES minutes
# (default 30) under steady load, then every invariant checked. Needs root
# (network namespaces) and what `scripts/setup.sh --test` installs.
#
#   scripts/soak.sh [MINUTES] [SEED]
#
# The seed (printed, or given) replays the same fault sequence.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-30}"
case "$minutes" in ''|*[!0-9]*) echo "soak: MINUTES must be a whole number (got '$minutes')" >&2; exit 2 ;; esac
scripts/setup.sh --test
source scripts/target-dir.sh
cargo build --release --bins
export TRIBUTARY_HUB_BIN="$CARGO_TARGET_DIR/release/hub"
export TRIBUTARY_SOAK_SECS=$((minutes * 60))
[ -n "${2:-}" ] && export TRIBUTARY_SOAK_SEED="$2"
echo "soak: $minutes minutes of random faults under load (release build)" >&2
exec cargo test --release -p tributary-tests --test the_network_survives_random_faults_under_load -- --nocapture
