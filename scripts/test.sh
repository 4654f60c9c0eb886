#!/usr/bin/env bash
# The test command of README.md: every crate's unit, integration and doc tests, and the
# runnable examples (the tour included), so that a sample can never rot.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace "$@"

# The optional `tracing` feature of the executor.
cargo test -p corio-executor --features tracing --test tracing_spans "$@"

# The examples are programs users copy: run each (already built by the tests) and fail if
# one fails.
for example in crates/*/examples/*.rs; do
    crate_dir="${example%%/examples/*}"
    crate="$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$crate_dir/Cargo.toml" | head -n1)"
    name="$(basename "$example" .rs)"
    echo "== example $name ($crate)"
    cargo run -q -p "$crate" --example "$name" > /dev/null
done
