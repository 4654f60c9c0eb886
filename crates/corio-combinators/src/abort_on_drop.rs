//! `abort_on_drop` and its future, `AbortOnDrop`.

use corio_core::Abort;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Wraps a task handle so that dropping it unfinished **aborts** the task instead of
/// detaching it (design decision 2: corio handles detach unless told otherwise).
///
/// The handle is anything that implements corio-core's [`Abort`]: corio's `Task<T>` and
/// `AbortHandle`, a [`SpawnedTask`](corio_core::SpawnedTask). [`Abort::abort`] is called
/// at most once, on drop, and only if the handle has not yet resolved. The abort does not
/// wait: the task unwinds the next time its executor gets to it. To wait for the
/// unwinding, use [`wait_for_task`](crate::wait_for_task) or the executor's `Task::cancel`.
///
/// corio's own `Task::cancel_on_drop()` (whose `CancelOnDrop` also implements [`Abort`])
/// does the same for corio tasks; this function is for any executor's handles.
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
/// use corio_combinators::{abort_on_drop, wait_for};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(corio_timer::TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let task = corio_executor::spawn(corio_timer::sleep(Duration::from_secs(60)));
///     let guarded = abort_on_drop(task);
///     assert!(wait_for(guarded, Duration::from_secs(1)).await.is_err()); // task aborted
/// });
/// ```
pub fn abort_on_drop<F: Future + Abort + Unpin>(handle: F) -> AbortOnDrop<F> {
    AbortOnDrop {
        handle: Some(handle),
        finished: false,
    }
}

/// The future of [`abort_on_drop`]: the handle's output; aborts the task if dropped first.
///
/// # Examples
///
/// See [`abort_on_drop`].
#[must_use = "futures do nothing unless awaited; dropping this aborts the task"]
pub struct AbortOnDrop<F: Future + Abort + Unpin> {
    handle: Option<F>,
    finished: bool,
}

impl<F: Future + Abort + Unpin> AbortOnDrop<F> {
    /// Gives the handle back without aborting anything.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::abort_on_drop;
    /// corio_executor::run(async {
    ///     let g = abort_on_drop(corio_executor::spawn(async { 1 }));
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
    /// corio_executor::run(async {
    ///     let g = corio_combinators::abort_on_drop(corio_executor::spawn(async {}));
    ///     assert!(!g.is_finished());
    ///     g.await.unwrap();
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

impl<F: Future + Abort + Unpin> Future for AbortOnDrop<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let handle = self.handle.as_mut().expect("handle present until dropped");
        let out = std::task::ready!(Pin::new(handle).poll(cx));
        self.finished = true;
        Poll::Ready(out)
    }
}

impl<F: Future + Abort + Unpin> Drop for AbortOnDrop<F> {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            if !self.finished {
                h.abort();
            }
        }
    }
}

impl<F: Future + Abort + Unpin> fmt::Debug for AbortOnDrop<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortOnDrop")
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
