//! `cancel_on_drop` and its future, `CancelOnDrop`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Wraps a task handle so that dropping it unfinished **aborts** the task instead of
/// detaching it (design decision 2: corio handles detach unless told otherwise).
///
/// `abort` is how to abort the handle: `corio_core::SpawnedTask::abort`,
/// `corio_executor::Task::abort`, or a closure. It is called at most once, on drop, and
/// only if the handle has not yet resolved. The abort does not wait: the task unwinds the
/// next time its executor gets to it. To wait for the unwinding, use
/// [`wait_for_task`](crate::wait_for_task) or the executor's `Task::cancel`.
///
/// Put it around handles given to a combinator that drops what it owns: `try_gather`,
/// `race`, `wait_for`, a dropped `as_completed`.
///
/// # Cancel safety
///
/// Dropping it aborts the task (that is its point); awaiting it is as cancel-safe as the
/// handle.
///
/// # Examples
///
/// ```
/// use corio_combinators::{cancel_on_drop, wait_for};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(corio_timer::TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let task = corio_executor::spawn(corio_timer::sleep(Duration::from_secs(60)));
///     let guarded = cancel_on_drop(task, corio_executor::Task::abort);
///     assert!(wait_for(guarded, Duration::from_secs(1)).await.is_err()); // task aborted
/// });
/// ```
pub fn cancel_on_drop<F: Future + Unpin>(handle: F, abort: fn(&F)) -> CancelOnDrop<F> {
    CancelOnDrop {
        handle: Some(handle),
        abort,
        finished: false,
    }
}

/// The future of [`cancel_on_drop`]: the handle's output; aborts the task if dropped first.
///
/// # Examples
///
/// See [`cancel_on_drop`].
#[must_use = "futures do nothing unless awaited; dropping this aborts the task"]
pub struct CancelOnDrop<F: Future + Unpin> {
    handle: Option<F>,
    abort: fn(&F),
    finished: bool,
}

impl<F: Future + Unpin> CancelOnDrop<F> {
    /// Gives the handle back without aborting anything.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::cancel_on_drop;
    /// corio_executor::run(async {
    ///     let g = cancel_on_drop(corio_executor::spawn(async { 1 }), corio_executor::Task::abort);
    ///     let task = g.into_inner(); // defused
    ///     assert_eq!(task.await.unwrap(), 1);
    /// });
    /// ```
    pub fn into_inner(mut self) -> F {
        self.handle.take().expect("handle present until dropped")
    }

    /// Whether the handle has resolved (so dropping aborts nothing).
    ///
    /// # Examples
    ///
    /// ```
    /// let g = corio_combinators::cancel_on_drop(std::future::ready(()), |_| {});
    /// assert!(!g.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

impl<F: Future + Unpin> Future for CancelOnDrop<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let handle = self.handle.as_mut().expect("handle present until dropped");
        let out = std::task::ready!(Pin::new(handle).poll(cx));
        self.finished = true;
        Poll::Ready(out)
    }
}

impl<F: Future + Unpin> Drop for CancelOnDrop<F> {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            if !self.finished {
                (self.abort)(&h);
            }
        }
    }
}

impl<F: Future + Unpin> fmt::Debug for CancelOnDrop<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelOnDrop")
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
