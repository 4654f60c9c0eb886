#!/usr/bin/env bash
# The HTTP client workload (10 000 GETs of a 1 KiB page, 100 in flight, keep-alive) for
# aiohttp, against the same corio-http server the criterion bench uses
# (`cargo bench -p corio-benches --bench http_client` measures corio-http and reqwest).
# Installs aiohttp from PyPI into a virtual environment under the target directory.
#
#   CARGO_TARGET_DIR=/work/target-bench benches/http_client.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
venv="$target/aiohttp-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet aiohttp
fi
cargo build --profile bench -p corio-benches --bin http_page_server -j 1 >&2
dir="$(mktemp -d)"
out="$dir/ports"
"$target/release/http_page_server" "$dir/cert.pem" > "$out" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
while [ "$(wc -l < "$out")" -lt 2 ]; do sleep 0.1; done
http_port="$(awk '$1 == "http" {print $2}' "$out")"
https_port="$(awk '$1 == "https" {print $2}' "$out")"
"$venv/bin/python" benches/python/aiohttp_client.py "http://127.0.0.1:$http_port/page" "" "${REQUESTS:-10000}"
"$venv/bin/python" benches/python/aiohttp_client.py "https://localhost:$https_port/page" "$dir/cert.pem" "${REQUESTS:-10000}"
