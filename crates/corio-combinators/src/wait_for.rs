//! `wait_for` and its future, `WaitFor`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use corio_core::Elapsed;
use corio_timer::Timeout;
use pin_project_lite::pin_project;

/// asyncio.wait_for: runs `future` with a time limit; `Ok(output)` if it completes in
/// time, `Err(Elapsed)` otherwise.
///
/// `timeout` is a [`Duration`] or an `Option<Duration>`; `None` means no limit
/// (asyncio's `timeout=None`).
///
/// - On expiry the inner future is **dropped before `Elapsed` is returned**, so its
///   destructors (its cleanup) have run by the time the caller sees the error.
/// - The inner future is polled before the clock is looked at: `wait_for(fut,
///   Duration::ZERO)` polls it once, and a future that is ready then gives `Ok` (design
///   decision 5); a future completing at the very instant of the deadline also wins.
/// - Nested time limits that expire together: the innermost reports `Elapsed` (decision 4).
///
/// Built on [`corio_timer::timeout`]: on a corio loop with a timer driver it uses that
/// loop's (possibly virtual) clock; elsewhere (tokio, smol) corio-timer's fallback thread.
///
/// **Spawned tasks.** Dropping a corio `Task` handle detaches the task (decision 2), so
/// `wait_for(task, d)` stops *waiting* on expiry but the task runs on. To cancel the task
/// and wait until it has unwound before `Elapsed` is returned, as asyncio does, use
/// [`wait_for_task`](crate::wait_for_task) (or wrap the handle in
/// [`abort_on_drop`](crate::abort_on_drop) to abort it without waiting).
///
/// # Cancel safety
///
/// Dropping the `WaitFor` drops the inner future: it is exactly as cancel-safe as the
/// inner future.
///
/// # Examples
///
/// ```
/// use corio_combinators::wait_for;
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(corio_timer::TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let slow = corio_timer::sleep(Duration::from_secs(60));
///     assert!(wait_for(slow, Duration::from_secs(1)).await.is_err());
///     assert_eq!(wait_for(async { 42 }, Duration::ZERO).await, Ok(42)); // polled once first
///     assert_eq!(wait_for(async { 7 }, None).await, Ok(7)); // no limit
/// });
/// ```
pub fn wait_for<F: Future>(future: F, timeout: impl Into<Option<Duration>>) -> WaitFor<F> {
    // `Duration::MAX` saturates to "never" in corio-timer.
    let d = timeout.into().unwrap_or(Duration::MAX);
    WaitFor {
        inner: corio_timer::timeout(d, future),
    }
}

pin_project! {
    /// The future of [`wait_for`]: the inner output, or [`Elapsed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::wait_for;
    /// use std::time::Duration;
    /// futures::executor::block_on(async {
    ///     let w = wait_for(std::future::pending::<()>(), Duration::from_millis(1));
    ///     assert!(w.deadline().is_some());
    ///     assert!(w.await.is_err());
    /// });
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct WaitFor<F> {
        #[pin]
        inner: Timeout<F>,
    }
}

impl<F> WaitFor<F> {
    /// The instant at which it gives up (`None` when there is no limit).
    ///
    /// # Examples
    ///
    /// See [`WaitFor`].
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline()
    }
}

impl<F: Future> Future for WaitFor<F> {
    type Output = Result<F::Output, Elapsed>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F> fmt::Debug for WaitFor<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFor")
            .field("deadline", &self.inner.deadline())
            .field("expired", &self.inner.expired())
            .finish()
    }
}
