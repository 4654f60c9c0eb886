//! Python asyncio's programming model in Rust.
//!
//! corio gives every asyncio idea a familiar name (`run`, `create_task`, `Task`,
//! `sleep`, `gather`, `Semaphore`, `Queue`, `async for`) with Rust's guarantees on top: a
//! forgotten `.await` is a compile warning, a cancelled wait never loses an item or a
//! permit, a panicking task never takes the loop down.
//!
//! This crate is the facade: it re-exports corio's crates under asyncio's names. Depend
//! on a single crate (`corio-sync` alone, say) when that is all you need.
//!
//! # Examples
//!
//! ```
//! async fn fetch(i: u32) -> u32 {
//!     corio::yield_now().await; // pretend to wait for the network
//!     i * 2
//! }
//!
//! let results = corio::run(async {
//!     let tasks: Vec<_> = (0..3).map(|i| corio::create_task(fetch(i))).collect();
//!     let mut out = Vec::new();
//!     for t in tasks {
//!         out.push(t.await.unwrap());
//!     }
//!     out
//! });
//! assert_eq!(results, [0, 2, 4]);
//! ```
//!
//! # asyncio to corio
//!
//! | asyncio | corio |
//! |---|---|
//! | `asyncio.run(main())` | [`run`]`(main())`, [`#[corio::main]`](main) |
//! | `asyncio.create_task(c)` | [`spawn`] / [`create_task`] → [`Task`] (dropping it detaches) |
//! | `await task` | `task.await` → `Result<T, JoinError>` |
//! | `task.cancel(msg)` | [`Task::cancel`], [`Task::cancel_with`], [`Task::abort`] |
//! | `task.done()`, `add_done_callback` | [`Task::is_finished`], [`Task::on_done`] |
//! | `asyncio.sleep(0)` | [`yield_now`] |
//! | `current_task()` | [`current_task`] |
//! | `CancelledError` | [`Cancelled`], inside [`JoinError::Cancelled`] |
//! | `TimeoutError` | [`Elapsed`] |
//! | `async for x in agen` | `while let Some(x) = s.next().await` over a [`Stream`] ([`StreamExt`]) |
//! | `async def` with `yield` | [`generate`]`(|co| async move { co.yield_(x).await; .. })` |
//! | `asyncio.gather(*aws)` | [`gather!`](macro@gather) (tuple), [`gather`](fn@gather) (`Vec`, input order) |
//! | `gather(..., return_exceptions=True)` | [`gather_settled`] |
//! | `asyncio.wait(aws, return_when=..)` | [`wait`] with [`ReturnWhen`] → (done, pending) |
//! | `asyncio.wait_for(aw, s)` | [`wait_for`]; [`wait_for_task`] cancels a task on timeout |
//! | `asyncio.as_completed(aws)` | [`as_completed`] (a `Stream`) |
//! | `asyncio.shield(aw)` | [`shield`] |
//! | `asyncio.TaskGroup` | [`task_group`] / [`TaskGroup`]: every failure reported in [`TaskGroupError`] |
//! | `asyncio.sleep(s)`, `timeout(s)` | [`sleep`], [`timeout`] (movable: [`Timeout::reschedule`]) |
//! | `loop.call_later(s, f)` | [`call_later`] → [`CallbackHandle`] |
//! | `open_connection`, `start_server` | [`open_connection`], [`start_server`] |
//! | `aiohttp.ClientSession`, `aiohttp.web` | [`http::Client`], [`http::Server`] |
//! | `Semaphore`, `BoundedSemaphore` | [`Semaphore`], [`BoundedSemaphore`] (`acquire().await` → RAII permit) |
//! | `Lock`, `Event`, `Condition`, `Barrier` | [`Lock`], [`Event`], [`Condition`], [`Barrier`] |
//! | `Queue`, `PriorityQueue`, `LifoQueue` | [`Queue`], [`PriorityQueue`], [`LifoQueue`] |
//! | `Future()` + `set_result` | [`oneshot`] |
//! | `asyncio.to_thread(f)` | [`to_thread`], [`spawn_blocking`] |
//! | Ctrl-C in `asyncio.run` | [`#[corio::main]`](main) cancels main, exit 130; [`Builder::ctrl_c_cancels_main`] |
//! | `loop.add_signal_handler(sig, ..)` | [`signal::ctrl_c`], [`signal::Signals`] (a `Stream`) |
//! | `create_subprocess_exec`, `_shell` | [`process::Command`] → [`process::Child`] (async pipes, `wait`, `kill_on_drop`) |
//! | `to_thread(open(p).read)`, aiofiles | [`fs::read_to_string`], [`fs::File`] (blocking I/O on the pool, batched) |
//! | `for line in sys.stdin` | [`io::stdin`]`().lines()` (a `Stream`), [`io::stdout`] |
//! | `run_coroutine_threadsafe`, `call_soon_threadsafe` | [`Handle::spawn`], [`Handle::call_soon`] |
//! | `contextvars` | [`TaskLocal`], [`task_local!`] |
//!
//! # Where names live
//!
//! One path per item. asyncio's own names, the ones `import asyncio` gives as
//! `asyncio.X`, are at the root: `corio::run`, `corio::Semaphore`, `corio::sleep`,
//! `corio::gather`, `corio::TcpStream`, the error types. Import them from there
//! (`use corio::{Queue, Semaphore};`). Everything else sits in its area's module, which
//! holds only what the root does not: the named futures
//! (`corio::sync::futures::Acquire`), adapters' types (`corio::stream::Map`), sources
//! (`corio::stream::iter`), the task builder (`corio::task::Builder`), the timer driver
//! (`corio::time::TimerDriver`), and the HTTP, file, process and signal APIs (`corio::http`,
//! `corio::fs`, `corio::io`, `corio::process`, `corio::signal`, which are whole crates).
//!
//! ```
//! use corio::{Semaphore, sleep};
//! use corio::sync::futures::Acquire;
//! use std::time::Duration;
//!
//! corio::run(async {
//!     let sem = Semaphore::new(1);
//!     let waiting: Acquire<'_> = sem.acquire(); // a named future, from its module
//!     let _permit = waiting.await.unwrap();
//!     sleep(Duration::from_millis(1)).await;
//! });
//! ```
//!
//! # Crates
//!
//! - [`corio_core`]: the shared traits and errors ([`core`]).
//! - [`corio_executor`]: the event loops, threads, introspection ([`executor`]).
//! - [`corio_sync`]: Semaphore, Lock, Event, Condition, Barrier, queues, channels ([`sync`]).
//! - [`corio_timer`]: the timer wheel, sleep, interval, timeout, virtual time ([`time`]).
//! - [`corio_combinators`]: gather, wait, as_completed, shield, race, TaskGroup
//!   ([`combinators`]).
//! - [`corio_stream`]: async generators and stream adapters ([`stream`]).
//! - [`corio_net`]: the I/O driver, TCP, UDP, Unix sockets, streams, servers ([`net`]).
//! - [`corio_http`]: the HTTP(S) client and server, aiohttp's job ([`http`]).
//! - `corio_signal`: Ctrl-C and signals on the reactor ([`signal`], Unix).
//! - `corio_process`: subprocesses with async pipes, no zombies ([`process`], Unix).
//! - [`corio_fs`]: files, directories and the standard streams, on the blocking pool
//!   ([`fs`], [`io`]).
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/introduction.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).

