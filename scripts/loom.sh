#!/usr/bin/env bash
# Runs every loom model of the workspace: each crates/<crate>/tests/loom_*.rs and each
# crate's `loom_*` unit tests, in release,
# with the crate-prefixed cfg (so loom is not switched on inside dependencies).
#   LOOM_MAX_PREEMPTIONS (default 2), CARGO_TARGET_DIR (default target/loom) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="${RUSTFLAGS:-} --cfg corio_loom"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
status=0
for file in crates/*/tests/loom_*.rs; do
    [ -e "$file" ] || continue
    crate_dir="${file%%/tests/*}"
    crate="$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$crate_dir/Cargo.toml" | head -n1)"
    test="$(basename "$file" .rs)"
    echo "== loom: $crate --test $test (LOOM_MAX_PREEMPTIONS=$LOOM_MAX_PREEMPTIONS)"
    if ! cargo test -p "$crate" --release --test "$test" "$@"; then
        status=1
    fi
done
# Models that need crate internals live in the library as `#[cfg(all(test, corio_loom))]`
# unit tests whose names start with `loom_`.
for crate_dir in crates/*; do
    grep -rqs 'cfg(all(test, corio_loom))' "$crate_dir/src" || continue
    crate="$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$crate_dir/Cargo.toml" | head -n1)"
    echo "== loom: $crate --lib loom_ (LOOM_MAX_PREEMPTIONS=$LOOM_MAX_PREEMPTIONS)"
    if ! cargo test -p "$crate" --release --lib "$@" loom_; then
        status=1
    fi
done
exit $status
