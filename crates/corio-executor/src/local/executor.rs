//! `LocalExecutor`: the single-thread loop's public face.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;

use corio_core::{SpawnError, Unparker};

use super::event_loop::Local;
use crate::snapshot::{Metrics, TaskSnapshot};
use crate::task_handle::Task;

/// A single-threaded event loop: asyncio's model, and corio's fastest path.
///
/// Tasks run one at a time on the thread that drives the loop, in FIFO order of their
/// wake-ups, so `!Send` futures (holding `Rc`, `RefCell`, ...) are welcome. Wake-ups from
/// other threads are accepted and take their turn.
///
/// - [`block_on`](Self::block_on) runs a future to completion, running the loop's tasks
///   meanwhile; tasks still alive afterwards stay alive for the next call.
/// - [`run`](Self::run) is `block_on` followed by [`shutdown`](Self::shutdown): what
///   [`corio_executor::run`](crate::run) does.
/// - [`run_until_stalled`](Self::run_until_stalled) runs until no task is ready, for tests.
///
/// Dropping a `LocalExecutor` shuts it down: every live task is cancelled and its future
/// dropped, on this thread.
///
/// # Examples
///
/// ```
/// use corio_executor::LocalExecutor;
/// use std::rc::Rc;
/// use std::cell::Cell;
///
/// let ex = LocalExecutor::new();
/// let hits = Rc::new(Cell::new(0)); // !Send state is fine here
/// let h = hits.clone();
/// let task = ex.spawn(async move { h.set(h.get() + 1); 42 });
/// assert_eq!(ex.block_on(task).unwrap(), 42);
/// assert_eq!(hits.get(), 1);
/// ```
pub struct LocalExecutor {
    local: Rc<Local>,
}

impl LocalExecutor {
    pub(crate) fn from_local(local: Rc<Local>) -> Self {
        LocalExecutor { local }
    }

