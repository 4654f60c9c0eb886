//! The side-by-side summary: runs the benchmarks (or reads what earlier runs left on disk)
//! and writes `docs/src/benchmarks.md` with one table and one SVG chart per area.
//!
//! ```text
//! cargo run --release -p corio-benches --bin compare             # full run, then summary
//! cargo run --release -p corio-benches --bin compare -- --quick  # criterion --quick, 3 Python reps
//! cargo run --release -p corio-benches --bin compare -- --no-run # only summarise
//! ```
//!
//! Inputs, all under the target directory (`$CARGO_TARGET_DIR`, relative paths taken from
//! the workspace root, else `target/` in the workspace root):
//!
//! - criterion's estimates, `criterion/<group>/<function>/new/{benchmark,estimates}.json`
//!   (the group directory is the group name with `/` replaced by `_`; the real names
//!   are read from `benchmark.json`); the figure used is the median's point estimate;
//! - `corio-compare/python.txt`, lines `python <group> <seconds>` written by
//!   `benches/python/asyncio_bench.py`;
//! - `corio-compare/memory.txt`, lines `memory <what> <runtime> <bytes>` from the
//!   `memory` binary (one process per runtime and measurement);
//! - `corio-compare/latency.txt`, lines `latency <group> <function> <p50_ns> <p99_ns>
//!   <count>` written by the benches that record per-operation durations
//!   (`corio_benches::latency`);
//! - `corio-compare/wrk.txt`, lines `wrk <runtime> <requests_per_second>` written by
//!   `benches/wrk.sh` when `WRK_OUT` names it (only if `wrk` is installed);
//! - `corio-compare/http-server.md`, the HTTP server table written by
//!   `benches/wrk_http.sh` when `OUT` names it (only if `wrk` is installed);
//! - `corio-compare/aiohttp.txt`, lines `aiohttp <scheme> <requests_per_second>` written by
//!   `benches/http_client.sh` (aiohttp's client, shown as the asyncio figure of the
//!   `http/` groups).
//!
//! Running (without `--no-run`) does, from the workspace root: `cargo bench -p
//! corio-benches [-- --quick]`, the Python script, the memory probe for every
//! runtime, `benches/wrk.sh` and `benches/wrk_http.sh` if `wrk` is on the `PATH`, and
//! `benches/http_client.sh`.
//! Cargo builds use `-j 1` unless `CARGO_BUILD_JOBS` is set, and
//! `CARGO_PROFILE_BENCH_DEBUG=0` unless it is set (so that the bench profile matches
//! release and reuses its build).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, SystemTime};

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// Areas in the order the page shows them; any other area found follows.
const AREAS: &[(&str, &str)] = &[
    ("executor", "Executor (one thread)"),
    ("multi_thread", "Multi-thread executor (2 workers)"),
    ("sync", "Synchronisation primitives"),
    ("timer", "Timers"),
    ("combinators", "Combinators"),
    ("stream", "Streams"),
    ("net", "Networking"),
    ("cancel", "Cancellation"),
    ("fs", "Files (blocking I/O on a thread pool)"),
    ("process", "Subprocesses"),
    ("signal", "Signals"),
    ("http", "HTTP client"),
];

/// Areas with no peer runtime, written as their own section rather than as a table of
/// corio against peers (`debug`: the call graph's bookkeeping off and on).
const OWN_SECTION: &[&str] = &["debug"];

/// Workloads that asyncio, with one loop per thread, can only run on one loop: the
/// single-loop Python figure of the same workload stands in.
const PYTHON_ALIASES: &[(&str, &str)] = &[
    (
        "multi_thread/spawn_join_10k_outside",
        "2 workers with their drivers on each: corio `Executor` (timer wheels, shared reactor) + \
         `spawn_send`, tokio multi-thread with all drivers + `tokio::spawn`, async-executor \
         `Executor` run by 2 threads under `async_io::block_on` + `Executor::spawn`; the \
         bench thread's `block_on` future (`futures_lite::future::block_on` for smol) spawns \
         10 000 tasks and awaits them in order",
    ),
    (
        "multi_thread/spawn_join_10k_inside",
        "executor/spawn_join_10k",
    ),
    ("multi_thread/yield_100x1000", "executor/yield_100x1000"),
    ("multi_thread/ping_pong_10k", "executor/ping_pong_10k"),
    (
        "multi_thread/chained_spawn_1000",
        "executor/chained_spawn_1000",
    ),
];

