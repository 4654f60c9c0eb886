//! `Deadline`: asyncio.timeout's reschedulable scope, with a handle the guarded code holds.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use corio_core::Elapsed;
use pin_project_lite::pin_project;

use crate::clock;
use crate::sleep::{Sleep, sleep_until};
use crate::sync::{Arc, Mutex, lock};
use crate::ticks;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Created,
    Entered,
    Expiring,
    Expired,
    Finished,
}

#[derive(Debug)]
struct State {
    when: Option<Instant>,
    phase: Phase,
    /// Bumped by each reschedule, so the running scope knows to move its timer.
    version: u64,
    /// The task running the scope, woken when another task reschedules it.
    waker: Option<Waker>,
}

#[derive(Debug)]
struct Inner {
    state: Mutex<State>,
}

/// asyncio.timeout as a scope: a deadline that the code it guards can read and move.
///
/// Create it with [`Deadline::after`] or [`Deadline::at`], take [`handle`](Deadline::handle)s
/// (cheap clones that the guarded code or other tasks keep), then
/// [`run`](Deadline::run) a future under it. `run` takes the scope by value, so a scope
/// cannot be entered twice (asyncio's `RuntimeError` on double entry is a compile error
/// here). Use [`timeout`](crate::timeout) when nobody needs to move the deadline: it
/// allocates nothing.
///
/// # Examples
///
/// ```
/// use corio_timer::{Deadline, TimerDriver, clock, sleep};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let scope = Deadline::after(Duration::from_secs(1));
///     let cm = scope.handle();
///     let out = scope
///         .run(async move {
///             // Found more work: give ourselves more time, as cm.reschedule in asyncio.
///             cm.reschedule(Some(clock::now() + Duration::from_secs(10))).unwrap();
///             sleep(Duration::from_secs(5)).await;
///             "done"
///         })
///         .await;
///     assert_eq!(out, Ok("done"));
/// });
/// ```
#[must_use = "a Deadline does nothing until .run(future) is awaited"]
#[derive(Debug)]
pub struct Deadline {
    inner: Arc<Inner>,
}

/// A handle to a [`Deadline`] scope: read, move or remove its deadline and see whether it
/// expired, from the guarded code or from any other task or thread.
///
/// # Examples
///
/// ```
/// use corio_timer::{Deadline, RescheduleError};
/// let scope = Deadline::at(None);
/// let h = scope.handle();
/// assert_eq!(h.when(), None);
/// assert_eq!(h.reschedule(None), Err(RescheduleError::NotEntered));
/// ```
#[derive(Debug, Clone)]
pub struct DeadlineHandle {
    inner: Arc<Inner>,
}

/// Why [`DeadlineHandle::reschedule`] refused (asyncio raises `RuntimeError` in the same
/// cases).
///
/// # Examples
///
/// ```
/// use corio_timer::RescheduleError;
/// assert_eq!(RescheduleError::Expired.to_string(), "the deadline scope has expired");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RescheduleError {
    /// The scope has not started running yet.
    NotEntered,
    /// The scope's deadline fired and the guarded future is being dropped.
    Expiring,
    /// The scope's deadline fired.
    Expired,
    /// The scope finished (its future completed or was dropped).
    Finished,
}

impl fmt::Display for RescheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RescheduleError::NotEntered => "the deadline scope has not been entered",
            RescheduleError::Expiring => "the deadline scope is expiring",
            RescheduleError::Expired => "the deadline scope has expired",
            RescheduleError::Finished => "the deadline scope has finished",
        })
    }
}

impl Error for RescheduleError {}

impl Deadline {
    /// A scope that expires `duration` from now (on [`clock::now`](crate::clock::now)); a
    /// duration too large to represent means never.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let scope = corio_timer::Deadline::after(Duration::from_secs(3));
    /// assert!(scope.when().is_some());
    /// ```
    pub fn after(duration: Duration) -> Deadline {
        Deadline::at(Some(ticks::deadline_after(clock::now(), duration)))
    }

    /// A scope that expires at `when`, or never (`None`) (asyncio.timeout_at).
    ///
    /// # Examples
    ///
    /// ```
    /// let when = corio_timer::clock::now();
    /// assert_eq!(corio_timer::Deadline::at(Some(when)).when(), Some(when));
    /// ```
    pub fn at(when: Option<Instant>) -> Deadline {
        Deadline {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    when,
                    phase: Phase::Created,
                    version: 0,
                    waker: None,
                }),
            }),
        }
    }

    /// The deadline, if any (asyncio's `when()`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_timer::Deadline::at(None).when(), None);
    /// ```
    pub fn when(&self) -> Option<Instant> {
        lock(&self.inner.state).when
    }

    /// A handle to this scope.
    ///
    /// # Examples
    ///
    /// ```
    /// let scope = corio_timer::Deadline::at(None);
    /// let h = scope.handle();
    /// assert!(!h.expired());
    /// ```
    pub fn handle(&self) -> DeadlineHandle {
        DeadlineHandle {
            inner: self.inner.clone(),
        }
    }

    /// Runs `future` under this deadline: `Ok(output)`, or `Err(Elapsed)` if the deadline
    /// came first. As with [`timeout`](crate::timeout), the future is polled before the
    /// deadline is looked at (a deadline already passed still lets a ready future
    /// complete), the innermost of nested scopes expiring together reports `Elapsed`, and
    /// on expiry the future is dropped before `Elapsed` is returned.
    ///
    /// # Cancel safety
    ///
    /// Dropping the returned future drops the guarded one and finishes the scope (its
    /// handles then report [`RescheduleError::Finished`], and `expired()` stays false).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::{Deadline, TimerDriver, sleep};
    /// use std::time::Duration;
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// ex.run(async {
    ///     let scope = Deadline::after(Duration::from_secs(1));
    ///     let h = scope.handle();
    ///     assert!(scope.run(sleep(Duration::from_secs(2))).await.is_err());
    ///     assert!(h.expired());
    /// });
    /// ```
    ///
    /// A scope is entered once: `run` consumes it.
    ///
    /// ```compile_fail
    /// let scope = corio_timer::Deadline::at(None);
    /// let first = scope.run(async {});
    /// let second = scope.run(async {}); // error: use of moved value
    /// ```
    pub fn run<F: Future>(self, future: F) -> WithDeadline<F> {
        WithDeadline {
            future: Some(future),
            sleep: None,
            seen: u64::MAX,
            guard: ScopeGuard { inner: self.inner },
        }
    }
}