#![forbid(unsafe_code)]

mod builder;
pub mod debug;

use std::future::Future;

pub use builder::Builder;

#[doc(inline)]
pub use corio_timer::{
    CallbackHandle, Deadline, DeadlineHandle, Interval, MissedTickBehavior, Sleep, Timeout,
    advance, call_at, call_later, clock, interval, interval_at, sleep, sleep_until, timeout,
    timeout_at,
};

#[doc(inline)]
pub use corio_combinators::{
    AsCompleted, Either, Failure, FailureKind, Gather, ReturnWhen, TaskGroup, TaskGroupError,
    TaskWaitFor, Wait, WaitResult, as_completed, as_completed_timeout, gather, gather_settled,
    race, select, shield, task_group, try_gather, try_shield, wait, wait_for, wait_for_task,
    wait_timeout,
};

#[doc(inline)]
pub use corio_stream::StreamExt;

// asyncio's async generator (`async def` with `yield`): `generate` runs the body on the
// consumer's thread, ten times faster per item than `generate_send`, the `Send` form for
// streams that cross threads. Same names, same meanings as in corio-stream.
#[doc(inline)]
pub use corio_stream::{generate, generate_send, try_generate, try_generate_send};

#[doc(inline)]
pub use corio_net::{
    Server, StreamReader, StreamWriter, TcpListener, TcpStream, UdpSocket, open_connection,
    start_server,
};