/// Which flavour and idiom each runtime uses, one line per workload, in the page's area
/// order (the bench files' headers say more).
const IDIOMS: &[(&str, &str)] = &[
    (
        "executor/run_ready_fresh_runtime",
        "a runtime built and dropped around each `async { 1 }`, in its `block_on`: corio \
         `Builder::new().build_local().run` and tokio current-thread with all drivers (each \
         builds an epoll instance and an eventfd), async-executor `LocalExecutor` under \
         `async_io::block_on` (async-io's reactor is process-wide, made once) and futures' \
         `LocalPool` (no timer or reactor)",
    ),
    (
        "executor/run_ready_kept_runtime",
        "as above with each runtime kept between calls: `corio::run` (the thread's loop, \
         reopened), tokio's `block_on`, async-executor's `run` under `async_io::block_on`, \
         `LocalPool::run_until`",
    ),
    (
        "executor/block_on_ready_multi_thread",
        "`block_on(async { 1 })` from the bench thread on a kept runtime with 2 workers and its \
         drivers: corio `Executor` (the caller runs the future on its own cached loop), tokio \
         multi-thread with all drivers, async-executor `Executor` run by 2 threads under \
         `async_io::block_on`, the caller in `futures_lite::future::block_on(ex.run(..))`",
    ),
    (
        "executor/spawn_join_10k",
        "each runtime as its users get it: corio's loop with its timer and reactor (`corio::run`'s), tokio current-thread with all \
         drivers, async-executor `LocalExecutor` under `async_io::block_on` (smol's), futures' \
         `LocalPool` (no timer or reactor); a task spawned on it spawns 10 000 tasks and \
         awaits their handles in order",
    ),
    (
        "executor/eager_start_10k_ready",
        "the same spawn and join on corio's loop with `eager_start` off and on, beside tokio \
         current-thread with all drivers",
    ),
    (
        "executor/ping_pong_10k",
        "set-ups as `spawn_join_10k`; a pinger and a ponger, both spawned tasks, pass a number \
         through two `async_channel::bounded(1)` on every runtime",
    ),
    (
        "executor/yield_100x1000",
        "set-ups as `spawn_join_10k`; 100 spawned tasks each yield 1 000 times: \
         `corio::yield_now`, `tokio::task::yield_now`, `futures_lite::future::yield_now` on \
         async-executor and `LocalPool`",
    ),
    (
        "executor/chained_spawn_1000",
        "set-ups as `spawn_join_10k`; from the `block_on` future down, each level spawns the \
         next (a boxed future) and awaits its handle",
    ),
    (
        "executor/handle_spawn_10k_from_thread",
        "a plain thread spawns through corio's `Handle::spawn` (loop of `build_local`), \
         tokio's `Handle::spawn` (current-thread), async-executor's `Executor::spawn` (the \
         thread-safe executor run on one thread)",
    ),
    (
        "executor/to_thread_1k_round_trips",
        "sequential round trips from a task on a single-thread loop: corio `to_thread`, tokio \
         `spawn_blocking`, smol `unblock` (the `blocking` crate)",
    ),
    (
        "multi_thread/spawn_join_10k_outside",
        "2 workers each: corio `Executor` (timer and shared reactor) + `spawn_send`, tokio \
         multi-thread without drivers + `tokio::spawn`, async-executor `Executor` run by 2 \
         threads under `futures_lite::future::block_on` (no reactor) + `Executor::spawn`; the \
         bench thread's `block_on` future spawns 10 000 tasks and awaits them in order",
    ),
    (
        "multi_thread/spawn_join_10k_inside",
        "as above, but one task spawned on the workers spawns the 10 000 and awaits them",
    ),
    (
        "multi_thread/yield_100x1000",
        "set-ups as `spawn_join_10k_outside`; 100 tasks spawned from the `block_on` future \
         each yield 1 000 times (`corio::yield_now`, `tokio::task::yield_now`, \
         `futures_lite::future::yield_now`)",
    ),
    (
        "multi_thread/ping_pong_10k",
        "set-ups as `spawn_join_10k_outside`; a pinger and a ponger spawned on the workers, \
         two `async_channel::bounded(1)` on every runtime",
    ),
    (
        "multi_thread/chained_spawn_1000",
        "set-ups as `spawn_join_10k_outside`; the `block_on` future is the chain's head, each \
         level spawns the next on the workers and awaits it",
    ),
    (
        "multi_thread/fan_out_in_100k",
        "set-ups as `spawn_join_10k_outside`; the `block_on` future spawns 100 000 tasks of \
         20 multiply-adds each and awaits them in order",
    ),
    (
        "multi_thread/handle_spawn_10k_from_thread",
        "2 workers each: corio `Executor` + `Handle::spawn`, tokio multi-thread + \
         `Handle::spawn`, async-executor `Executor` run by 2 threads",
    ),
    (
        "multi_thread/sleep_10k_random_1ms",
        "2 workers each: corio `Executor` + `corio::sleep`, tokio multi-thread + \
         `tokio::time::sleep`, async-executor `Executor` on 2 threads + async-io `Timer`",
    ),
    (
        "multi_thread/timeout_10k_fire_1ms",
        "2 workers each; `corio::timeout`, `tokio::time::timeout`, smol's \
         `future.or(Timer::after(d))`",
    ),
    (
        "sync/semaphore_uncontended_1000",
        "every peer on one corio `LocalExecutor::new()` loop (no timer or reactor); 1 000 \
         acquire/release of a 1-permit semaphore in the `block_on` future: `corio::Semaphore`, \
         `tokio::sync::Semaphore`, `async_lock::Semaphore`",
    ),
    (
        "sync/semaphore_10_1000x100",
        "same loop; 1 000 tasks (`corio::spawn`) take a 10-permit semaphore 100 times each and \
         yield holding it: `corio::Semaphore` and `tokio::sync::Semaphore` hand a release to the \
         first waiter (FIFO), `async_lock::Semaphore` lets the releaser take it straight back",
    ),
    (
        "sync/lock_uncontended_1000",
        "same loop; 1 000 lock, increment, unlock in the `block_on` future: `corio::Lock`, \
         `tokio::sync::Mutex`, `async_lock::Mutex`, `futures::lock::Mutex`",
    ),
    (
        "sync/lock_contended_100x100",
        "same loop; 100 spawned tasks × 100 critical sections that yield holding the lock: \
         `corio::Lock` and `tokio::sync::Mutex` hand it to the first waiter on unlock, \
         `async_lock::Mutex` (fair only once a waiter starves 0.5 ms) and \
         `futures::lock::Mutex` (no fairness) let the unlocking task lock again at once",
    ),
    (
        "sync/event_ping_pong_10k",
        "same loop; the `block_on` future and one spawned task wake each other 10 000 times: \
         two `corio::Event`s (set; wait, then clear), two `tokio::sync::Notify` (`notify_one`, \
         which stores a permit, and `notified`)",
    ),
    (
        "sync/event_fanout_1000",
        "same loop; 1 000 spawned tasks wait, the `block_on` future yields once then wakes all: \
         `corio::Event::set`, `tokio::sync::Notify::notify_waiters`, \
         `event_listener::Event::notify(usize::MAX)`",
    ),
    (
        "sync/queue_bounded_1m_4x4",
        "every peer on one corio `Executor` with 2 workers (timer and shared reactor); 4 \
         producers and 4 consumers (`spawn_send`) move 1 000 000 `u64` through capacity 1 024: \
         `corio::Queue`, `async_channel::bounded`, `flume::bounded` (`send_async`/`recv_async`)",
    ),
    (
        "sync/priority_queue_10k",
        "same single-thread loop; 10 000 pushes then 10 000 pops in the `block_on` future: \
         `corio::PriorityQueue` (unbounded, awaited `put`/`get` with waiters) against a \
         `BinaryHeap` of `Reverse` keys behind a `std::sync::Mutex`, without waiters or awaits",
    ),
    (
        "sync/oneshot_10k_wait_then_send",
        "single-thread loops; corio `oneshot`, tokio `sync::oneshot`, `futures::channel::oneshot` \
         on async-executor's `LocalExecutor`",
    ),
    (
        "sync/broadcast_16rx_1k",
        "single-thread loops; corio `broadcast`, tokio `sync::broadcast`, capacity 1 024",
    ),
    (
        "sync/watch_16rx_1k",
        "single-thread loops; corio `watch`, tokio `sync::watch`; the sender yields after each send",
    ),
    (
        "timer/sleep_100k_random_10ms",
        "single-thread loops with their timers: corio `Builder::new().build_local()`, tokio \
         current-thread with all drivers, async-executor `LocalExecutor` under \
         `async_io::block_on`; a spawned task spawns 100 000 sleepers and awaits them: \
         `corio::sleep`, `tokio::time::sleep`, `async_io::Timer::after`",
    ),
    (
        "timer/timeout_100k_ready",
        "same set-ups; a spawned task awaits 100 000 timeouts of 1 s around ready futures: \
         `corio::timeout`, `tokio::time::timeout`, smol's `future.or(Timer::after(d))`, which \
         builds no timer for a ready future",
    ),
    (
        "timer/timeout_100k_insert_cancel",
        "as above around a future pending once (it wakes itself), so every timer is registered \
         and then cancelled, smol's included",
    ),
    (
        "timer/sleep_reset_10k",
        "same set-ups; in a spawned task one 30 s sleep polled once, then reset 10 000 times to \
         deadlines 1-11 s away, each followed by one poll: `reset` on corio's and tokio's `sleep`, \
         async-io's `Timer::set_at`",
    ),
    (
        "combinators/gather_10k_ready",
        "every loop in a task spawned on its runtime: corio's and futures' combinators on corio's \
         loop (`build_local`, timer and reactor): `corio::gather`, `futures::future::join_all`, \
         `FuturesUnordered` collected; tokio's `JoinSet` spawns 10 000 tasks and `join_all`s \
         them (current-thread, all drivers)",
    ),
    (
        "combinators/gather_10k_shuffled_wakes",
        "same set-ups; each child awaits a `futures::channel::oneshot` that a spawned driver task \
         completes in a shuffled order, with the same neutral yield after each send on every \
         runtime; `gather` and `join_all` return input order, `FuturesUnordered` and \
         `JoinSet::join_all` (children spawned as tasks) completion order",
    ),
    (
        "combinators/as_completed_10k_shuffled_wakes",
        "same wake-ups, outputs in completion order: `corio::as_completed` and \
         `FuturesUnordered` on corio's loop, `JoinSet::join_next` over 10 000 spawned tasks on \
         tokio current-thread (all drivers); each loop in a spawned task",
    ),
    (
        "combinators/wait_for_10k_ready",
        "single-thread loops with their timers (corio `build_local`, tokio current-thread with \
         all drivers, async-executor `LocalExecutor` under `async_io::block_on`); a spawned task \
         awaits 10 000 timeouts of 1 s around ready futures: `corio::wait_for`, \
         `tokio::time::timeout`, smol's `future.or(Timer::after(d))` (no timer for a ready one)",
    ),
    (
        "combinators/task_group_10k_children",
        "each loop in a task spawned on its runtime, with its drivers: corio `task_group` on \
         `build_local`'s loop, children awaited in spawn order; tokio `JoinSet` (current-thread, \
         all drivers), `join_next` in completion order; async-executor `LocalExecutor::spawn` + \
         `futures::future::join_all` under `async_io::block_on`",
    ),
    (
        "stream/generator_1m",
        "every peer on one corio `LocalExecutor::new()` loop, consumed with `next().await` in \
         the `block_on` future: corio `generate` and `generate_send`, async-stream's `stream!`, \
         `futures::stream::unfold`",
    ),
    (
        "stream/map_filter_1m",
        "same loop; `iter(0..1 000 000)`, `map`, `filter`, summed with `fold`: corio's \
         `StreamExt`, futures-util's (async predicate), tokio-stream's",
    ),
    (
        "stream/buffer_unordered_64_10k",
        "same loop; 10 000 futures that each `corio::yield_now` once, through \
         `buffer_unordered(64)` and `fold`: corio's `StreamExt`, futures-util's",
    ),
    (
        "net/tcp_ping_pong_10k",
        "single-thread loops with their reactors: corio `build_local`, tokio current-thread with \
         all drivers, async-executor `LocalExecutor` under `async_io::block_on` (`Async`); 8 B \
         messages with `TCP_NODELAY`; the client loop a task spawned on the runtime, the server \
         a task the client spawns",
    ),
    (
        "net/tcp_transfer_64mib",
        "same set-ups; a spawned task makes 64 KiB `write_all`s, then `close` (futures-io) or \
         `shutdown` (tokio), read by another spawned task into a 64 KiB buffer",
    ),
    (
        "net/tcp_accept_connect_1000",
        "same set-ups; a spawned task connects and drops 1 000 connections one after another, \
         another accepts and drops them",
    ),
    (
        "net/echo_100_active_10k_idle",
        "single-thread loops (corio's `build_local`, tokio current-thread with all drivers, \
         async-executor `LocalExecutor` under `async_io::block_on`); 10 000 idle connections held \
         by a child process, 100 clients × 100 round trips of 64 B in spawned tasks",
    ),
    (
        "net/echo_100_active_10k_idle_read_deadline",
        "as above, every server read wrapped in a 10 s timeout re-armed per read: \
         `corio::timeout`, `tokio::time::timeout`, smol's `read.or(Timer::after(d))`",
    ),
    (
        "net/accept_storm_1000",
        "single-thread loops; 1 000 connections in waves of 100 connect tasks spawned at once \
         (under the listen backlog of 128), accepted by one task",
    ),
    (
        "cancel/timeout_10k_fire_1ms",
        "single-thread loops; `corio::timeout`, `tokio::time::timeout`, smol's \
         `future.or(Timer::after(d))`",
    ),
    (
        "cancel/abort_10k_mid_wait",
        "single-thread loops; corio `Task::abort` + await, tokio `JoinHandle::abort` + await, \
         async-executor `Task::cancel().await`",
    ),
    (
        "fs/read_64mib_in_4k",
        "each runtime's usual set-up (corio's local loop, tokio current-thread, async-fs under \
         `futures_lite::future::block_on`), all doing blocking reads on a pool; tokio's `File` \
         hops to its pool per read, so it is also shown behind a 64 KiB `BufReader` \
         (`tokio_bufreader_64k`); corio's and async-fs's files buffer by themselves; the file \
         stays in the page cache",
    ),
    (
        "fs/write_64mib_in_4k",
        "as above, 4 KiB writes then a flush",
    ),
    (
        "fs/read_dir_10k",
        "as above, a directory of 10 000 entries listed as a stream",
    ),
    (
        "process/spawn_wait_1000_true",
        "1 000 `true` children started at once, then awaited: corio `process::Command` (a pidfd \
         per child on the reactor), tokio::process (current-thread), async-process (smol's \
         SIGCHLD reaper); fork/exec dominates",
    ),
    (
        "signal/latency_1000_sigusr1",
        "1 000 `kill(getpid(), SIGUSR1)` one after the other, each awaited by one listener: corio \
         `Signals`, tokio::signal (current-thread), async-signal under `smol::block_on`",
    ),
    (
        "http/client_get_1k_100_in_flight_http",
        "1 000 GETs of a 1 KiB page per iteration, 100 in flight over a kept client's \
         keep-alive pool, against the same corio-http server: corio-http's `Client` on corio's \
         loop, reqwest on tokio current-thread; the asyncio column is aiohttp's \
         `ClientSession` (`benches/http_client.sh`, its requests/s turned into the time of \
         1 000)",
    ),
    (
        "http/client_get_1k_100_in_flight_https",
        "as above over TLS (each client trusts the server's self-signed certificate)",
    ),
];

