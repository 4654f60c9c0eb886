//! `wait_for_task` and its future, `WaitForTask`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use corio_core::{Abort, Elapsed, JoinError};
use corio_timer::Sleep;

/// asyncio.wait_for on a task: waits for a spawned task with a time limit, and on expiry
/// **cancels the task and waits until it has unwound** before returning `Err(Elapsed)`.
///
/// `task` is any task handle whose output is `Result<T, JoinError>` and that can be
/// aborted (corio-core's [`Abort`]): a corio `Task<T>`, a
/// [`SpawnedTask`](corio_core::SpawnedTask), ... `timeout` is a [`Duration`], or `None`
/// for no limit.
///
/// Resolves to:
/// - `Ok(result)` with the task's own result if it finishes in time, **or if it finishes
///   anyway while being cancelled** (it completed at the instant of the deadline, or ran
///   to completion before the executor processed the abort: completion wins, design
///   decision 1). A task that panics while unwinding gives `Ok(Err(JoinError::Panicked))`:
///   that error propagates instead of the timeout;
/// - `Err(Elapsed)` once the task has ended cancelled.
///
/// A zero timeout still polls the handle once first (decision 5).
///
/// # Cancel safety
///
/// Dropping the `WaitForTask` before it resolves aborts the task (no orphan is left behind,
/// asyncio's bpo-23219), without waiting for it to unwind.
///
/// # Examples
///
/// ```
/// use corio_combinators::wait_for_task;
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(corio_timer::TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let slow = corio_executor::spawn(async {
///         corio_timer::sleep(Duration::from_secs(60)).await;
///         1
///     });
///     assert!(wait_for_task(slow, Duration::from_secs(1)).await.is_err());
///
///     let fast = corio_executor::spawn(async { 2 });
///     let got = wait_for_task(fast, Duration::from_secs(1)).await;
///     assert_eq!(got.unwrap().unwrap(), 2);
/// });
/// ```
pub fn wait_for_task<F, T>(task: F, timeout: impl Into<Option<Duration>>) -> WaitForTask<F>
where
    F: Future<Output = Result<T, JoinError>> + Abort + Unpin,
{
    WaitForTask {
        task: Some(task),
        sleep: timeout.into().map(corio_timer::sleep),
        aborted: false,
    }
}

/// The future of [`wait_for_task`].
///
/// # Examples
///
/// See [`wait_for_task`].
#[must_use = "futures do nothing unless awaited; dropping this aborts the task"]
pub struct WaitForTask<F: Abort> {
    task: Option<F>,
    sleep: Option<Sleep>,
    aborted: bool,
}

impl<F: Abort> WaitForTask<F> {
    /// Whether the time limit passed and the task was asked to cancel.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::wait_for_task;
    /// corio_executor::run(async {
    ///     let w = wait_for_task(corio_executor::spawn(async {}), None);
    ///     assert!(!w.is_cancelling());
    ///     assert!(w.await.unwrap().is_ok());
    /// });
    /// ```
    pub fn is_cancelling(&self) -> bool {
        self.aborted
    }
}

impl<F, T> Future for WaitForTask<F>
where
    F: Future<Output = Result<T, JoinError>> + Abort + Unpin,
{
    type Output = Result<Result<T, JoinError>, Elapsed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let task = this
            .task
            .as_mut()
            .expect("WaitForTask polled after completion");
        if let Poll::Ready(r) = Pin::new(&mut *task).poll(cx) {
            this.task = None;
            return Poll::Ready(match r {
                Err(e) if this.aborted && e.is_cancelled() => Err(Elapsed::new()),
                other => Ok(other),
            });
        }
        if !this.aborted {
            if let Some(sleep) = this.sleep.as_mut() {
                if Pin::new(sleep).poll(cx).is_ready() {
                    this.aborted = true;
                    this.sleep = None;
                    task.abort();
                }
            }
        }
        Poll::Pending
    }
}

impl<F: Abort> Drop for WaitForTask<F> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl<F: Abort> fmt::Debug for WaitForTask<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForTask")
            .field("deadline", &self.sleep.as_ref().map(|s| s.deadline()))
            .field("cancelling", &self.aborted)
            .field("finished", &self.task.is_none())
            .finish()
    }
}

/// `task.wait_for(timeout)`: [`wait_for_task`] as a method of any task handle that can be
/// aborted ([`Abort`]: corio's `Task<T>` and `CancelOnDrop<T>`, [`AbortOnDrop`](crate::AbortOnDrop), a [`SpawnedTask`](corio_core::SpawnedTask)).
/// This is decision D2's `Task::wait_for(dur)`: on expiry the task is **cancelled and
/// awaited until it has unwound**, then `Err(Elapsed)` is returned, as asyncio's
/// `wait_for` does to a task. (The plain [`wait_for`](crate::wait_for) around a `Task`
/// handle would only detach the task.)
///
/// Bring it into scope with `use corio::TaskWaitFor;` (or this crate's path).
///
/// # Cancel safety
///
/// Dropping the returned future aborts the task (without waiting for it to unwind).
///
/// # Examples
///
/// ```
/// use corio_combinators::TaskWaitFor;
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let slow = corio_executor::spawn(std::future::pending::<u32>());
///     let id = slow.id();
///     let r = slow.wait_for(Duration::from_millis(10)).await;
///     assert!(r.is_err()); // Elapsed: the task was cancelled and has unwound
///     assert!(corio_executor::all_tasks().iter().all(|t| t.id() != id));
///
///     let quick = corio_executor::spawn(async { 7 });
///     assert_eq!(quick.wait_for(Duration::from_secs(1)).await.unwrap().unwrap(), 7);
/// });
/// ```
pub trait TaskWaitFor<T>: Future<Output = Result<T, JoinError>> + Abort + Unpin + Sized {
    /// See the [trait](TaskWaitFor).
    fn wait_for(self, timeout: Duration) -> WaitForTask<Self> {
        wait_for_task(self, timeout)
    }
}

impl<F, T> TaskWaitFor<T> for F where F: Future<Output = Result<T, JoinError>> + Abort + Unpin {}