impl DeadlineHandle {
    /// The deadline, if any (asyncio's `when()`).
    ///
    /// # Examples
    ///
    /// ```
    /// let when = corio_timer::clock::now();
    /// assert_eq!(corio_timer::Deadline::at(Some(when)).handle().when(), Some(when));
    /// ```
    pub fn when(&self) -> Option<Instant> {
        lock(&self.inner.state).when
    }

    /// Whether the scope's deadline fired.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio_timer::Deadline::at(None).handle().expired());
    /// ```
    pub fn expired(&self) -> bool {
        matches!(
            lock(&self.inner.state).phase,
            Phase::Expiring | Phase::Expired
        )
    }

    /// Moves the deadline to `when`, or removes it (`None`), while the scope runs.
    ///
    /// # Errors
    ///
    /// [`RescheduleError`] if the scope has not been entered (its future not yet polled),
    /// is expiring or has expired, or has finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::{Deadline, TimerDriver, sleep};
    /// use std::time::Duration;
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// ex.run(async {
    ///     let scope = Deadline::after(Duration::from_secs(1));
    ///     let h = scope.handle();
    ///     let h2 = h.clone();
    ///     let out = scope.run(async move {
    ///         h2.reschedule(None).unwrap(); // never expire
    ///         sleep(Duration::from_secs(100)).await;
    ///     }).await;
    ///     assert!(out.is_ok());
    ///     assert!(h.reschedule(None).is_err()); // finished
    /// });
    /// ```
    pub fn reschedule(&self, when: Option<Instant>) -> Result<(), RescheduleError> {
        let mut st = lock(&self.inner.state);
        match st.phase {
            Phase::Created => Err(RescheduleError::NotEntered),
            Phase::Expiring => Err(RescheduleError::Expiring),
            Phase::Expired => Err(RescheduleError::Expired),
            Phase::Finished => Err(RescheduleError::Finished),
            Phase::Entered => {
                st.when = when;
                st.version = st.version.wrapping_add(1);
                if let Some(w) = st.waker.take() {
                    drop(st);
                    w.wake();
                }
                Ok(())
            }
        }
    }
}

/// Marks the scope finished when the running future is dropped early.
#[derive(Debug)]
struct ScopeGuard {
    inner: Arc<Inner>,
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        let mut st = lock(&self.inner.state);
        if matches!(st.phase, Phase::Created | Phase::Entered) {
            st.phase = Phase::Finished;
        }
        st.waker = None;
    }
}

pin_project! {
    /// The future of [`Deadline::run`]: the guarded future's output, or [`Elapsed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::{Deadline, WithDeadline};
    /// let scope = Deadline::at(None);
    /// let fut: WithDeadline<_> = scope.run(async { 5 });
    /// assert_eq!(futures::executor::block_on(fut), Ok(5));
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct WithDeadline<F> {
        // Dropped before the guard: the guarded future's cleanup sees the scope running.
        #[pin]
        future: Option<F>,
        sleep: Option<Sleep>,
        seen: u64,
        guard: ScopeGuard,
    }
}

impl<F: Future> Future for WithDeadline<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let inner = &this.guard.inner;
        {
            let mut st = lock(&inner.state);
            if st.phase == Phase::Created {
                st.phase = Phase::Entered;
            }
        }
        let future = this
            .future
            .as_mut()
            .as_pin_mut()
            .expect("WithDeadline polled after it resolved");
        if let Poll::Ready(out) = future.poll(cx) {
            this.future.set(None);
            *this.sleep = None;
            lock(&inner.state).phase = Phase::Finished;
            return Poll::Ready(Ok(out));
        }
        {
            let mut st = lock(&inner.state);
            if st.version != *this.seen {
                *this.seen = st.version;
                match (this.sleep.as_mut(), st.when) {
                    (Some(s), Some(w)) => s.reset(w),
                    (None, Some(w)) => *this.sleep = Some(sleep_until(w)),
                    (_, None) => *this.sleep = None,
                }
            }
            match &mut st.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                slot => *slot = Some(cx.waker().clone()),
            }
        }
        if let Some(s) = this.sleep.as_mut() {
            if s.poll_elapsed(cx).is_ready() {
                lock(&inner.state).phase = Phase::Expiring;
                this.future.set(None);
                *this.sleep = None;
                lock(&inner.state).phase = Phase::Expired;
                return Poll::Ready(Err(Elapsed::new()));
            }
        }
        Poll::Pending
    }
}

impl<F> fmt::Debug for WithDeadline<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.guard.inner.state);
        f.debug_struct("WithDeadline")
            .field("when", &st.when)
            .field("phase", &st.phase)
            .finish()
    }
}