/// A function whose estimate is this much older than the newest of its group is a
/// leftover of a renamed or removed function, not part of the current comparison.
const STALE: Duration = Duration::from_secs(6 * 3600);

/// The target for the issue's comparison with asyncio.
const ASYNCIO_TARGET: f64 = 100.0;

struct Options {
    run: bool,
    quick: bool,
}

/// One criterion function's median, in nanoseconds per iteration.
#[derive(Clone)]
struct Estimate {
    function: String,
    median_ns: f64,
}

/// One workload: its criterion group and every runtime's median.
struct Workload {
    group: String,
    runtimes: Vec<Estimate>,
}

impl Workload {
    fn area(&self) -> &str {
        self.group.split('/').next().unwrap_or(&self.group)
    }

    fn name(&self) -> &str {
        self.group.split_once('/').map_or(&*self.group, |(_, n)| n)
    }

    /// corio's fastest variant (most groups have one: `corio`, `corio_gather`, ...).
    fn corio(&self) -> Option<&Estimate> {
        self.runtimes
            .iter()
            .filter(|e| is_corio(&e.function))
            .min_by(|a, b| a.median_ns.total_cmp(&b.median_ns))
    }

    fn fastest_peer(&self) -> Option<&Estimate> {
        self.runtimes
            .iter()
            .filter(|e| !is_corio(&e.function))
            .min_by(|a, b| a.median_ns.total_cmp(&b.median_ns))
    }

