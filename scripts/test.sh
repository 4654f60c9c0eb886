#!/usr/bin/env bash
# The test command of README.md: every crate's unit, integration and doc tests, and the
# runnable examples (the tour included), so that a sample can never rot.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace "$@"
