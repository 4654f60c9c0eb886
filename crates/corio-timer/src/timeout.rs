//! `timeout`, `timeout_at` and their future, `Timeout`.

use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use corio_core::Elapsed;
use pin_project_lite::pin_project;

use crate::clock;
use crate::sleep::{Sleep, sleep_until};
use crate::ticks;

/// asyncio.timeout / wait_for: runs `future`, giving up after `duration`.
///
/// Resolves to `Ok(output)` if the future completes first, `Err(Elapsed)` otherwise. On
/// expiry the inner future is dropped (cancelled: its destructors run) *before* `Elapsed`
/// is returned.
///
/// The inner future is always polled before the deadline is looked at, so:
/// - a timeout of zero (or a deadline in the past) still polls the future once, and a
///   future that is ready at once gives `Ok` (design decision 5: completion wins);
/// - nested timeouts that expire at the same instant are told apart: the innermost one
///   reports `Elapsed` and the outer ones resolve to `Ok(Err(Elapsed))` (decision 4).
///
/// The deadline is seen even if the inner future keeps spending the cooperative budget. A
/// duration too large to represent means "no timeout" (it saturates to never).
///
/// The clock starts when the timeout is first polled, as asyncio's `wait_for` starts when
/// awaited: the deadline is `duration` after the start of the loop turn in which the first
/// poll found the future pending (the loop's cached turn time, libuv's `uv_now`: at most one
/// turn early, never late; exact on a paused clock). A future that is ready at its first
/// poll never reads the clock or builds a timer, so a timeout around the common fast path
/// costs almost nothing (as smol's `future.or(Timer::after(d))` idiom does).
/// [`Timeout::deadline`] before then tells the deadline a poll now would set.
///
/// # Cancel safety
///
/// Dropping the `Timeout` drops the inner future and removes the timer; it is as
/// cancel-safe as the inner future is.
///
/// # Examples
///
/// ```
/// use corio_timer::{TimerDriver, sleep, timeout};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let slow = sleep(Duration::from_secs(10));
///     assert!(timeout(Duration::from_secs(1), slow).await.is_err());
///     let fast = async { 7 };
///     assert_eq!(timeout(Duration::ZERO, fast).await, Ok(7)); // completion wins
/// });
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future: Some(future),
        sleep: ManuallyDrop::new(None),
        when: None,
        after_first_poll: Some(duration),
        expired: false,
    }
}

/// asyncio.timeout_at: runs `future`, giving up at `deadline`.
///
/// As [`timeout`]; a deadline in the past still polls the future once.
///
/// # Cancel safety
///
/// As [`timeout`].
///
/// # Examples
///
/// ```
/// use corio_timer::{clock, sleep, timeout_at};
/// use std::time::Duration;
///
/// futures::executor::block_on(async {
///     let deadline = clock::now() + Duration::from_millis(5);
///     let t = timeout_at(deadline, sleep(Duration::from_secs(10)));
///     assert_eq!(t.deadline(), Some(deadline));
///     assert!(t.await.is_err());
/// });
/// ```
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future: Some(future),
        sleep: ManuallyDrop::new(Some(sleep_until(deadline))),
        when: Some(deadline),
        after_first_poll: None,
        expired: false,
    }
}

pin_project! {
    /// The future of [`timeout`] and [`timeout_at`]: the inner future's output, or
    /// [`Elapsed`] if the deadline comes first.
    ///
    /// Like asyncio's `Timeout` context manager, its deadline can be read
    /// ([`deadline`](Timeout::deadline)), moved or removed
    /// ([`reschedule`](Timeout::reschedule)) while it runs, and
    /// [`expired`](Timeout::expired) says whether it fired. To move the deadline from
    /// inside the guarded code, use a [`Deadline`](crate::Deadline) scope instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::{TimerDriver, clock, sleep, timeout};
    /// use std::time::Duration;
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// ex.run(async {
    ///     let start = clock::now();
    ///     let mut t = Box::pin(timeout(Duration::from_secs(1), sleep(Duration::from_secs(5))));
    ///     t.as_mut().reschedule(Some(start + Duration::from_secs(10))); // more time
    ///     assert_eq!(t.as_mut().await, Ok(()));
    ///     assert!(!t.expired());
    ///     assert_eq!(clock::now() - start, Duration::from_secs(5));
    /// });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct Timeout<F> {
        #[pin]
        future: Option<F>,
        // Dropped by hand (`PinnedDrop` below) so that dropping a timeout that never armed
        // a timer, the common case around a ready future, costs one compare instead of a
        // call to `Option<Sleep>`'s out-of-line drop glue (a third of the instructions of
        // `timeout(d, ready)`). Assigning through it drops the old value as usual.
        sleep: ManuallyDrop<Option<Sleep>>,
        when: Option<Instant>,
        // `timeout(d, ..)` before its deadline is fixed: `d`, counted from the first poll
        // that finds the future pending.
        after_first_poll: Option<Duration>,
        expired: bool,
    }

    impl<F> PinnedDrop for Timeout<F> {
        #[inline]
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.sleep.is_some() {
                drop_armed(this.sleep);
            }
        }
    }
}

