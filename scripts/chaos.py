#!/usr/bin/env python3
"""Run the acceptance tests under many seeds of the executor's chaos mode (issue 10).

With ``CORIO_CHAOS=<seed>`` in the environment, every single-thread loop a test builds
(``Builder::new``, ``LocalExecutor::new``, ``corio_executor::run``) picks the next ready task
at random, from a generator seeded by that seed, and adds spurious wake-ups
(``CORIO_CHAOS_SPURIOUS`` per mille, default 50). A test that asserts nothing about
scheduling order must pass under every seed; one that fails under some seed has a real
bug (or asserts an order it should not).

What it does:

1. builds the test executables once (``cargo test --workspace --no-run``);
2. for each seed in ``SEED`` .. ``SEED + N - 1`` (``SEED`` default 1; ``N`` from
   ``CHAOS_SEEDS``, default 100, 10 000 with ``LONG=1``) runs every acceptance test binary
   of ``SELECTED`` below with ``CORIO_CHAOS=<seed>``, two binaries at a time, skipping the
   tests listed in ``scripts/chaos-ordered.txt`` (those that assert a scheduling order or
   a number of loop turns; each line gives the reason);
3. a watchdog (``WATCHDOG_SECS``, default 120 s per binary run) turns a hang, the usual
   symptom of a lost wake-up, into a failure;
4. for every failure prints the seed, the binary, the failing tests with the first lines
   of their panics and the exact command that replays each one; exits non-zero if any
   run failed.

Each test's loops get seeds derived from the base seed, the test's name and the order in
which the test builds them, so a failure seen here replays alone with
``CORIO_CHAOS=<seed> cargo test -p <pkg> --test <target> -- --exact <name>``.

Environment: ``SEED``, ``CHAOS_SEEDS``, ``LONG``, ``WATCHDOG_SECS``, ``CHAOS_JOBS``
(binaries run at once, default 2), ``CHAOS_ONLY`` (comma-separated ``package/target``s:
run only those), ``CORIO_CHAOS_SPURIOUS`` (passed through).
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDERED = ROOT / "scripts" / "chaos-ordered.txt"

# The acceptance test binaries run under chaos mode, by package and test target: the
# integration tests (tests/*.rs). The crates' unit tests (their lib test binaries) test
# internals, some the scheduler itself, and are not run here.
SELECTED = {
    "corio": ["book", "ctrl_c", "debug_call_graph", "one_clock", "under_load"],
    "corio-executor": [
        "executor_run",
        "executor_task",
        "guarantees",
        "introspection",
        "multi_thread",
        "threads",
    ],
    "corio-sync": [
        "cancellation",
        "channels_and_tokens",
        "futures_oneshot",
        "locks_event_condition_barrier",
        "locks_lock",
        "locks_semaphore",
        "deep_cancel_token",
        "queues",
        "runtimes",
    ],
    "corio-timer": [
        "asyncio_sleep",
        "asyncio_timeouts",
        "call_later",
        "foreign_executors",
        "interval_ticks",
        "rebind_sleep",
        "wheel_driver",
    ],
    "corio-combinators": [
        "as_completed_cases",
        "gather_cases",
        "runtime_agnostic",
        "shield_race_cases",
        "task_group_cases",
        "wait_cases",
        "wait_for_cases",
    ],
    "corio-stream": [
        "adapters",
        "alloc_generator",
        "asyncio_cases",
        "buffer_unordered",
        "generator",
        "runtimes",
        "time",
    ],
    "corio-net": [
        "async_fd",
        "multi_thread",
        "reactor_deadlines",
        "readiness",
        "server",
        "shared_reactor",
        "stream_writer",
        "tcp_stream",
        "timer_stack",
        "udp_unix",
    ],
    "corio-hyper": ["hyper_round_trip"],
    "corio-signal": ["real_signals"],
    "corio-process": ["process"],
    "corio-fs": ["fs_errors", "fs_file", "fs_read_dir", "io_stdio"],
    "corio-http": [
        "client_errors",
        "client_h2",
        "client_pool",
        "client_python",
        "multi_thread",
        "paused_clock",
        "server_behaviour",
        "server_peers",
    ],
}

# Test targets deliberately not run here, and why. A test target in neither list is an
# error, so that a new test file gets a decision.
# Binaries that take seconds per run in a debug build (files of many MiB, Python peers,
# load tests): under every seed they would make most of the CI step's time, so they run
# on every SLOW_STRIDE-th seed only (20 of the default 100; all of them with LONG=1).
SLOW = {
    ("corio-fs", "fs_file"),
    ("corio-fs", "fs_read_dir"),
    ("corio-http", "client_python"),
    ("corio-http", "server_behaviour"),
    ("corio-net", "server"),
    ("corio-net", "shared_reactor"),
}
SLOW_STRIDE = 5

EXCLUDED = {
    # Model checkers: loom explores interleavings itself; its loops are not corio's.
    "loom_parker": "loom model",
    "loom_primitives": "loom model",
    "loom_queue": "loom model",
    "loom_semaphore": "loom model",
    "loom_timer": "loom model",
    # Already seeded: they pick their own seeds and run them in a loop of their own
    # (stress_seeded, corio-sync's chaos.rs runs the chaos scenarios under SEED/CHAOS_SEEDS);
    # the long stress tests would make every seed cost minutes.
    "stress": "long stress test (its own seeds)",
    "stress_seeded": "seeded stress test (its own seeds)",
    "stress_timers": "long timer stress test",
    "chaos": "runs its scenarios under chaos-mode seeds of its own",
    # The proptest state machines model corio's FIFO loop: their reference model IS the
    # scheduling order, so they assert it on every step.
    "state_machine": "reference model of the FIFO loop",
    # Differential tests against Python asyncio compare event traces, which are FIFO-order
    # traces by construction.
    "differential": "compares FIFO-order traces with asyncio's",
    # corio-ps: asserts the exact await tree of a stuck program, whose shape (which
    # fetchers got the semaphore's permits) is the FIFO order its tasks started in.
    "ps_stuck": "asserts an await tree shaped by FIFO start order",
    # Performance numbers: timing-sensitive, not about correctness under reordering.
    "perf": "performance numbers",
    "perf_numbers": "performance numbers",
    # Compile-time checks only (Send/Sync assertions): no loop runs.
    "auto_traits": "compile-time Send/Sync checks, no loop",
    # Needs the `tracing` feature (scripts/test.sh builds it separately) and asserts the
    # sequence of span events, i.e. the poll order.
    "tracing_spans": "needs --features tracing; asserts the order of span events",
    # trybuild compiles misuse examples and compares compiler errors: no loop runs, and
    # the compiler subprocesses take ~minutes per seed for nothing.
    "macros": "trybuild compile-fail tests, no loop",
    # corio-hyper's read-buffer tests poll in-memory readers by hand with a no-op waker.
    "scratch_buffer": "polls in-memory readers by hand, no loop",
}


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value, 0)
    except ValueError:
        sys.exit(f"chaos.py: {name} must be an integer, got {value!r}")


def package_name(package_id):
    """The package name from a cargo package id: `path+file:///x/corio-sync#0.1.0` or
    `path+file:///x/benches#corio-benches@0.1.0` (or the old `name ver (source)` form)."""
    if " " in package_id:
        return package_id.split(" ")[0]
    fragment = package_id.rsplit("#", 1)[-1]
    if "@" in fragment:
        return fragment.split("@")[0]
    return package_id.rsplit("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def build():
    """Builds the test executables; returns {(package, target): (executable, package dir)}."""
    cmd = ["cargo", "test", "--workspace", "--no-run", "--message-format=json"]
    print("chaos.py: building:", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit("chaos.py: the build failed")
    found = {}
    for line in proc.stdout.splitlines():
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if msg.get("reason") != "compiler-artifact" or not msg.get("executable"):
            continue
        target = msg["target"]
        if "test" not in target["kind"]:
            continue
        key = (package_name(msg["package_id"]), target["name"])
        found[key] = (msg["executable"], str(Path(msg["manifest_path"]).parent))
    return found


def list_tests(exe, ignored=False):
    cmd = [exe, "--list", "--format", "terse"] + (["--ignored"] if ignored else [])
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
    return [line[: -len(": test")] for line in out.splitlines() if line.endswith(": test")]


def read_ordered():
    """The skip list: {(package, target): {test name}}."""
    skips = {}
    for number, raw in enumerate(ORDERED.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([\w-]+)/(\w+)::(\S+)", line)
        if not m or "#" not in raw:
            sys.exit(f"{ORDERED}:{number}: expected `<package>/<target>::<test>  # reason`")
        skips.setdefault((m[1], m[2]), set()).add(m[3])
    return skips


class Binary:
    def __init__(self, package, target, built, skips):
        self.package, self.target = package, target
        self.exe, self.dir = built
        listed = list_tests(self.exe)
        ignored = set(list_tests(self.exe, ignored=True))
        unknown = skips - set(listed)
        if unknown:
            sys.exit(
                f"chaos.py: {ORDERED.name} lists tests that {package}/{target} does not "
                f"have: {', '.join(sorted(unknown))}"
            )
        self.skips = sorted(skips)
        self.to_run = [t for t in listed if t not in ignored and t not in skips]

    @property
    def name(self):
        return f"{self.package}/{self.target}"

    def replay(self, seed, test):
        spurious = os.environ.get("CORIO_CHAOS_SPURIOUS")
        env = f"CORIO_CHAOS_SPURIOUS={spurious} " if spurious else ""
        return (
            f"{env}CORIO_CHAOS={seed} cargo test -p {self.package} --test {self.target} "
            f"-- --exact {test}"
        )


BACKTRACE = re.compile(r"stack backtrace:|note: run with `RUST_BACKTRACE|\s+\d+: ")


def panics(output):
    """{test name: first lines of its captured output (the panic)} from libtest's report."""
    found = {}
    for m in re.finditer(r"^---- (\S+) stdout ----\n(.*?)(?=^---- |^failures:$)", output, re.S | re.M):
        lines = [line for line in m[2].splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if "panicked at" in line), 0)
        end = next(
            (i for i, line in enumerate(lines) if i > start and BACKTRACE.match(line)),
            len(lines),
        )
        found[m[1]] = lines[start : min(end, start + 6)]
    return found


