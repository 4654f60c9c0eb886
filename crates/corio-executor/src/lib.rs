//! corio's event loop: asyncio's `run`, `create_task` and `Task`, in Rust.
//!
//! - [`run`]: asyncio.run. Builds a loop on this thread, runs the future to completion,
//!   then cancels and drains every task still alive, and returns the future's output.
//! - [`spawn`] (alias [`create_task`]): starts a task on the running loop and returns its
//!   [`Task`] handle. `task.await` gives `Result<T, JoinError>`; a panic in a task becomes
//!   [`JoinError::Panicked`] and the loop goes on. **A dropped handle detaches the task.**
//! - [`Task::cancel`] / [`Task::cancel_with`] (wait until unwound), [`Task::abort`] (don't),
//!   [`Task::on_done`], [`Task::is_finished`], ids, names and spawn locations.
//! - [`yield_now`]: exactly one turn of the loop. The ready queue is FIFO, so the order in
//!   which tasks run is the order in which they were woken, as in asyncio.
//! - [`LocalExecutor`]: the single-thread loop itself, for `!Send` futures and for tests
//!   ([`LocalExecutor::run_until_stalled`]). [`Builder`] configures it.
//! - [`Executor`]: the multi-thread work-stealing executor ([`Builder::multi_thread`]),
//!   with [`spawn_send`] for tasks that may run on any worker.
//! - [`to_thread`] / [`spawn_blocking`]: blocking code on a bounded [`BlockingPool`].
//! - [`Handle`]: spawn onto a loop from any thread ([`Handle::spawn`],
//!   [`Handle::call_soon`]); [`Task::join_blocking`] waits on a plain thread.
//! - Debug mode, [`current_task`], [`all_tasks`], [`dump`], [`Metrics`], hooks, and
//!   [`TaskLocal`] values (asyncio's contextvars).
//!
//! # Examples
//!
//! ```
//! use corio_executor::{run, spawn, yield_now};
//!
//! let total = run(async {
//!     let tasks: Vec<_> = (1..=3)
//!         .map(|i| spawn(async move {
//!             yield_now().await;
//!             i * 10
//!         }))
//!         .collect();
//!     let mut sum = 0;
//!     for t in tasks {
//!         sum += t.await.unwrap();
//!     }
//!     sum
//! });
//! assert_eq!(total, 60);
//! ```
//!
//! # `spawn` and `spawn_send`
//!
//! [`spawn`] never moves a future to another thread, so it accepts `!Send` futures: on the
//! single-thread loop (and in [`Executor::block_on`]) the task runs on the loop's thread;
//! **on a worker of the multi-thread executor it stays on that worker** and is never
//! stolen. [`spawn_send`] takes `Send` futures and, on the multi-thread executor, lets any
//! worker run them: use it there for work that should spread across cores. On the
//! single-thread loop the two are the same.
//!
//! # Features
//!
//! - `tracing`: every task poll runs inside a `corio.task` span carrying the task's id,
//!   name and spawn site.
//!
//! # Fairness and the cooperative budget
//!
//! Each task poll gets a budget of [`corio_core::coop::DEFAULT_BUDGET`] operations on
//! corio's primitives; a task that spends it is sent to the back of the queue. Every 61
//! polls the loop also looks at its driver (timers, I/O) and at wake-ups from other threads.
//!
//! # When not to use this crate
//!
//! Use the `corio` facade unless you need the loop without timers, sockets or the rest.
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/tasks.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).

mod abort_handle;
mod block;
mod blocking;
mod builder;
mod builder_task;
mod chaos;
mod config;
mod context;
mod debug;
mod eager;
mod gate;
mod handle;
mod introspect;
mod local;
mod loop_cache;
mod meta;
mod multi;
#[cfg(corio_loom)]
mod mutation;
mod owner;
mod queues;
mod raw;
mod registry;
mod report;
mod sleepers;
pub mod task;
mod task_local;
mod yield_now;

use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use async_task::Runnable;

pub use abort_handle::AbortHandle;
pub use blocking::{
    BlockingPool, CancelFlag, PoolStats, spawn_blocking, spawn_blocking_with, to_thread,
};
pub use builder::Builder;
pub use config::TaskView;
pub use corio_core::{Cancelled, JoinError, SpawnError};
pub use handle::Handle;
pub use introspect::{Metrics, TaskSnapshot, all_tasks, dump};
pub use local::LocalExecutor;
pub use loop_cache::LoopCache;
pub use meta::{TaskId, TaskState, TaskStatus};
pub use multi::{Executor, ShutdownReport};
pub use report::UnobservedFailure;
pub use task::{Cancel, CancelOnDrop, Task};
pub use task_local::{Inherit, Scope, TaskLocal};
pub use yield_now::{YieldNow, yield_now};

