//! The free functions a program starts from: asyncio's `run` and `create_task`, and their
//! `Send` and fallible forms. Each finds the executor running on this thread and spawns
//! there.

use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use corio_core::SpawnError;

use crate::local::{self, LocalExecutor};
use crate::loop_cache::LoopCache;
use crate::multi;
use crate::task_handle::Task;

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
/// [`Builder::eager_start`](crate::Builder::eager_start)).
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
    let multi = multi::with_multi(|m| {
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
    let local = local::with_loop(|l| {
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
    multi::with_worker(|w| match w {
        Some(w) => w.shared_arc().spawn_pinned(
            future.take().expect("once"),
            name.take().expect("once"),
            location,
        ),
        None => Err(SpawnError::no_executor()),
    })
}
