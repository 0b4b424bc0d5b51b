#!/usr/bin/env bash
# Set up and run a local devnet: installs build prerequisites, builds the
# binaries (release), then runs `hub devnet`. Extra arguments go to `hub devnet`
# (e.g. --home DIR). State persists in ./devnet; run again to resume.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tributary-target}"
cargo build --release --bins
exec "$CARGO_TARGET_DIR/release/hub" devnet "$@"