    /// corio's median over the fastest peer's, rounded to the two decimals shown.
    fn ratio(&self) -> Option<f64> {
        let r = self.corio()?.median_ns / self.fastest_peer()?.median_ns;
        Some((r * 100.0).round() / 100.0)
    }
}

fn is_corio(function: &str) -> bool {
    function == "corio" || function.starts_with("corio_")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ sits in the workspace root")
        .to_path_buf()
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        run: true,
        quick: false,
    };
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--no-run" => o.run = false,
            "-h" | "--help" => {
                return Err("usage: compare [--quick] [--no-run]\n\
                     --quick   criterion's --quick mode and 3 Python repetitions\n\
                     --no-run  only summarise the results already on disk"
                    .into());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let root = workspace_root();
    let target = target_dir(&root);
    let results = target.join("corio-compare");
    if let Err(e) = std::fs::create_dir_all(&results) {
        eprintln!("cannot create {}: {e}", results.display());
        return ExitCode::FAILURE;
    }
    if options.run
        && let Err(e) = run_all(&root, &target, &results, options.quick)
    {
        eprintln!("compare: {e}");
        return ExitCode::FAILURE;
    }
    match summarise(&root, &target, &results) {
        Ok(page) => {
            println!("wrote {}", page.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::FAILURE
        }
    }
}

// ------------------------------------------------------------------ running

fn cargo(root: &Path) -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root);
    // The workspace's bench profile differs from release only by `debug = 1`; with the
    // same settings cargo shares the dependencies `cargo run --release` just built
    // instead of building everything a second time.
    if std::env::var_os("CARGO_PROFILE_BENCH_DEBUG").is_none() {
        c.env("CARGO_PROFILE_BENCH_DEBUG", "0");
    }
    c
}

fn jobs(c: &mut Command) -> &mut Command {
    if std::env::var_os("CARGO_BUILD_JOBS").is_none() {
        c.args(["-j", "1"]);
    }
    c
}

