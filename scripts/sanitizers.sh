#!/usr/bin/env bash
# ThreadSanitizer and AddressSanitizer over the cross-thread tests, with the standard
# library rebuilt instrumented (-Zbuild-std), no suppressions.
#   scripts/sanitizers.sh            # both
#   SANITIZERS=thread scripts/sanitizers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q rust-src; then
    rustup component add --toolchain nightly rust-src
fi
target="$(rustc -vV | sed -n 's/^host: //p')"
tests=(
    "-p corio-executor --test multi_thread --test threads --test introspection"
    "-p corio-sync --test stress --test stress_seeded"
    "-p corio-timer --test foreign_executors --test wheel_driver"
)
status=0
for san in ${SANITIZERS:-thread address}; do
    export RUSTFLAGS="-Zsanitizer=$san"
    export RUSTDOCFLAGS="-Zsanitizer=$san"
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR_BASE:-target}/sanitizer-$san"
    # Slow down nothing: the stress tests run their default (debug) sizes.
    export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
    export ASAN_OPTIONS="detect_leaks=0"
    for t in "${tests[@]}"; do
        echo "== $san sanitizer: $t"
        # shellcheck disable=SC2086
        if ! cargo +nightly test -Zbuild-std --target "$target" $t "$@"; then
            status=1
        fi
    done
done
exit $status