/// asyncio.run: runs `future` on a single-thread loop on this thread, with the timer
/// wheel and the I/O reactor installed, then cancels and drains the tasks still alive
/// and returns the output. A loop is reused across calls on the same thread.
///
/// # Panics
///
/// When called from inside a running corio loop: loops do not nest (`.await` the future
/// instead). A panic of `future` propagates after the loop's tasks have been cancelled.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let v = corio::run(async {
///     corio::sleep(Duration::from_millis(1)).await;
///     "slept"
/// });
/// assert_eq!(v, "slept");
/// ```
#[track_caller]
pub fn run<F: Future>(future: F) -> F::Output {
    thread_local! {
        // The loops `run` builds (timers and I/O): kept between runs, so a short `run`
        // does not create an epoll instance and an eventfd each time.
        static LOOPS: corio_executor::LoopCache = const { corio_executor::LoopCache::new() };
    }
    let mut future = Some(future);
    let cached = LOOPS.try_with(|c| c.run(builder::default_loop, future.take().expect("once")));
    match cached {
        Ok(out) => out,
        // Without the thread's locals (a destructor at thread exit): a fresh loop.
        Err(_) => builder::default_loop().run(future.take().expect("the future was not used")),
    }
}

#[doc(inline)]
pub use corio_executor::{
    AbortHandle, BlockingPool, Cancel, CancelFlag, CancelOnDrop, CurrentTask, Executor, Handle,
    LocalExecutor, Metrics, ShutdownReport, Task, TaskId, TaskLocal, TaskSnapshot, TaskState,
    TaskStatus, UnobservedFailure, YieldNow, all_tasks, create_task, current_task, dump, in_loop,
    spawn, spawn_blocking, spawn_blocking_with, spawn_send, task_local, to_thread, try_spawn,
    try_spawn_send, yield_now,
};

#[doc(inline)]
pub use corio_core::{Cancelled, Elapsed, JoinError, SpawnError};

#[doc(inline)]
pub use corio_sync::{
    AcquireError, Barrier, BarrierWaitResult, BoundedReleaseError, BoundedSemaphore, BrokenBarrier,
    CancelToken, Condition, Event, LifoQueue, Lock, LockGuard, OwnedLockGuard,
    OwnedSemaphorePermit, PriorityQueue, Queue, QueueShutDown, RwLock, Semaphore, SemaphorePermit,
    TaskDoneError, TryAcquireError, TryGetError, TryLockError, TryPutError, broadcast, oneshot,
    watch,
};

#[doc(no_inline)]
pub use corio_core::{AsyncBufRead, AsyncRead, AsyncWrite, Stream};

pub use corio_macros::{main, test};

// The shape (see "Where names live" in the crate docs): asyncio's own names sit at the
// root; each module below holds the rest of its crate, and nothing the root holds, so
// every item has exactly one path in corio. A module lists its names one by one for that
// reason: a glob would bring the root's names in a second time.

/// Tasks, beyond the root's [`Task`], [`Cancel`] and [`CancelOnDrop`]: the task
/// [`Builder`](task::Builder) (names) and [`Status`](task::Status).
pub mod task {
    #[doc(inline)]
    pub use corio_executor::task::{Builder, Status};
}

/// The event loop's lower-level API, beyond the root's loop, task and thread functions:
/// the executor's own [`Builder`](executor::Builder) and [`run`](executor::run) (a loop
/// without corio's default timer and I/O drivers), task-local scopes, the loop cache,
/// pool statistics, debug-mode counters.
pub mod executor {
    #[doc(inline)]
    pub use corio_executor::{
        Builder, Inherit, LoopCache, PoolStats, Scope, TaskView, run, slow_polls_reported,
    };
}

/// The synchronisation primitives' remaining names: the read and write guards of
/// [`RwLock`], [`CancelDropGuard`](sync::CancelDropGuard), and the primitives' named
/// futures ([`futures`](sync::futures)). The primitives themselves are at the root.
pub mod sync {
    #[doc(inline)]
    pub use corio_sync::{CancelDropGuard, RwLockReadGuard, RwLockWriteGuard, futures};
}

/// The combinators' remaining names: their named futures and helper types, and
/// [`abort_on_drop`](combinators::abort_on_drop) / [`wait_first_err`](combinators::wait_first_err).
/// gather, wait, as_completed, shield, race and TaskGroup are at the root.
pub mod combinators {
    #[doc(inline)]
    pub use corio_combinators::{
        AbortOnDrop, AsCompletedTimeout, FailureSource, GatherSettled, GroupSpawnError, GroupTask,
        GroupTaskError, Outcome, Race, Select, Shield, TaskGroupFuture, TryGather, WaitFor,
        WaitForTask, abort_on_drop, wait_first_err,
    };
}