fn check(what: &str, status: std::io::Result<std::process::ExitStatus>) -> Result<(), String> {
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{what} failed ({s})")),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

fn run_all(root: &Path, target: &Path, results: &Path, quick: bool) -> Result<(), String> {
    let started = SystemTime::now();

    eprintln!(
        "== cargo bench -p corio-benches{}",
        if quick { " -- --quick" } else { "" }
    );
    let mut bench = cargo(root);
    bench.args(["bench", "-p", "corio-benches"]);
    jobs(&mut bench);
    if quick {
        bench.args(["--", "--quick"]);
    }
    check("cargo bench", bench.status())?;

    eprintln!("== python asyncio");
    let python = results.join("python.txt");
    let mut py = Command::new("python3");
    py.current_dir(root)
        .arg("benches/python/asyncio_bench.py")
        .arg("--out")
        .arg(&python);
    if quick {
        py.arg("--quick");
    }
    check("benches/python/asyncio_bench.py", py.status())?;

    eprintln!("== memory");
    // The bench profile, like `cargo bench` just now: nothing to rebuild.
    let mut build = cargo(root);
    build.args([
        "build",
        "--profile",
        "bench",
        "-p",
        "corio-benches",
        "--bin",
        "memory",
    ]);
    jobs(&mut build);
    check("cargo build --bin memory", build.status())?;
    let probe = target.join("release").join("memory");
    let mut lines = String::new();
    for what in ["tasks", "timers"] {
        for runtime in ["corio", "tokio", "smol"] {
            let out = Command::new(&probe)
                .args([what, runtime])
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("{}: {e}", probe.display()))?;
            if !out.status.success() {
                return Err(format!("memory {what} {runtime} failed ({})", out.status));
            }
            let line = String::from_utf8_lossy(&out.stdout);
            eprint!("{line}");
            lines.push_str(&line);
        }
    }
    write(&results.join("memory.txt"), &lines)?;

    let have_wrk = Command::new("sh")
        .args(["-c", "command -v wrk"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if have_wrk {
        eprintln!("== wrk (hyper on corio and on tokio)");
        let mut wrk = bench_script(root, "benches/wrk.sh");
        wrk.env("WRK_OUT", results.join("wrk.txt"));
        if quick {
            wrk.env("WRK_ARGS", "-t2 -c64 -d3s");
        }
        check("benches/wrk.sh", wrk.status())?;
        eprintln!("== wrk_http.sh (the HTTP server: corio-http, hyper on tokio, aiohttp.web)");
        let mut http = bench_script(root, "benches/wrk_http.sh");
        http.env("OUT", results.join("http-server.md"));
        if quick {
            http.env("DURATION", "3").env("REPS", "1");
        } else {
            http.env("DURATION", "5").env("REPS", "5");
        }
        check("benches/wrk_http.sh", http.status())?;
    } else {
        eprintln!("== wrk not installed: no HTTP numbers");
        let _ = std::fs::remove_file(results.join("wrk.txt"));
        let _ = std::fs::remove_file(results.join("http-server.md"));
    }

    eprintln!("== http_client.sh (aiohttp's client against the bench's server)");
    let mut aiohttp = bench_script(root, "benches/http_client.sh");
    if quick {
        aiohttp.env("REQUESTS", "3000");
    }
    let out = aiohttp
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("benches/http_client.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!("benches/http_client.sh failed ({})", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    eprint!("{text}");
    write(&results.join("aiohttp.txt"), &text)?;

    let mode = if quick { "quick" } else { "full" };
    let secs = started.elapsed().map(|d| d.as_secs()).unwrap_or(0);
    write(
        &results.join("run.txt"),
        &format!("{mode} {secs} {}\n", unix_now()),
    )
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

// ------------------------------------------------------------------ reading

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Every criterion group under `<target>/criterion`, functions in report order.
fn read_criterion(target: &Path) -> Result<Vec<Workload>, String> {
    let dir = target.join("criterion");
    let groups = std::fs::read_dir(&dir).map_err(|e| {
        format!(
            "{}: {e} (run `cargo bench -p corio-benches` first, or drop --no-run)",
            dir.display()
        )
    })?;
    let mut by_group: BTreeMap<String, Vec<(Estimate, SystemTime)>> = BTreeMap::new();
    for group in groups.flatten() {
        let Ok(functions) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for function in functions.flatten() {
            let new = function.path().join("new");
            let (Some(meta), Some(est)) = (
                read_json(&new.join("benchmark.json")),
                read_json(&new.join("estimates.json")),
            ) else {
                continue;
            };
            let (Some(group_id), Some(function_id), Some(median)) = (
                meta["group_id"].as_str(),
                meta["function_id"].as_str(),
                est["median"]["point_estimate"].as_f64(),
            ) else {
                continue;
            };
            let modified = std::fs::metadata(new.join("estimates.json"))
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            by_group.entry(group_id.to_string()).or_default().push((
                Estimate {
                    function: function_id.to_string(),
                    median_ns: median,
                },
                modified,
            ));
        }
    }
    let mut workloads = Vec::new();
    for (group, mut estimates) in by_group {
        let newest = estimates
            .iter()
            .map(|e| e.1)
            .max()
            .unwrap_or(SystemTime::UNIX_EPOCH);
        estimates.retain(|(_, t)| newest.duration_since(*t).unwrap_or_default() <= STALE);
        let mut runtimes: Vec<Estimate> = estimates.into_iter().map(|e| e.0).collect();
        // corio first, then the peers by name.
        runtimes.sort_by(|a, b| {
            (!is_corio(&a.function), &a.function).cmp(&(!is_corio(&b.function), &b.function))
        });
        workloads.push(Workload { group, runtimes });
    }
    Ok(workloads)
}

/// Lines `<tag> <fields...>` of a results file, split on whitespace; `#` starts a comment.
fn read_lines(path: &Path, tag: &str) -> Vec<Vec<String>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|f| f.first().map(String::as_str) == Some(tag))
        .map(|mut f| f.split_off(1))
        .collect()
}

fn read_python(results: &Path) -> BTreeMap<String, f64> {
    let mut python: BTreeMap<String, f64> = read_lines(&results.join("python.txt"), "python")
        .into_iter()
        .filter_map(|f| Some((f.first()?.clone(), f.get(1)?.parse::<f64>().ok()? * 1e9)))
        .collect();
    // aiohttp's client, `aiohttp <scheme> <requests/s>`: the time of one criterion
    // iteration (1 000 GETs) of the matching `http/` group.
    for f in read_lines(&results.join("aiohttp.txt"), "aiohttp") {
        if let (Some(scheme), Some(rps)) = (f.first(), f.get(1).and_then(|r| r.parse::<f64>().ok()))
            && rps > 0.0
        {
            python.insert(
                format!("http/client_get_1k_100_in_flight_{scheme}"),
                1_000.0 / rps * 1e9,
            );
        }
    }
    python
}

/// The asyncio median for `group` in ns, and whether it stands in from another group.
fn python_for(python: &BTreeMap<String, f64>, group: &str) -> Option<(f64, bool)> {
    if let Some(&ns) = python.get(group) {
        return Some((ns, false));
    }
    let (_, alias) = PYTHON_ALIASES.iter().find(|(g, _)| *g == group)?;
    python.get(*alias).map(|&ns| (ns, true))
}

// ------------------------------------------------------------------ formatting

fn fmt_ns(ns: f64) -> String {
    let (v, unit) = if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {unit}")
}

fn fmt_ratio(r: f64) -> String {
    if r <= 1.0 {
        format!("**{r:.2}**")
    } else {
        format!("{r:.2} ✗ miss")
    }
}

fn fmt_speedup(x: f64) -> String {
    let s = if x >= 100.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.1}×")
    };
    if x < ASYNCIO_TARGET {
        format!("{s} ✗")
    } else {
        s
    }
}

fn cpu_model() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{model}, {cpus} CPUs available")
}