    /// Spawns a task on this loop; it starts at the loop's next turn.
    ///
    /// May be called from outside the loop (the task runs once the loop is driven) or
    /// from inside one of its tasks.
    ///
    /// # Panics
    ///
    /// When the executor has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let t = ex.spawn(async { "done" });
    /// assert_eq!(ex.block_on(t).unwrap(), "done");
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        match self.local.spawn(future, None, Location::caller()) {
            Ok(t) => t,
            Err(e) => panic!("LocalExecutor::spawn failed: {e}"),
        }
    }

    /// Like [`spawn`](Self::spawn), but gives an error instead of panicking.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when the executor has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// ex.shutdown();
    /// assert!(ex.try_spawn(async {}).unwrap_err().is_shutdown());
    /// ```
    #[track_caller]
    pub fn try_spawn<F>(&self, future: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.local.spawn(future, None, Location::caller())
    }

    pub(crate) fn local(&self) -> &Rc<Local> {
        &self.local
    }

    /// Runs `future` to completion on this thread, running the loop's tasks meanwhile.
    /// Tasks still alive when it returns stay alive for the next call.
    ///
    /// # Panics
    ///
    /// When called from inside a running corio loop (loops do not nest: await the future
    /// instead), or after [`shutdown`](Self::shutdown). A panic of `future` itself
    /// propagates to the caller.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// assert_eq!(ex.block_on(async { 1 + 1 }), 2);
    /// assert_eq!(ex.block_on(async { 2 + 2 }), 4); // the same loop, run again
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.local.block_on(future)
    }

    /// asyncio.run on this loop: [`block_on`](Self::block_on), then
    /// [`shutdown`](Self::shutdown) (cancel and drain every task still alive).
    ///
    /// # Panics
    ///
    /// As [`block_on`](Self::block_on).
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let out = ex.run(async {
    ///     corio_executor::spawn(std::future::pending::<()>()).detach(); // never finishes
    ///     "main's value"
    /// });
    /// assert_eq!(out, "main's value"); // the pending task was cancelled and dropped
    /// assert_eq!(ex.live_tasks(), 0);
    /// ```
    #[track_caller]
    pub fn run<F: Future>(&self, future: F) -> F::Output {
        let out = self.block_on(future);
        self.shutdown();
        out
    }

    /// Runs ready tasks until none is ready, without sleeping; returns how many task polls
    /// ran. Due timers and ready I/O are processed before it declares a stall. For tests.
    ///
    /// # Panics
    ///
    /// When called from inside a running corio loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// let ex = corio_executor::LocalExecutor::new();
    /// let step = Rc::new(Cell::new(0));
    /// let s = step.clone();
    /// let _t = ex.spawn(async move {
    ///     s.set(1);
    ///     corio_executor::yield_now().await;
    ///     s.set(2);
    ///     std::future::pending::<()>().await;
    /// });
    /// ex.run_until_stalled();
    /// assert_eq!(step.get(), 2); // ran through the yield, now waits forever
    /// ```
    #[track_caller]
    pub fn run_until_stalled(&self) -> usize {
        self.local.run_until_stalled()
    }

    /// The deterministic test executor's name for [`run_until_stalled`](Self::run_until_stalled):
    /// runs until every task waits on something outside the loop.
    ///
    /// # Panics
    ///
    /// When called from inside a running corio loop.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::new().seed(42).build_local();
    /// let t = ex.spawn(async { 1 });
    /// ex.run_until_idle();
    /// assert!(t.is_finished());
    /// ```
    #[track_caller]
    pub fn run_until_idle(&self) -> usize {
        self.local.run_until_stalled()
    }

    /// Cancels every live task, runs each until its future is dropped (destructors run
    /// on this thread), and closes the loop: later spawns fail and `block_on` panics.
    /// Idempotent; dropping the executor does the same.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let t = ex.spawn(std::future::pending::<()>());
    /// ex.shutdown();
    /// ex.shutdown(); // twice is fine
    /// assert!(t.is_finished());
    /// ```
    pub fn shutdown(&self) {
        self.local.shutdown()
    }

    /// Makes a loop that was [shut down](Self::shutdown) usable again, if it was fully
    /// drained and nothing from its earlier life refers to it any more (no `Task` handle,
    /// waker or [`Unparker`] of it alive). Returns whether it did; when it did not, the
    /// loop stays shut down.
    ///
    /// This is how [`run`](crate::run) reuses one loop per thread instead of building a
    /// new one each call.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// assert_eq!(ex.run(async { 1 }), 1);
    /// assert!(ex.is_shut_down());
    /// assert!(ex.reopen());
    /// assert_eq!(ex.run(async { 2 }), 2);
    ///
    /// assert!(ex.reopen());
    /// let t = ex.spawn(async {});
    /// ex.shutdown();
    /// assert!(!ex.reopen()); // the handle `t` still refers to the old loop
    /// # drop(t);
    /// ```
    pub fn reopen(&self) -> bool {
        self.local.reopen()
    }

    pub(crate) fn is_clean(&self) -> bool {
        self.local.is_clean()
    }

    /// The live tasks of this loop (from their first poll until they end).
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let _t = ex.spawn(std::future::pending::<()>());
    /// ex.run_until_stalled();
    /// assert_eq!(ex.all_tasks().len(), 1);
    /// ```
    pub fn all_tasks(&self) -> Vec<TaskSnapshot> {
        self.local.snapshot()
    }

    /// Counters: tasks alive and spawned, polls.
    pub fn metrics(&self) -> Metrics {
        self.local.metrics()
    }

    /// Whether [`shutdown`](Self::shutdown) has run.
    pub fn is_shut_down(&self) -> bool {
        self.local.is_closed()
    }

    /// How many tasks are alive (spawned and not yet finished).
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let t = ex.spawn(async {});
    /// assert_eq!(ex.live_tasks(), 1);
    /// ex.block_on(t).unwrap();
    /// assert_eq!(ex.live_tasks(), 0);
    /// ```
    pub fn live_tasks(&self) -> usize {
        self.local.live_tasks()
    }

    /// How many task failures nobody observed have been reported (see
    /// [`UnobservedFailure`](crate::UnobservedFailure)).
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::new().on_unobserved_failure(|_| {}).build_local();
    /// ex.run(async { corio_executor::spawn(async { panic!("lost") }).detach(); corio_executor::yield_now().await });
    /// assert_eq!(ex.unobserved_failures(), 1);
    /// ```
    pub fn unobserved_failures(&self) -> usize {
        self.local.unobserved_failures()
    }

    /// A thread-safe handle that wakes this loop if it is parked.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// ex.unparker().unpark(); // harmless when the loop is not parked
    /// ```
    pub fn unparker(&self) -> Unparker {
        self.local.unparker()
    }
}

impl Drop for LocalExecutor {
    fn drop(&mut self) {
        self.local.shutdown();
        // Tasks that outlive the loop (kept alive by a handle or a waker) keep an
        // `Arc<Shared>`: break the reference from the shared part to the driver stack's
        // unparker only; nothing else refers back to the loop.
    }
}

impl fmt::Debug for LocalExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalExecutor")
            .field("live_tasks", &self.local.live_tasks())
            .field("ready", &self.local.ready.borrow().len())
            .field("shut_down", &self.local.is_closed())
            .finish()
    }
}
