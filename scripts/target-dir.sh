# Sourced by scripts/devnet.sh, scripts/test.sh and .ci/run: choose the cargo
# target directory they share and keep it from filling the disk.
#
# Why: the shared directory lives outside the clone so that every CI run
# reuses the last one's compiled dependencies. Incremental compilation data
# grew in it by about a gigabyte a run (20 GB of its 37 GB when a CI run
# failed with "No space left on device"), and it buys nothing for builds
# that start from a fresh clone, so it is off here. If the disk is still
# short of room, the directory is emptied and rebuilt (about 15 minutes)
# rather than failing halfway.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tributary-target}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
if [ "$CARGO_INCREMENTAL" = 0 ]; then
  rm -rf "$CARGO_TARGET_DIR"/debug/incremental "$CARGO_TARGET_DIR"/release/incremental
fi
mkdir -p "$CARGO_TARGET_DIR"
# Free space in GiB on the target's filesystem; a full build and the tests'
# chains need about 12 GiB.
free_gib() { df -Pk "$CARGO_TARGET_DIR" | awk 'NR == 2 { print int($4 / 1048576) }'; }
if [ "$(free_gib)" -lt "${TRIBUTARY_MIN_FREE_GIB:-12}" ]; then
  echo "target-dir: only $(free_gib) GiB free on the disk of $CARGO_TARGET_DIR; emptying it for a clean build" >&2
  rm -rf "$CARGO_TARGET_DIR"/debug "$CARGO_TARGET_DIR"/release
  if [ "$(free_gib)" -lt "${TRIBUTARY_MIN_FREE_GIB:-12}" ]; then
    echo "target-dir: still only $(free_gib) GiB free; free some disk space (the build needs about ${TRIBUTARY_MIN_FREE_GIB:-12} GiB) and run again" >&2
    exit 1
  fi
fi
