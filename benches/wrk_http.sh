#!/usr/bin/env bash
# The HTTP server benchmark (issue 15): requests/s and p99 latency under wrk, with 1, 64
# and 1000 connections and one worker and two, for corio-http beside hyper on tokio (the
# same service, hyper-util's documented idiom) and beside aiohttp.web (the asyncio world's
# server). See benches/src/bin/http_bench_server.rs and benches/python/aiohttp_server.py
# for the servers. Installs wrk (Debian package) and aiohttp (PyPI, in a venv under the
# target directory) when missing.
#
#   benches/wrk_http.sh                      # 3 runs of 10 s per runtime and cell, medians
#   DURATION=5 REPS=5 CONNS="64" WORKERS="1" benches/wrk_http.sh
#   OUT=docs/src/benchmarks/http-server.md benches/wrk_http.sh   # also write the table
#
# wrk runs on the same 2-core machine as the server: compare the columns of one run, not
# numbers across machines.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
    echo "installing wrk (apt-get)" >&2
    apt-get update -qq && apt-get install -y -qq wrk >&2
fi
target="${CARGO_TARGET_DIR:-target}"
venv="$target/aiohttp-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import aiohttp' 2>/dev/null; then
    echo "installing aiohttp (pip, into $venv)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet aiohttp
fi
cargo build --profile bench -p corio-benches --bin http_bench_server >&2
server="$target/release/http_bench_server"

duration="${DURATION:-10}"
reps="${REPS:-3}"
conns_list="${CONNS:-1 64 1000}"
workers_list="${WORKERS:-1 2}"
runtimes="corio-http hyper-tokio aiohttp.web"
ulimit -n 65536 2>/dev/null || ulimit -n 8192

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Prints "REQUESTS_PER_SEC P99_MS" for one server under one load.
measure() {
    local rt="$1" workers="$2" conns="$3" port out pid threads report
    port="$(free_port)"
    out="$(mktemp)"
    # Each server in a process group of its own, so that stopping it stops all of its
    # processes (aiohttp.web runs one per worker).
    case "$rt" in
        corio-http) setsid "$server" corio "$workers" "127.0.0.1:$port" >"$out" 2>&1 & ;;
        hyper-tokio) setsid "$server" tokio "$workers" "127.0.0.1:$port" >"$out" 2>&1 & ;;
        aiohttp.web) setsid "$venv/bin/python" benches/python/aiohttp_server.py "$port" "$workers" >"$out" 2>&1 & ;;
    esac
    pid=$!
    for _ in $(seq 200); do
        grep -q listening "$out" && break
        sleep 0.05
    done
    grep -q listening "$out" || { echo "$rt did not start:" >&2; cat "$out" >&2; kill -- "-$pid" 2>/dev/null; exit 1; }
    threads=2
    [ "$conns" -lt 2 ] && threads=1
    report="$(wrk -t"$threads" -c"$conns" -d"${duration}s" --latency "http://127.0.0.1:$port/")"
    kill -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$out"
    if grep -q "Socket errors" <<<"$report"; then
        echo "$rt ($workers workers, $conns connections): $(grep 'Socket errors' <<<"$report")" >&2
    fi
    awk '
        /Requests\/sec/ { rps = $2 }
        $1 == "99%" {
            v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
            if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000
            p99 = v
        }
        END { printf "%.0f %.2f\n", rps, p99 }
    ' <<<"$report"
}

table="| connections | workers | corio-http req/s (p99 ms) | hyper on tokio req/s (p99 ms) | aiohttp.web req/s (p99 ms) | corio-http / hyper-tokio |
|---:|---:|---:|---:|---:|---:|"
# The median of a list of numbers (the lower of the two middle ones for an even
# count).
median() {
    tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

for workers in $workers_list; do
    for conns in $conns_list; do
        declare -A rps=() p99=() all_rps=() all_p99=()
        # The runtimes take turns, REPS times, so that a slow spell of the machine hits
        # them all; each cell is the median of its runs.
        for rep in $(seq "$reps"); do
            for rt in $runtimes; do
                read -r r p < <(measure "$rt" "$workers" "$conns")
                all_rps[$rt]+="$r "
                all_p99[$rt]+="$p "
                echo "$rt workers=$workers connections=$conns run $rep: $r req/s, p99 $p ms" >&2
            done
        done
        for rt in $runtimes; do
            rps[$rt]="$(median <<<"${all_rps[$rt]}")"
            p99[$rt]="$(median <<<"${all_p99[$rt]}")"
        done
        ratio="$(awk -v c="${rps[corio-http]}" -v t="${rps[hyper-tokio]}" 'BEGIN { printf "%.2f", c / t }')"
        table+="
| $conns | $workers | ${rps[corio-http]} (${p99[corio-http]}) | ${rps[hyper-tokio]} (${p99[hyper-tokio]}) | ${rps[aiohttp.web]} (${p99[aiohttp.web]}) | $ratio |"
    done
done
echo "$table"
if [ -n "${OUT:-}" ]; then
    echo "$table" >"$OUT"
fi
