#!/usr/bin/env bash
# hyper 1 on corio vs hyper 1 on tokio under wrk: builds benches' `http_server` binary in
# the bench profile (optimised, like the criterion benches), starts it on each runtime in
# turn on a free loopback port, runs `wrk -t2 -c64 -d5s` against it and prints the
# requests/sec side by side. Both servers run on one thread.
#
#   CARGO_TARGET_DIR=/work/target-bench benches/wrk.sh
#   WRK_ARGS="-t2 -c128 -d10s" benches/wrk.sh
#   WRK_OUT=results.txt benches/wrk.sh   # also writes `wrk <runtime> <requests/sec>` lines
set -euo pipefail

cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }

target="${CARGO_TARGET_DIR:-target}"
cargo build --profile bench -p corio-benches --bin http_server -j 1 >&2
server="$target/release/http_server"
wrk_args="${WRK_ARGS:--t2 -c64 -d5s}"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

declare -A rps
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT

for rt in corio tokio; do
    port="$(free_port)"
    out="$(mktemp)"
    "$server" "$rt" "127.0.0.1:$port" >"$out" &
    pid=$!
    for _ in $(seq 100); do
        grep -q listening "$out" && break
        sleep 0.05
    done
    grep -q listening "$out" || { echo "$rt server did not start" >&2; exit 1; }
    # shellcheck disable=SC2086 # word splitting of the wrk arguments is intended
    report="$(wrk $wrk_args "http://127.0.0.1:$port/")"
    echo "== $rt" >&2
    echo "$report" >&2
    rps[$rt]="$(awk '/Requests\/sec/ {print $2}' <<<"$report")"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
    rm -f "$out"
done

printf '%-8s %14s\n' runtime requests/sec
for rt in corio tokio; do
    printf '%-8s %14s\n' "$rt" "${rps[$rt]}"
done
if [ -n "${WRK_OUT:-}" ]; then
    for rt in corio tokio; do
        echo "wrk $rt ${rps[$rt]}"
    done >"$WRK_OUT"
fi
awk -v c="${rps[corio]}" -v t="${rps[tokio]}" 'BEGIN { printf "corio/tokio %.2f\n", c / t }'
