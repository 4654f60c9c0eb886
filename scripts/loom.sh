#!/usr/bin/env bash
# Runs every loom model of the workspace: each crates/<crate>/tests/loom_*.rs, in release,
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
exit $status
