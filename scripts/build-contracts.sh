#!/usr/bin/env bash
# Build the example contracts (contracts/examples/*) into WebAssembly modules
# the chain accepts: contracts/out/NAME.wasm, each checked as the upload
# would check it (WebAssembly 1.0, no floating point, only the ABI's imports,
# the required exports; interop-spec/contracts.md). Prints each module's
# size and SHA-256 (the chain keeps code by that hash).
#
#   scripts/build-contracts.sh
#
# Idempotent and quick when nothing changed: cargo does nothing, and a module
# is rewritten only when its build or the tools are newer than it.
#
# The contracts are a workspace of their own with their own target dir
# (contracts/target), whatever CARGO_TARGET_DIR says: their profile and flags
# differ from the main workspace's, and sharing its target dir would only
# make the two rebuild each other's crates.
set -euo pipefail
cd "$(dirname "$0")/.."

target=wasm32-unknown-unknown

# A fresh rustup install has only the host target.
if ! rustup target list --installed | grep -qx "$target"; then
  echo "build-contracts: adding the $target target with rustup" >&2
  rustup target add "$target"
fi
command -v python3 >/dev/null 2>&1 || { echo "build-contracts: python3 is needed (contracts/lower_wasm.py, contracts/check_wasm.py)" >&2; exit 1; }

# The flags are contracts/.cargo/config.toml's (target-cpu=mvp, a 64 KiB
# stack). Any RUSTFLAGS in the environment would replace them, not add to
# them, and change the modules' bytes: drop those for this build.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS
# Panic locations inside dependencies name their source files by absolute
# path, under CARGO_HOME: without this remap the modules' bytes, and so the
# code hash the chain keeps, would depend on the builder's home directory.
# (Our own files are named relative to contracts/, and the standard
# library's under /rustc/HASH/; the rustc version still matters.)
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
cargo build --release --locked \
  --target "$target" \
  --manifest-path contracts/Cargo.toml \
  --target-dir contracts/target \
  --config contracts/.cargo/config.toml \
  --config "target.$target.rustflags=[\"--remap-path-prefix=$cargo_home=/cargo-home\"]"

mkdir -p contracts/out
outs=()
for dir in contracts/examples/*/; do
  name="$(basename "$dir")"
  # Every example's package is tributary-contract-{its directory}; cargo
  # names the library file with underscores (oracle-payout ->
  # tributary_contract_oracle_payout.wasm), the module keeps the
  # directory's name (contracts/out/oracle-payout.wasm).
  built="contracts/target/$target/release/tributary_contract_${name//-/_}.wasm"
  out="contracts/out/$name.wasm"
  [ -f "$built" ] || { echo "build-contracts: $built was not built (is examples/$name in contracts/Cargo.toml, as package tributary-contract-$name?)" >&2; exit 1; }
  # rustc leaves a few post-MVP instructions from precompiled `core`;
  # lower_wasm.py rewrites them (its docstring says which and why).
  if [ ! -f "$out" ] || [ "$built" -nt "$out" ] || [ contracts/lower_wasm.py -nt "$out" ] || [ contracts/check_wasm.py -nt "$out" ]; then
    python3 contracts/lower_wasm.py "$built" "$out" >/dev/null
  fi
  outs+=("$out")
done

# Every run, changed or not: the check is the point of the script.
if ! python3 contracts/check_wasm.py "${outs[@]}" >contracts/out/check.log; then
  cat contracts/out/check.log >&2
  echo "build-contracts: a module would be refused at upload (above)" >&2
  exit 1
fi
for out in "${outs[@]}"; do
  printf '%-28s %7d bytes  sha256 %s\n' "$out" "$(wc -c <"$out")" "$(sha256sum "$out" | cut -d' ' -f1)"
done
echo "build-contracts: ${#outs[@]} modules pass check_wasm.py (WebAssembly 1.0, no floats, ABI imports and exports)"
