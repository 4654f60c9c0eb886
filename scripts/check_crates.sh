#!/usr/bin/env bash
# The crates' shape, checked in CI (.ci/run):
#   1. the crate graph is the DAG DESIGN.md draws (scripts/check_dag.py, from `cargo metadata`);
#   2. every crate builds warning-free with every combination of its features
#      (cargo-hack's --feature-powerset, without dev-dependencies; a plain loop if
#      cargo-hack cannot be installed);
#   3. the workspace's libraries and binaries build with the declared rust-version (the
#      toolchain is installed with rustup if missing), against dependency versions that
#      support it (cargo's MSRV-aware resolution, in a scratch copy: Cargo.lock is not
#      touched).
# About two minutes on 2 cores once the toolchain and cargo-hack are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"

echo "--- crate DAG"
python3 scripts/check_dag.py

echo "--- feature combinations"
if ! command -v cargo-hack >/dev/null 2>&1; then
  timeout 300 cargo install --locked cargo-hack >/dev/null 2>&1 ||
    echo "cargo-hack could not be installed: checking each feature alone instead"
fi
if command -v cargo-hack >/dev/null 2>&1; then
  cargo hack clippy --workspace --exclude corio-benches --feature-powerset --skip default \
    --no-dev-deps -- -D warnings
else
  cargo metadata --format-version 1 --no-deps --offline | python3 -c '
import json, subprocess, sys
for p in json.load(sys.stdin)["packages"]:
    feats = [f for f in p["features"] if f != "default"]
    if not feats or p["name"] == "corio-benches":
        continue
    runs = [["--no-default-features"], ["--all-features"]]
    runs += [["--no-default-features", "--features", f] for f in feats]
    for extra in runs:
        cmd = ["cargo", "clippy", "-p", p["name"], *extra, "--", "-D", "warnings"]
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
'
fi

echo "--- MSRV"
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -1)
if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$msrv" --profile minimal
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$scratch"
(
  cd "$scratch"
  # Dependencies at the newest versions that still support $msrv (some locked ones,
  # icu_* through url, need a newer rustc than the workspace promises).
  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo +"$msrv" update --quiet
  CARGO_TARGET_DIR="$target/msrv" cargo +"$msrv" check --locked --workspace \
    --exclude corio-benches --lib --bins
)
echo "crates: DAG, feature combinations and MSRV ($msrv) OK"
