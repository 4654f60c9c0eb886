#!/usr/bin/env bash
# Runs the tests that touch unsafe code under miri, with strict provenance.
# corio-executor holds most of the unsafe code (the task metadata borrowed by its
# future, the thread-local pointers, the registry entries, spawn_unchecked); corio-sync
# has one module with it (Lock's value inline in an UnsafeCell, reached through its
# guards); every other crate carries #![forbid(unsafe_code)], corio-net included (its
# sockets go through mio and socket2).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cargo +nightly miri --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
    rustup component add --toolchain nightly miri rust-src
fi
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-strict-provenance -Zmiri-disable-isolation}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/miri}"
cargo +nightly miri test -p corio-executor --lib \
    --test executor_run --test executor_task --test multi_thread --test introspection \
    --test auto_traits "$@"
# The process-wide blocking pool's threads outlive the tests on purpose (they leave after
# 10 idle seconds); miri would call them leaked, so this file runs without that check.
MIRIFLAGS="$MIRIFLAGS -Zmiri-ignore-leaks" cargo +nightly miri test -p corio-executor --test threads "$@"
# Lock's guards: exclusive access, hand-over to waiters, cancellation, owned guards.
cargo +nightly miri test -p corio-sync --test locks_lock "$@"