fn python_version(results: &Path) -> String {
    std::fs::read_to_string(results.join("python.txt"))
        .ok()
        .and_then(|t| {
            t.lines()
                .next()
                .and_then(|l| l.strip_prefix("# "))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "python3".into())
}

// ------------------------------------------------------------------ the page

fn summarise(root: &Path, target: &Path, results: &Path) -> Result<PathBuf, String> {
    let workloads = read_criterion(target)?;
    let python = read_python(results);
    let memory = read_lines(&results.join("memory.txt"), "memory");
    let wrk = read_lines(&results.join("wrk.txt"), "wrk");
    let http_server = std::fs::read_to_string(results.join("http-server.md")).ok();
    let latency = read_lines(&results.join("latency.txt"), "latency");
    let run = std::fs::read_to_string(results.join("run.txt")).unwrap_or_default();
    let run: Vec<&str> = run.split_whitespace().collect();

    let docs = root.join("docs").join("src");
    let charts = docs.join("benchmarks");
    std::fs::create_dir_all(&charts).map_err(|e| format!("{}: {e}", charts.display()))?;

    let mut areas: Vec<(String, String)> = AREAS
        .iter()
        .map(|(a, t)| (a.to_string(), t.to_string()))
        .collect();
    for w in &workloads {
        if !areas.iter().any(|(a, _)| a == w.area()) {
            areas.push((w.area().to_string(), w.area().to_string()));
        }
    }

    let mut page = String::new();
    let p = &mut page;
    p.push_str("# Benchmarks: corio beside tokio, smol, futures and asyncio\n\n");
    p.push_str(
        "<!-- Generated by `cargo run --release -p corio-benches --bin compare`; \
         edit benches/src/bin/compare.rs, not this file. -->\n\n",
    );
    let _ = writeln!(
        p,
        "Every workload is one criterion group in `benches/` \
         with corio and each peer as functions of the same group, run in one process on one machine; \
         the same workloads written for Python's asyncio are in `benches/python/asyncio_bench.py`. \
         Each figure is the median time of one iteration of the whole workload.\n"
    );
    let mode = match run.first() {
        Some(&"quick") => {
            "`compare --quick` run (criterion's `--quick` mode, 3 Python repetitions)"
        }
        Some(&"full") => {
            "full `compare` run (each group's own sampling, `corio_benches::criterion()`: \
             0.5 s warm-up, 2 s and 30 samples unless the group sets fewer; 7 Python \
             repetitions)"
        }
        _ => "summary of the results found on disk (`compare --no-run`)",
    };
    let _ = writeln!(
        p,
        "- Machine: {}; numbers from a {mode}.\n- asyncio: {} with the default event loop; \
         where the Python script scales a workload down it multiplies the time back up to the \
         Rust size (see the script).\n- **ratio** = corio's median / the fastest peer's median \
         (bold when corio is at least as fast; ✗ miss otherwise). **vs asyncio** = asyncio's \
         median / corio's median (✗ below the {ASYNCIO_TARGET:.0}× target).\n- Charts show each \
         runtime's median relative to the fastest Rust runtime of the workload, on a log scale.\n\
         - Reproduce: `cargo run --release -p corio-benches --bin compare -- --quick` \
         (shorter sampling), or without `--quick` for the full run (25 minutes on 2 cores once \
         the benches are built); `--no-run` only \
         redraws this page from the results on disk.\n",
        cpu_model(),
        python_version(results),
    );

    let mut misses = Vec::new();
    let mut slow_vs_python = Vec::new();
    let mut area_speedups = Vec::new();
    for (area, title) in &areas {
        let ws: Vec<&Workload> = workloads.iter().filter(|w| w.area() == area).collect();
        if ws.is_empty() || OWN_SECTION.contains(&area.as_str()) {
            continue;
        }
        let _ = writeln!(p, "## {title}\n");
        p.push_str("| workload | corio | peers (fastest first) | ratio | asyncio | vs asyncio |\n");
        p.push_str("|---|---:|---|---:|---:|---:|\n");
        let mut aliased = false;
        let mut speedups = Vec::new();
        for w in &ws {
            let corio = w.corio();
            let mut peers: Vec<&Estimate> = w
                .runtimes
                .iter()
                .filter(|e| !is_corio(&e.function))
                .collect();
            peers.sort_by(|a, b| a.median_ns.total_cmp(&b.median_ns));
            let corio_cell = match corio {
                None => "—".to_string(),
                Some(c) => {
                    let variants = w.runtimes.iter().filter(|e| is_corio(&e.function)).count();
                    if variants > 1 {
                        let others: Vec<String> = w
                            .runtimes
                            .iter()
                            .filter(|e| is_corio(&e.function) && e.function != c.function)
                            .map(|e| format!("{} {}", e.function, fmt_ns(e.median_ns)))
                            .collect();
                        format!(
                            "{} ({}; {})",
                            fmt_ns(c.median_ns),
                            c.function,
                            others.join(", ")
                        )
                    } else if c.function != "corio" {
                        format!("{} ({})", fmt_ns(c.median_ns), c.function)
                    } else {
                        fmt_ns(c.median_ns)
                    }
                }
            };
            let peers_cell = peers
                .iter()
                .map(|e| format!("{} {}", e.function, fmt_ns(e.median_ns)))
                .collect::<Vec<_>>()
                .join(" · ");
            let ratio = w.ratio();
            if let (Some(r), Some(c), Some(f)) = (ratio, corio, w.fastest_peer())
                && r > 1.0
            {
                misses.push(format!(
                    "`{}`: corio {} vs {} {} (ratio {r:.2})",
                    w.group,
                    fmt_ns(c.median_ns),
                    f.function,
                    fmt_ns(f.median_ns)
                ));
            }
            let py = python_for(&python, &w.group);
            let (py_cell, up_cell) = match (py, corio) {
                (Some((ns, alias)), Some(c)) => {
                    aliased |= alias;
                    let up = ns / c.median_ns;
                    speedups.push(up);
                    if up < ASYNCIO_TARGET {
                        slow_vs_python.push(format!("`{}`: {up:.1}×", w.group));
                    }
                    (
                        format!("{}{}", fmt_ns(ns), if alias { " †" } else { "" }),
                        fmt_speedup(up),
                    )
                }
                _ => ("—".into(), "—".into()),
            };
            let _ = writeln!(
                p,
                "| `{}` | {} | {} | {} | {} | {} |",
                w.name(),
                corio_cell,
                if peers_cell.is_empty() {
                    "—".into()
                } else {
                    peers_cell
                },
                ratio.map_or("—".into(), fmt_ratio),
                py_cell,
                up_cell,
            );
        }
        p.push('\n');
        let idioms: Vec<String> = ws
            .iter()
            .filter_map(|w| IDIOMS.iter().find(|(g, _)| *g == w.group))
            .map(|(g, text)| format!("- `{}`: {text}", g.split_once('/').map_or(*g, |x| x.1)))
            .collect();
        if !idioms.is_empty() {
            p.push_str("Flavour and idiom of each runtime:\n\n");
            for line in idioms {
                let _ = writeln!(p, "{line}");
            }
            p.push('\n');
        }
        if aliased {
            p.push_str(
                "† asyncio runs one loop per thread: the figure is the same workload on one loop \
                 (the executor table's).\n\n",
            );
        }
        if !speedups.is_empty() {
            let geo = (speedups.iter().map(|x| x.ln()).sum::<f64>() / speedups.len() as f64).exp();
            let min = speedups.iter().cloned().fold(f64::INFINITY, f64::min);
            let max = speedups.iter().cloned().fold(0.0, f64::max);
            let _ = writeln!(
                p,
                "corio vs asyncio in this area: {geo:.0}× (geometric mean), from {min:.0}× to {max:.0}×.\n"
            );
            area_speedups.push((title.clone(), geo, min, max));
        }
        if area == "net" && !wrk.is_empty() {
            write_wrk(p, &wrk);
        }
        let svg = charts.join(format!("{area}.svg"));
        draw_chart(&svg, title, &ws, &python)?;
        let _ = writeln!(
            p,
            "![{title}: median relative to the fastest Rust runtime](benchmarks/{area}.svg)\n"
        );
        if area == "net"
            && let Some(table) = &http_server
        {
            write_http_server(p, table);
        }
    }

    write_memory(p, &memory);
    write_latency(p, &latency);
    write_call_graph(p, &workloads);

    p.push_str("## Where corio misses\n\n");
    if misses.is_empty() {
        p.push_str("corio's median is at or below the fastest peer's in every workload above.\n\n");
    } else {
        p.push_str("Workloads where corio's median is above the fastest peer's:\n\n");
        for m in &misses {
            let _ = writeln!(p, "- {m}");
        }
        p.push('\n');
    }
    if slow_vs_python.is_empty() {
        let _ = writeln!(
            p,
            "corio is at least {ASYNCIO_TARGET:.0}× faster than asyncio in every workload with a Python version.\n"
        );
    } else {
        let _ = writeln!(
            p,
            "Workloads where corio is less than {ASYNCIO_TARGET:.0}× faster than asyncio: {}.\n",
            slow_vs_python.join(", ")
        );
    }
    if !area_speedups.is_empty() {
        p.push_str("Per area:\n\n");
        p.push_str("| area | corio vs asyncio (geometric mean) | lowest | highest |\n|---|---:|---:|---:|\n");
        for (title, geo, min, max) in &area_speedups {
            let _ = writeln!(p, "| {title} | {geo:.0}× | {min:.0}× | {max:.0}× |");
        }
        p.push('\n');
    }

    if run.first() == Some(&"quick") {
        p.push_str(
            "These are quick-mode figures: criterion stops sampling early, and medians move \
             by several percent from one run to the next, so a ratio within a few percent of \
             1.00 can change side between runs. Quote the full run (`compare` without \
             `--quick`).\n\n",
        );
    }
    // Hand-written notes on the misses (their causes), kept beside the generator.
    let notes = root.join("benches").join("compare-notes.md");
    if let Ok(text) = std::fs::read_to_string(&notes) {
        p.push_str(text.trim_end());
        p.push('\n');
    }

    let path = docs.join("benchmarks.md");
    write(&path, &page)?;
    Ok(path)
}

/// A bench script run from the workspace root, building with the bench profile as the
/// rest of the run does (`CARGO_PROFILE_BENCH_DEBUG=0` unless set).
fn bench_script(root: &Path, script: &str) -> Command {
    let mut c = Command::new("bash");
    c.current_dir(root).arg(script).env(
        "CARGO_PROFILE_BENCH_DEBUG",
        std::env::var_os("CARGO_PROFILE_BENCH_DEBUG").unwrap_or_else(|| "0".into()),
    );
    c
}

/// The HTTP server section: what `benches/wrk_http.sh` measures, and its table.
fn write_http_server(p: &mut String, table: &str) {
    p.push_str("## HTTP server under `wrk`\n\n");
    p.push_str(
        "`benches/wrk_http.sh` (issue 15): the same service, `200 OK` with `Hello, World!`, \
         served by corio-http, by hyper on tokio in hyper-util's documented idiom (its `auto` \
         builder, TCP_NODELAY, the same 30 s header-read timeout) and by aiohttp.web; `wrk \
         --latency` on the same 2-core machine, 2 wrk threads (1 for one connection). One \
         worker: corio's single-thread loop (`corio::run`), tokio's current-thread runtime, one \
         aiohttp process. Two workers: corio's multi-thread executor, tokio's multi-thread \
         runtime, two aiohttp processes on one port (`SO_REUSEPORT`). The three servers take \
         turns, 5 runs of 5 s each per cell (1 of 3 s with `--quick`); each figure is the \
         median of its runs. Run to run, one server's figure moves by up to 15% on this \
         machine: read ratios near 1.00 as a tie.\n\n",
    );
    p.push_str(table.trim_end());
    p.push_str("\n\n");
}

fn write_wrk(p: &mut String, wrk: &[Vec<String>]) {
    let rps: BTreeMap<&str, f64> = wrk
        .iter()
        .filter_map(|f| Some((f.first()?.as_str(), f.get(1)?.parse().ok()?)))
        .collect();
    p.push_str(
        "HTTP/1.1 with hyper 1 on one thread, `benches/wrk.sh` (wrk, 2 threads, 64 connections), \
         requests per second (higher is better):\n\n| runtime | requests/s |\n|---|---:|\n",
    );
    for (rt, r) in &rps {
        let _ = writeln!(p, "| {rt} | {r:.0} |");
    }
    if let (Some(c), Some(t)) = (rps.get("corio"), rps.get("tokio")) {
        let ratio = t / c;
        let _ = writeln!(
            p,
            "\ncorio's time per request relative to tokio's: {}.\n",
            fmt_ratio((ratio * 100.0).round() / 100.0)
        );
    } else {
        p.push('\n');
    }
}

/// Per-operation p50 and p99 of the latency-shaped workloads, one row per group.
fn write_latency(p: &mut String, latency: &[Vec<String>]) {
    let mut groups: BTreeMap<&str, Vec<(&str, f64, f64)>> = BTreeMap::new();
    for f in latency {
        if let (Some(g), Some(rt), Some(p50), Some(p99)) = (f.first(), f.get(1), f.get(2), f.get(3))
            && let (Ok(p50), Ok(p99)) = (p50.parse(), p99.parse())
        {
            groups.entry(g).or_default().push((rt, p50, p99));
        }
    }
    if groups.is_empty() {
        return;
    }
    p.push_str("## Tail latency\n\n");
    p.push_str(
        "Per-operation durations recorded inside the benches (`corio_benches::latency`, every \
         operation of the warm-up and measurement iterations): p50 / p99 per runtime. For the \
         sleeps, the figure is how late each sleeper woke.\n\n\
         | workload | corio p50 / p99 | peers p50 / p99 | p99 ratio |\n|---|---:|---|---:|\n",
    );
    for (g, mut rows) in groups {
        rows.sort_by(|a, b| {
            (!is_corio(a.0), a.2)
                .partial_cmp(&(!is_corio(b.0), b.2))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let corio = rows.iter().find(|r| is_corio(r.0));
        let peers: Vec<_> = rows.iter().filter(|r| !is_corio(r.0)).collect();
        let best = peers.iter().map(|r| r.2).fold(f64::INFINITY, f64::min);
        let _ = writeln!(
            p,
            "| `{g}` | {} | {} | {} |",
            corio.map_or("—".into(), |c| format!(
                "{} / {}",
                fmt_ns(c.1),
                fmt_ns(c.2)
            )),
            peers
                .iter()
                .map(|r| format!("{} {} / {}", r.0, fmt_ns(r.1), fmt_ns(r.2)))
                .collect::<Vec<_>>()
                .join(" · "),
            match corio {
                Some(c) if best.is_finite() => fmt_ratio((c.2 / best * 100.0).round() / 100.0),
                _ => "—".into(),
            }
        );
    }
    p.push('\n');
}

/// The call graph's bookkeeping (`benches/debug_call_graph.rs`): the same workload on a
/// loop with the bookkeeping off and on.
fn write_call_graph(p: &mut String, workloads: &[Workload]) {
    let rows: Vec<(&Workload, f64, f64)> = workloads
        .iter()
        .filter(|w| w.area() == "debug")
        .filter_map(|w| {
            let get = |f: &str| {
                w.runtimes
                    .iter()
                    .find(|e| e.function == f)
                    .map(|e| e.median_ns)
            };
            Some((w, get("off")?, get("on")?))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    p.push_str("## Call-graph bookkeeping (`corio::debug`)\n\n");
    p.push_str(
        "What the task call graph ([Why is my program stuck?](stuck.md)) costs: the same \
         workload on a loop built with `Builder::call_graph(true)` (*on*: every poll and every \
         wait recorded) and without it (*off*: each wait that returns `Pending` reads one \
         process-wide flag, which is what every program pays). The cost of *off* against a \
         build without the hooks is in the notes below.\n\n\
         | workload | off | on | on / off |\n|---|---:|---:|---:|\n",
    );
    for (w, off, on) in rows {
        let _ = writeln!(
            p,
            "| `{}` | {} | {} | {:.1} |",
            w.name(),
            fmt_ns(off),
            fmt_ns(on),
            on / off
        );
    }
    p.push('\n');
}

fn write_memory(p: &mut String, memory: &[Vec<String>]) {
    if memory.is_empty() {
        return;
    }
    p.push_str("## Memory\n\n");
    p.push_str(
        "Peak resident memory (VmHWM) grown while holding 1 000 000 items, per item, one \
         process per runtime (`benches/src/bin/memory.rs`). *Idle tasks*: spawned tasks each \
         awaiting a pending `futures` oneshot, handles and senders kept. *Pending timers*: \
         sleeps 10 to 70 s away, each polled once so it is registered. smol = async-executor \
         + async-io.\n\n",
    );
    let mut table: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    for f in memory {
        if let (Some(what), Some(rt), Some(b)) = (f.first(), f.get(1), f.get(2))
            && let Ok(b) = b.parse()
        {
            table.entry(what).or_default().insert(rt, b);
        }
    }
    p.push_str("| items | corio | tokio | smol | ratio |\n|---|---:|---:|---:|---:|\n");
    for (what, row) in &table {
        let cell = |rt: &str| row.get(rt).map_or("—".into(), |b| format!("{b:.0} B"));
        let best_peer = row
            .iter()
            .filter(|(rt, _)| **rt != "corio")
            .map(|(_, b)| *b)
            .fold(f64::INFINITY, f64::min);
        let ratio = row
            .get("corio")
            .filter(|_| best_peer.is_finite())
            .map_or("—".into(), |c| {
                fmt_ratio((c / best_peer * 100.0).round() / 100.0)
            });
        let label = match *what {
            "tasks" => "1 000 000 idle tasks",
            "timers" => "1 000 000 pending timers",
            other => other,
        };
        let _ = writeln!(
            p,
            "| {label} | {} | {} | {} | {ratio} |",
            cell("corio"),
            cell("tokio"),
            cell("smol")
        );
    }
    p.push_str("\nratio = corio's bytes per item / the smallest peer's.\n\n");
}

// ------------------------------------------------------------------ charts

/// A fixed colour per runtime family, so that the charts read alike.
fn colour(function: &str) -> RGBColor {
    if is_corio(function) {
        RGBColor(0xd9, 0x48, 0x1c)
    } else if function == "asyncio" {
        RGBColor(0x80, 0x80, 0x80)
    } else if function.starts_with("tokio") {
        RGBColor(0x3b, 0x6e, 0xb5)
    } else if function.starts_with("async_") || function.starts_with("smol") {
        RGBColor(0x2f, 0x9e, 0x6b)
    } else if function.starts_with("futures") {
        RGBColor(0x8e, 0x5b, 0xb8)
    } else {
        RGBColor(0xc9, 0xa2, 0x27)
    }
}

/// Horizontal bars, one per runtime of every workload, each the runtime's median over
/// the fastest Rust runtime's, on a log axis.
fn draw_chart(
    path: &Path,
    title: &str,
    workloads: &[&Workload],
    python: &BTreeMap<String, f64>,
) -> Result<(), String> {
    // (label, runtime, relative time); a gap row between workloads.
    let mut rows: Vec<Option<(String, String, f64)>> = Vec::new();
    for w in workloads {
        let Some(best) = w
            .runtimes
            .iter()
            .map(|e| e.median_ns)
            .min_by(f64::total_cmp)
        else {
            continue;
        };
        if !rows.is_empty() {
            rows.push(None);
        }
        for (i, e) in w.runtimes.iter().enumerate() {
            let label = if i == 0 {
                format!("{}  {}", w.name(), e.function)
            } else {
                e.function.clone()
            };
            rows.push(Some((label, e.function.clone(), e.median_ns / best)));
        }
        if let Some((ns, _)) = python_for(python, &w.group) {
            rows.push(Some(("asyncio".into(), "asyncio".into(), ns / best)));
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    // The y axis grows upwards: reverse so that the first workload is drawn at the top.
    rows.reverse();
    let max = rows.iter().flatten().map(|r| r.2).fold(1.0f64, f64::max);
    let hi = 10f64.powf((max * 1.5).log10().ceil()).max(10.0);
    let n = rows.len();
    let height = 90 + 17 * n as u32;
    let draw = || -> Result<(), Box<dyn std::error::Error>> {
        let root = SVGBackend::new(path, (940, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{title}: median / fastest Rust runtime (log scale, lower is better)"),
                ("sans-serif", 16),
            )
            .margin(10)
            .margin_right(40)
            .x_label_area_size(30)
            .y_label_area_size(330)
            .build_cartesian_2d((0.5f64..hi).log_scale(), (0..n).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => rows
                    .get(*i)
                    .and_then(|r| r.as_ref())
                    .map(|r| r.0.clone())
                    .unwrap_or_default(),
                SegmentValue::Last => String::new(),
            })
            .x_label_formatter(&|x| {
                // Powers of ten only: the log axis puts a tick at every digit.
                let l = x.log10();
                if (l - l.round()).abs() < 1e-9 {
                    format!("{}×", 10f64.powi(l.round() as i32))
                } else {
                    String::new()
                }
            })
            .label_style(("sans-serif", 12))
            .draw()?;
        chart.draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
            let (_, runtime, rel) = r.as_ref()?;
            let mut bar = Rectangle::new(
                [
                    (0.5, SegmentValue::Exact(i)),
                    (*rel, SegmentValue::Exact(i + 1)),
                ],
                colour(runtime).filled(),
            );
            bar.set_margin(2, 2, 0, 0);
            Some(bar)
        }))?;
        chart.draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
            let (_, _, rel) = r.as_ref()?;
            Some(Text::new(
                format!("{rel:.2}"),
                (*rel * 1.05, SegmentValue::CenterOf(i)),
                ("sans-serif", 11).into_font(),
            ))
        }))?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| format!("{}: {e}", path.display()))
}
