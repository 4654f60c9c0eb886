#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each for FUZZ_SECONDS (default 30; the
# long layer is FUZZ_SECONDS=600). Needs the nightly toolchain; installs cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
cargo +nightly --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
seconds="${FUZZ_SECONDS:-30}"
targets=$(cargo +nightly fuzz list --fuzz-dir fuzz)
cargo +nightly fuzz build --fuzz-dir fuzz
[ "$seconds" = "0" ] && exit 0
for t in $targets; do
    echo "== fuzz $t for ${seconds}s"
    cargo +nightly fuzz run --fuzz-dir fuzz "$t" -- -max_total_time="$seconds" -rss_limit_mb=4096
done
