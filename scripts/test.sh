#!/usr/bin/env bash
# The test command of README.md: every crate's unit, integration and doc tests, and the
# runnable examples (the tour included), so that a sample can never rot.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace "$@"

# The examples are programs users copy: run each (already built by the tests) and fail if
# one fails.
for example in crates/corio/examples/*.rs; do
    name="$(basename "$example" .rs)"
    echo "== example $name"
    cargo run -q -p corio --example "$name" > /dev/null
done
