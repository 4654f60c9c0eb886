#!/usr/bin/env bash
# The test command of README.md: every crate's unit, integration and doc tests, and the
# runnable examples (the tour included), so that a sample can never rot.
#
# It needs nothing but Rust. The differential check against CPython's asyncio (in
# corio-sync's tests) runs when a Python 3.11+ is found ($PYTHON, then python3) and is
# otherwise skipped with a printed notice; .ci/run installs Python and runs it with
# CORIO_REQUIRE_DIFFERENTIAL=1, where a missing Python is a failure.
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

# The same search as the differential test's: $PYTHON, python3, python3.13, .12, .11.
found_python=0
for py in ${PYTHON:+"$PYTHON"} python3 python3.13 python3.12 python3.11; do
    if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        found_python=1
        break
    fi
done
if [ "$found_python" = 0 ] || [ "${CORIO_SKIP_DIFFERENTIAL:-}" = "1" ]; then
    echo >&2
    echo "NOTE: the differential check against CPython's asyncio was SKIPPED (no Python 3.11+" >&2
    echo "found, or CORIO_SKIP_DIFFERENTIAL=1); everything else ran. Install python3 >= 3.11" >&2
    echo "and rerun to include it (.ci/run always does)." >&2
fi