use meta::TaskMeta;

/// asyncio.run: runs `future` on a single-thread loop on this thread, then cancels and
/// drains the tasks still alive (their destructors run) and returns the output.
///
/// # Panics
///
/// When called from inside a running corio loop: loops do not nest (`.await` the future,
/// or spawn it, instead). A panic of `future` itself propagates, after the loop's tasks
/// have been cancelled.
///
/// # Examples
///
/// ```
/// let answer = corio_executor::run(async { 42 });
/// assert_eq!(answer, 42);
/// ```
#[track_caller]
pub fn run<F: Future>(future: F) -> F::Output {
    thread_local! {
        static LOOPS: LoopCache = const { LoopCache::new() };
    }
    // Without the thread's locals (a destructor at thread exit), a fresh loop.
    let mut future = Some(future);
    let cached = LOOPS.try_with(|c| c.run(LocalExecutor::new, future.take().expect("once")));
    match cached {
        Ok(out) => out,
        Err(_) => LocalExecutor::new().run(future.take().expect("the future was not used")),
    }
}

/// Starts `future` as a task on this thread's loop (asyncio's `create_task`). It starts
/// at the loop's next turn, not inline (unless the loop was built with
/// [`Builder::eager_start`]).
///
/// The future need not be `Send`: it never leaves this thread. On a worker of the
/// multi-thread executor the task stays on that worker; use [`spawn_send`] there for work
/// that any worker may run.
///
/// **Dropping the returned [`Task`] detaches it; it keeps running.**
///
/// # Panics
///
/// When no corio loop runs on this thread, or it has been shut down. Use [`try_spawn`]
/// for an error instead.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let t = corio_executor::spawn(async { "hello" });
///     assert_eq!(t.await.unwrap(), "hello");
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match spawn_at(future, None, Location::caller()) {
        Ok(t) => t,
        Err(e) => panic!("corio::spawn: {e} (spawn from inside corio::run, or use try_spawn)"),
    }
}

/// The same as [`spawn`], under asyncio's name.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let t = corio_executor::create_task(async { 1 });
///     assert_eq!(t.await.unwrap(), 1);
/// });
/// ```
#[track_caller]
pub fn create_task<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match spawn_at(future, None, Location::caller()) {
        Ok(t) => t,
        Err(e) => panic!("corio::create_task: {e} (call it from inside corio::run)"),
    }
}

/// Like [`spawn`], with an error instead of a panic.
///
/// # Errors
///
/// [`SpawnError`] when no loop runs on this thread or it has been shut down.
///
/// # Examples
///
/// ```
/// // Outside any loop:
/// assert!(corio_executor::try_spawn(async {}).is_err());
/// ```
#[track_caller]
pub fn try_spawn<F>(future: F) -> Result<Task<F::Output>, SpawnError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_at(future, None, Location::caller())
}

/// Starts a `Send` task that, on the multi-thread executor, any worker may run (it is
/// load-balanced by work stealing). Elsewhere it is the same as [`spawn`].
///
/// # Panics
///
/// When no corio loop or executor is reachable from this thread, or it has been shut
/// down.
///
/// # Examples
///
/// ```
/// let ex = corio_executor::Builder::multi_thread().workers(2).build();
/// let n = ex.block_on(async { corio_executor::spawn_send(async { 2 + 2 }).await.unwrap() });
/// assert_eq!(n, 4);
/// ```
#[track_caller]
pub fn spawn_send<F>(future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match spawn_send_at(future, None, Location::caller()) {
        Ok(t) => t,
        Err(e) => panic!("corio::spawn_send: {e}"),
    }
}

/// Like [`spawn_send`], with an error instead of a panic.
///
/// # Errors
///
/// [`SpawnError`] when no loop or executor is reachable from this thread, or it is
/// shutting down (a destructor that spawns while its task is being cancelled at shutdown
/// gets `SpawnError::is_shutdown`).
///
/// # Examples
///
/// ```
/// // Outside any loop:
/// assert!(corio_executor::try_spawn_send(async {}).is_err());
/// let ex = corio_executor::Builder::multi_thread().workers(1).build();
/// let n = ex.block_on(async { corio_executor::try_spawn_send(async { 5 }).unwrap().await });
/// assert_eq!(n.unwrap(), 5);
/// ```
#[track_caller]
pub fn try_spawn_send<F>(future: F) -> Result<Task<F::Output>, SpawnError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    spawn_send_at(future, None, Location::caller())
}

