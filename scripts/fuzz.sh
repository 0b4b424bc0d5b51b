#!/usr/bin/env bash
# Fuzz every target (fuzz/, what each runs: hub/fuzzing/src/lib.rs) for a
# bounded time with libFuzzer, then print what each did.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      each target SECONDS (default 60)
#   scripts/fuzz.sh TARGET --replay FILE       run one input (a crash) again
#
# Installs cargo-fuzz (from crates.io) when it is missing. Runs on the stable
# toolchain with `--sanitizer none`: the project forbids unsafe code, so the
# findings that matter (panics, aborts, overflow, hangs, allocations over
# 2 GiB) need no sanitizer, and a fresh machine has no nightly to fetch.
#
# A crash is copied to fuzz/regressions/TARGET/, where `cargo test -p
# tributary-fuzzing` replays it in every CI run: fix the bug, keep the file.
# The corpus grows in fuzz/corpus/TARGET (not committed); fuzz/seeds/TARGET
# are the valid inputs it starts from.
set -euo pipefail
cd "$(dirname "$0")/.."

targets_all=(tx block p2p_message proof client_state misbehaviour graphql)
export CARGO_TARGET_DIR_FUZZ="${TRIBUTARY_FUZZ_TARGET_DIR:-$HOME/.cache/tributary-fuzz-target}"

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  echo "targets: ${targets_all[*]}" >&2
  exit 2
}

known() {
  local t
  for t in "${targets_all[@]}"; do [ "$t" = "$1" ] && return 0; done
  return 1
}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz (once, a few minutes)" >&2
  cargo install cargo-fuzz --locked --version 0.13.2
fi

fuzz() {
  cargo fuzz "$1" --fuzz-dir fuzz --sanitizer none --target-dir "$CARGO_TARGET_DIR_FUZZ" "${@:2}"
}

if [ "${2:-}" = "--replay" ]; then
  known "$1" || { echo "fuzz: no target '$1'" >&2; usage; }
  [ -f "${3:-}" ] || { echo "fuzz: --replay needs an input file" >&2; usage; }
  exec fuzz run "$1" "$3"
fi

seconds="${1:-60}"
case "$seconds" in ''|*[!0-9]*) echo "fuzz: SECONDS must be a whole number (got '$seconds')" >&2; usage ;; esac
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${targets_all[@]}")
for t in "${targets[@]}"; do known "$t" || { echo "fuzz: no target '$t'" >&2; usage; }; done

echo "fuzz: building ${#targets[@]} targets (release, coverage-instrumented; the first build takes a while)" >&2
for t in "${targets[@]}"; do fuzz build "$t"; done

summary=()
failed=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  log="fuzz/artifacts/$t/last-run.log"
  echo "fuzz: $t for ${seconds}s" >&2
  status=0
  # -timeout: one input over 10 s is a hang; -rss_limit_mb: memory is bounded.
  fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  if [ "$status" -ne 0 ]; then
    failed=1
    mkdir -p "fuzz/regressions/$t"
    for crash in fuzz/artifacts/"$t"/{crash,oom,timeout,leak}-*; do
      [ -f "$crash" ] || continue
      cp "$crash" "fuzz/regressions/$t/"
      echo "fuzz: $t found $(basename "$crash"); kept as fuzz/regressions/$t/$(basename "$crash")" >&2
    done
    tail -40 "$log" >&2
    summary+=("$t: FOUND A CRASH after ${runs:-?} inputs (log: $log)")
  else
    summary+=("$t: ${runs:-?} inputs in ${seconds}s, coverage ${cov:-?} edges, corpus $corpus, no crash")
  fi
done

echo
echo "fuzz summary (libFuzzer, stable, --sanitizer none):"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: fix each crash above; the input stays in fuzz/regressions/ as its regression test (cargo test -p tributary-fuzzing)" >&2
  exit 1
fi