#[cold]
fn drop_armed(sleep: &mut Option<Sleep>) {
    drop(sleep.take());
}

impl<F> Timeout<F> {
    /// The deadline, or `None` if the timeout was disabled with `reschedule(None)`
    /// (asyncio's `when()`). For a [`timeout`] not yet polled, the deadline a poll now would
    /// fix (its clock starts at the first poll).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::{clock, timeout_at};
    /// let when = clock::now();
    /// assert_eq!(timeout_at(when, async {}).deadline(), Some(when));
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        match self.after_first_poll {
            Some(d) => Some(ticks::deadline_after(clock::now(), d)),
            None => self.when,
        }
    }

    /// Whether the deadline fired (the timeout resolved to `Err(Elapsed)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::timeout;
    /// use std::time::Duration;
    /// futures::executor::block_on(async {
    ///     let mut t = Box::pin(timeout(Duration::ZERO, std::future::pending::<()>()));
    ///     assert!(!t.expired());
    ///     assert!(t.as_mut().await.is_err());
    ///     assert!(t.expired());
    /// });
    /// ```
    pub fn expired(&self) -> bool {
        self.expired
    }

    /// Moves the deadline to `deadline`, or removes it (`None`: never time out). A
    /// deadline already passed makes the next poll (after polling the inner future once
    /// more) resolve to `Err(Elapsed)`. No effect once the timeout has resolved. The timer
    /// entry is reused, not reallocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::{TimerDriver, clock, sleep, timeout};
    /// use std::time::Duration;
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// ex.run(async {
    ///     let mut t = Box::pin(timeout(Duration::from_secs(1), sleep(Duration::from_secs(5))));
    ///     t.as_mut().reschedule(None);
    ///     assert_eq!(t.deadline(), None);
    ///     assert_eq!(t.await, Ok(()));
    /// });
    /// ```
    pub fn reschedule(self: Pin<&mut Self>, deadline: Option<Instant>) {
        let this = self.project();
        if this.future.is_none() {
            return;
        }
        *this.after_first_poll = None;
        *this.when = deadline;
        match (this.sleep.as_mut(), deadline) {
            (Some(s), Some(d)) => s.reset(d),
            (Some(_), None) => **this.sleep = None,
            (None, Some(d)) => **this.sleep = Some(sleep_until(d)),
            (None, None) => {}
        }
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let future = this
            .future
            .as_mut()
            .as_pin_mut()
            .expect("Timeout polled after it resolved");
        if let Poll::Ready(out) = future.poll(cx) {
            this.future.set(None);
            if this.sleep.is_some() {
                **this.sleep = None; // free the timer entry now
            }
            return Poll::Ready(Ok(out));
        }
        if let Some(d) = this.after_first_poll.take() {
            // Counted from the start of this loop turn (a cached time, no clock call), so
            // time the first poll itself spent blocking counts, as in asyncio.
            let deadline = ticks::deadline_after(clock::turn_now(), d);
            *this.when = Some(deadline);
            **this.sleep = Some(sleep_until(deadline));
        }
        if let Some(s) = this.sleep.as_mut() {
            if s.poll_elapsed(cx).is_ready() {
                *this.expired = true;
                // Cancel the inner future before reporting: its cleanup has run by then.
                this.future.set(None);
                **this.sleep = None;
                return Poll::Ready(Err(Elapsed::new()));
            }
        }
        Poll::Pending
    }
}

impl<F> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("deadline", &self.deadline())
            .field("expired", &self.expired)
            .field("resolved", &self.future.is_none())
            .finish()
    }
}
