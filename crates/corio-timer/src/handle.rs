//! [`TimerHandle`]: a thread-safe handle to a timer driver's wheel and clock.

use std::fmt;
use std::time::{Duration, Instant};

use crate::context;
use crate::shared::Shared;
use crate::sleep::Sleep;
use crate::sync::Arc;
use crate::ticks;

/// A thread-safe handle to a [`TimerDriver`](crate::TimerDriver)'s wheel and clock.
///
/// Get one from [`TimerDriver::handle`](crate::TimerDriver::handle), or [`TimerHandle::current`] inside a loop.
///
/// # Examples
///
/// ```
/// use corio_timer::{TimerDriver, TimerHandle, sleep};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let handle = TimerHandle::current();
///     let t = corio_executor::spawn(sleep(Duration::from_secs(5)));
///     corio_executor::yield_now().await; // the task registers its timer
///     assert_eq!(handle.pending_timers(), 1);
///     handle.advance(Duration::from_secs(5));
///     t.await.unwrap();
///     assert_eq!(handle.pending_timers(), 0);
/// });
/// ```
#[derive(Clone)]
pub struct TimerHandle {
    pub(crate) shared: Arc<Shared>,
}

impl TimerHandle {
    /// The current thread's timer: the one of the corio loop running here, or, outside any
    /// loop with a [`TimerDriver`](crate::TimerDriver), the global fallback timer thread's (started on first
    /// use).
    ///
    /// # Examples
    ///
    /// ```
    /// // Outside any loop: the fallback timer, on the real clock.
    /// assert!(!corio_timer::TimerHandle::current().is_paused());
    /// ```
    pub fn current() -> TimerHandle {
        TimerHandle {
            shared: context::current(),
        }
    }

    /// The timer of the corio loop running on this thread, if it has a [`TimerDriver`](crate::TimerDriver).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio_timer::TimerHandle::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<TimerHandle> {
        context::try_current().map(|shared| TimerHandle { shared })
    }

    /// This timer's current time (virtual for a paused clock).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::ThreadParker;
    /// let h = corio_timer::TimerDriver::new_paused(ThreadParker::new()).handle();
    /// let t = h.now();
    /// std::thread::sleep(std::time::Duration::from_millis(2));
    /// assert_eq!(h.now(), t); // paused
    /// ```
    pub fn now(&self) -> Instant {
        self.shared.clock.now()
    }

    /// Whether this timer runs on a paused virtual clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::ThreadParker;
    /// let d = corio_timer::TimerDriver::new_paused(ThreadParker::new());
    /// assert!(d.handle().is_paused());
    /// ```
    pub fn is_paused(&self) -> bool {
        self.shared.clock.is_paused()
    }

    /// How many timers are armed in the wheel (registered and not yet fired).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::ThreadParker;
    /// let h = corio_timer::TimerDriver::new_paused(ThreadParker::new()).handle();
    /// let mut s = Box::pin(h.sleep(std::time::Duration::from_secs(1)));
    /// let w = futures::task::noop_waker();
    /// assert!(s.as_mut().poll(&mut std::task::Context::from_waker(&w)).is_pending());
    /// assert_eq!(h.pending_timers(), 1);
    /// drop(s); // cancel: the entry is gone
    /// assert_eq!(h.pending_timers(), 0);
    /// ```
    pub fn pending_timers(&self) -> usize {
        self.shared.lock().wheel.armed()
    }

    /// How many wheel entries are in use: the armed timers plus those that fired and whose
    /// [`Sleep`] has not yet been polled or dropped. Zero once every timer is gone: no leak.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::ThreadParker;
    /// let h = corio_timer::TimerDriver::new_paused(ThreadParker::new()).handle();
    /// let mut s = Box::pin(h.sleep(std::time::Duration::from_secs(1)));
    /// let w = futures::task::noop_waker();
    /// assert!(s.as_mut().poll(&mut std::task::Context::from_waker(&w)).is_pending());
    /// h.advance(std::time::Duration::from_secs(1));
    /// assert_eq!((h.pending_timers(), h.live_entries()), (0, 1));
    /// drop(s);
    /// assert_eq!(h.live_entries(), 0);
    /// ```
    pub fn live_entries(&self) -> usize {
        self.shared.lock().wheel.live()
    }

    /// A [`Sleep`] until `now() + duration`, registered in this timer (wherever it is
    /// polled) rather than in the current thread's.
    ///
    /// # Examples
    ///
    /// ```
    /// let h = corio_timer::TimerHandle::current(); // the fallback thread's
    /// futures::executor::block_on(h.sleep(std::time::Duration::from_millis(1)));
    /// ```
    pub fn sleep(&self, duration: Duration) -> Sleep {
        Sleep::new_in(
            Some(self.shared.clone()),
            ticks::deadline_after(self.now(), duration),
        )
    }

    /// A [`Sleep`] until `deadline`, registered in this timer.
    ///
    /// # Examples
    ///
    /// ```
    /// let h = corio_timer::TimerHandle::current();
    /// let when = h.now() + std::time::Duration::from_millis(1);
    /// futures::executor::block_on(h.sleep_until(when));
    /// assert!(h.now() >= when);
    /// ```
    pub fn sleep_until(&self, deadline: Instant) -> Sleep {
        Sleep::new_in(Some(self.shared.clone()), deadline)
    }

    /// Moves a paused clock forward by `duration` and fires every timer that is then due
    /// (their tasks are woken; they run when the caller yields to the loop).
    ///
    /// # Panics
    ///
    /// If the clock is not paused.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::ThreadParker;
    /// use std::time::Duration;
    /// let h = corio_timer::TimerDriver::new_paused(ThreadParker::new()).handle();
    /// let start = h.now();
    /// h.advance(Duration::from_millis(1500));
    /// assert_eq!(h.now() - start, Duration::from_millis(1500));
    /// ```
    pub fn advance(&self, duration: Duration) {
        assert!(
            self.is_paused(),
            "corio_timer::advance needs a paused clock (TimerDriver::new_paused)"
        );
        let mut wake = Vec::new();
        {
            let mut st = self.shared.lock();
            let clock = &self.shared.clock;
            clock.set_offset_nanos(
                clock
                    .offset_nanos()
                    .saturating_add(ticks::duration_nanos(duration)),
            );
            let now = clock.tick_of_now(clock.now());
            st.wheel.advance(now, &mut wake);
        }
        for w in wake {
            w.wake();
        }
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("TimerHandle")
            .field("paused", &self.shared.clock.is_paused())
            .field("pending_timers", &st.wheel.armed())
            .field("elapsed_ms", &st.wheel.elapsed())
            .finish()
    }
}