RUNNING = set()  # the test processes running now, killed on Ctrl-C


def run_one(binary, seed, watchdog):
    """Runs one binary under one seed. Returns (tests run, failed tests, failure report or
    None)."""
    # As `cargo test` runs it: from the package's directory, CARGO_MANIFEST_DIR set.
    env = dict(os.environ, CORIO_CHAOS=str(seed), CARGO_MANIFEST_DIR=binary.dir)
    cmd = [binary.exe, "--test-threads", "2"]
    for test in binary.skips:
        cmd += ["--skip", test]
    if binary.skips:
        cmd.append("--exact")
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=binary.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    RUNNING.add(proc)
    try:
        output, _ = proc.communicate(timeout=watchdog)
        hung = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        hung = True
    finally:
        RUNNING.discard(proc)
    elapsed = time.monotonic() - started
    results = dict(
        re.findall(r"^test (\S+) (?:- should panic )?\.\.\. (ok|FAILED|ignored)", output, re.M)
    )
    ran = sum(1 for r in results.values() if r != "ignored")
    if proc.returncode == 0 and not hung:
        return ran, [], None

    lines = [f"FAILED: seed {seed}, {binary.name} ({binary.exe}), {elapsed:.1f} s"]
    failed = [t for t, r in results.items() if r == "FAILED"]
    if hung:
        # libtest names the tests still running after 60 s; else: every test without a result.
        slow = re.findall(r"^test (\S+) has been running for over", output, re.M)
        unfinished = slow or [t for t in binary.to_run if t not in results]
        lines.append(
            f"  WATCHDOG: no result within {watchdog} s: possible lost wake-up (a hang) in "
            f"{'' if slow else 'one of: '}{', '.join(unfinished) or '?'}"
        )
        failed += unfinished
    reports = panics(output)
    for test in failed:
        lines.append(f"  test {test}")
        for line in reports.get(test, []):
            lines.append(f"      {line}")
        lines.append(f"    replay: {binary.replay(seed, test)}")
    if not failed:
        lines.append(f"  exit status {proc.returncode} without a failing test; output ends:")
        lines += ["      " + line for line in output.splitlines()[-15:]]
        failed = ["(the whole binary)"]
    return ran, failed, "\n".join(lines)