pub(crate) fn spawn_send_at<F>(
    future: F,
    name: Option<Arc<str>>,
    location: &'static Location<'static>,
) -> Result<Task<F::Output>, SpawnError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut future = Some(future);
    let mut name = Some(name);
    let multi = context::with_multi(|m| {
        m.map(|m| {
            m.spawn_send(
                future.take().expect("once"),
                name.take().expect("once"),
                location,
            )
        })
    });
    match multi {
        Some(r) => r,
        None => spawn_at(
            future.take().expect("once"),
            name.take().expect("once"),
            location,
        ),
    }
}

pub(crate) fn spawn_at<F>(
    future: F,
    name: Option<Arc<str>>,
    location: &'static Location<'static>,
) -> Result<Task<F::Output>, SpawnError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let mut future = Some(future);
    let mut name = Some(name);
    let local = context::with_loop(|l| {
        l.map(|l| {
            l.spawn(
                future.take().expect("once"),
                name.take().expect("once"),
                location,
            )
        })
    });
    if let Some(r) = local {
        return r;
    }
    context::with_worker(|w| match w {
        Some(w) => w.shared_arc().spawn_pinned(
            future.take().expect("once"),
            name.take().expect("once"),
            location,
        ),
        None => Err(SpawnError::no_executor()),
    })
}

/// What [`current_task`] tells about the running task.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let t = corio_executor::task::Builder::new().name("worker").spawn(async {
///         let me = corio_executor::current_task().unwrap();
///         (me.id(), me.name().map(str::to_owned))
///     });
///     let id = t.id();
///     assert_eq!(t.await.unwrap(), (id, Some("worker".to_owned())));
/// });
/// ```
#[derive(Clone, Debug)]
pub struct CurrentTask {
    id: TaskId,
    name: Option<Arc<str>>,
    location: &'static Location<'static>,
}

impl CurrentTask {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was spawned.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }
}

/// The task being polled on this thread (asyncio's `current_task()`), or `None` outside
/// any task: in the future given to [`run`] itself, or outside any loop.
///
/// # Examples
///
/// ```
/// assert!(corio_executor::current_task().is_none());
/// corio_executor::run(async {
///     assert!(corio_executor::current_task().is_none()); // main is not a task
///     let t = corio_executor::spawn(async { corio_executor::current_task().is_some() });
///     assert!(t.await.unwrap());
/// });
/// ```
pub fn current_task() -> Option<CurrentTask> {
    context::with_current_task(|m| {
        m.map(|m| CurrentTask {
            id: m.id,
            name: m.name_shared(),
            location: m.location,
        })
    })
}

/// Whether a corio loop is running on this thread.
///
/// # Examples
///
/// ```
/// assert!(!corio_executor::in_loop());
/// corio_executor::run(async { assert!(corio_executor::in_loop()) });
/// ```
pub fn in_loop() -> bool {
    context::loop_is_running()
}

/// How many slow polls debug mode has reported in this process.
///
/// # Examples
///
/// ```
/// let before = corio_executor::slow_polls_reported();
/// corio_executor::Builder::new()
///     .debug(true)
///     .slow_poll_threshold(std::time::Duration::from_millis(1))
///     .run(async {
///         corio_executor::spawn(async {
///             std::thread::sleep(std::time::Duration::from_millis(5)); // blocks the loop
///         })
///         .await
///         .unwrap();
///     });
/// assert!(corio_executor::slow_polls_reported() > before);
/// ```
pub fn slow_polls_reported() -> usize {
    debug::SLOW_POLLS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Cancels a queued task and runs it on this thread (its owner's), so its future is
/// dropped and its handle reports `Cancelled`.
pub(crate) fn cancel_and_run(runnable: Runnable<TaskMeta>, why: &'static str) {
    runnable
        .metadata()
        .request_cancel(Cancelled::with_reason(why));
    runnable.run();
}

/// A runnable whose loop is gone. A `Send` task is cancelled and run here, so its handle
/// reports `Cancelled` instead of waiting forever; a `!Send` one must not be run or
/// dropped on this thread, so it is leaked.
pub(crate) fn orphan(runnable: Runnable<TaskMeta>, why: &'static str) {
    if runnable.metadata().is_send() {
        runnable
            .metadata()
            .request_cancel(Cancelled::with_reason(why));
        let _aside = context::set_aside_loop();
        runnable.run();
    } else {
        std::mem::forget(runnable);
    }
}