/// Async iterators: sources ([`iter`](stream::iter), [`unfold`](stream::unfold),
/// [`interval_stream`](stream::interval_stream), ...), the generators' types and the
/// [`StreamExt`] adapters' types. `generate` and [`StreamExt`] are at the root.
pub mod stream {
    #[doc(inline)]
    pub use corio_stream::{
        BufferUnordered, Buffered, Chunks, ChunksTimeout, Co, Collect, Enumerate, Filter, Flatten,
        Fold, ForEachConcurrent, FromQueue, FusedStream, Generator, IntervalStream, Iter,
        LocalSlot, Map, Merge, Next, RepeatWith, Skip, SyncSlot, Take, TakeWhile, Then, Throttle,
        TimeoutStream, TryGenerator, Unfold, Yield, Zip, from_queue, interval_stream, iter,
        repeat_with, unfold,
    };
}

/// Timers' remaining names: the timer wheel driver and its handle, [`Advance`](time::Advance),
/// [`Tick`](time::Tick), [`WithDeadline`](time::WithDeadline) and
/// [`RescheduleError`](time::RescheduleError). sleep, timeout, interval and the clock are at
/// the root.
pub mod time {
    #[doc(inline)]
    pub use corio_timer::{Advance, RescheduleError, Tick, TimerDriver, TimerHandle, WithDeadline};
}

/// Sockets' remaining names: split halves, the listener's [`Incoming`](net::Incoming)
/// stream, server options, Unix sockets, [`AsyncFd`](net::AsyncFd) and the I/O driver.
/// `TcpStream`, `TcpListener`, `UdpSocket`, `open_connection` and `start_server` are at the
/// root.
pub mod net {
    #[doc(inline)]
    pub use corio_net::{
        AsyncFd, Incoming, Interest, IoDriver, Ready, ServerOptions, TcpReadHalf, TcpWriteHalf,
        start_server_with,
    };
    #[cfg(unix)]
    #[doc(inline)]
    pub use corio_net::{UnixListener, UnixReadHalf, UnixStream, UnixWriteHalf};
}

/// HTTP: what replaces aiohttp. The [`Client`](http::Client) (`ClientSession`) with its
/// pool, limits, timeouts and redirects, and the [`Server`](http::Server) with graceful
/// shutdown: corio-http, whole.
pub mod http {
    #[doc(inline)]
    pub use corio_http::*;
}

/// Signals and Ctrl-C (asyncio's `loop.add_signal_handler` and `KeyboardInterrupt`):
/// [`ctrl_c`](signal::ctrl_c), the [`Signals`](signal::Signals) stream; Unix only.
#[cfg(unix)]
pub mod signal {
    #[doc(inline)]
    pub use corio_signal::*;
}

/// Subprocesses (asyncio's `create_subprocess_exec` / `_shell`): [`Command`](process::Command)
/// spawns a [`Child`](process::Child) with async pipes, `wait`, `kill_on_drop`, and no
/// zombies; Unix only.
#[cfg(unix)]
pub mod process {
    #[doc(inline)]
    pub use corio_process::*;
}

/// Files and directories (asyncio's `to_thread(open(p).read)`, aiofiles): corio-fs, whole.
/// Blocking I/O on the bounded pool, batched: a [`File`](fs::File) reads ahead and writes
/// behind through one buffer; [`read_dir`](fs::read_dir) is a `Stream`; errors name the path.
pub mod fs {
    #[doc(inline)]
    pub use corio_fs::*;
}

/// The standard streams: [`stdin`](io::stdin) (with `.lines()`, a `Stream` of lines),
/// [`stdout`](io::stdout), [`stderr`](io::stderr), on the blocking pool (corio-fs's `io`).
pub mod io {
    #[doc(inline)]
    pub use corio_fs::io::*;
}

/// The shared traits and hooks behind the crates, beyond the root's errors and
/// re-exported traits: the [`Driver`](core::Driver) and [`Spawn`](core::Spawn) hooks, the
/// cooperative budget, the thread-local context, the clock trait.
pub mod core {
    #[doc(inline)]
    pub use corio_core::{
        Abort, BoxFuture, Driver, Entry, LocalBoxFuture, LocalTask, PanicPayload, SharedTask,
        Spawn, SpawnedTask, TaskControl, ThreadParker, Unpark, Unparker, callgraph, context, coop,
        panic_message, time,
    };
}