def main():
    long_run = os.environ.get("LONG") == "1"
    first_seed = env_int("SEED", 1)
    n_seeds = env_int("CHAOS_SEEDS", 10_000 if long_run else 100)
    watchdog = env_int("WATCHDOG_SECS", 120)
    jobs = env_int("CHAOS_JOBS", 2)

    built = build()
    selected = {(p, t) for p, targets in SELECTED.items() for t in targets}
    missing = sorted(selected - set(built))
    if missing:
        sys.exit(f"chaos.py: selected test targets not built: {missing}")
    undecided = sorted(k for k in built if k not in selected and k[1] not in EXCLUDED)
    if undecided:
        sys.exit(
            "chaos.py: test targets neither in SELECTED nor EXCLUDED (decide whether they "
            f"run under chaos mode): {['/'.join(k) for k in undecided]}"
        )
    skips = read_ordered()
    stray = sorted(set(skips) - selected)
    if stray:
        sys.exit(f"chaos.py: {ORDERED.name} names targets that are not selected: {stray}")
    only = [x for x in os.environ.get("CHAOS_ONLY", "").split(",") if x]
    unknown = [x for x in only if tuple(x.split("/", 1)) not in selected]
    if unknown:
        sys.exit(f"chaos.py: CHAOS_ONLY names targets that are not selected: {unknown}")
    binaries = [
        Binary(p, t, built[(p, t)], skips.get((p, t), set()))
        for p, t in sorted(selected)
        if not only or f"{p}/{t}" in only
    ]
    per_seed = sum(len(b.to_run) for b in binaries)
    skipped = sum(len(b.skips) for b in binaries)
    print(
        f"chaos.py: {len(binaries)} binaries, {per_seed} tests, seeds {first_seed}.."
        f"{first_seed + n_seeds - 1}, {skipped} order-asserting tests skipped, "
        f"{jobs} at a time, watchdog {watchdog} s",
        flush=True,
    )

    lock = threading.Lock()
    failures = []
    failing_tests = {}  # (binary name, test) -> failing seeds
    total = [0]
    done = [0]
    n_jobs = [0]
    started = time.monotonic()

    def job(seed, binary):
        ran, failed, failure = run_one(binary, seed, watchdog)
        with lock:
            total[0] += ran
            done[0] += 1
            if failure:
                failures.append(failure)
                for test in failed:
                    failing_tests.setdefault((binary.name, test), []).append(seed)
                print(failure, flush=True)
            tenth = max(1, n_jobs[0] // 10)
            if done[0] % tenth == 0 or done[0] == n_jobs[0]:
                print(
                    f"chaos.py: {done[0]}/{n_jobs[0]} binary runs, "
                    f"{len(failures)} failed, {time.monotonic() - started:.0f} s",
                    flush=True,
                )

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        stride = 1 if long_run else SLOW_STRIDE
        pending = [
            pool.submit(job, seed, binary)
            for seed in range(first_seed, first_seed + n_seeds)
            for binary in binaries
            if (binary.package, binary.target) not in SLOW or (seed - first_seed) % stride == 0
        ]
        n_jobs[0] = len(pending)
        for future in pending:
            future.result()  # re-raises what went wrong in the job itself
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in list(RUNNING):
            os.killpg(proc.pid, signal.SIGKILL)
        sys.exit("chaos.py: interrupted")
    pool.shutdown()

    elapsed = time.monotonic() - started
    print(
        f"\nchaos.py: {len(binaries)} binaries, {per_seed} tests per seed, {n_seeds} seeds "
        f"({first_seed}..{first_seed + n_seeds - 1}), {total[0]} test runs, {skipped} "
        f"skipped as order-asserting ({ORDERED.relative_to(ROOT)}), "
        f"{len(failures)} failed binary runs, {elapsed:.0f} s"
    )
    if failures:
        print("chaos.py: FAILED; the failing tests (seeds that fail; replay commands above):")
        for (name, test), seeds in sorted(failing_tests.items()):
            shown = ", ".join(map(str, sorted(seeds)[:10])) + (", ..." if len(seeds) > 10 else "")
            print(f"  {name}::{test}: {len(seeds)} seeds ({shown})")
        sys.exit(1)


if __name__ == "__main__":
    main()
