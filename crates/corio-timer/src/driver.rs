//! The timer driver: the [`Driver`] layer that turns the wheel, on the real clock or a
//! paused virtual one.

use std::fmt;
use std::time::{Duration, Instant};

use corio_core::{Driver, Enter, Entry, Unparker};

use crate::clock;
use crate::context;
use crate::handle::TimerHandle;
use crate::shared::Shared;
use crate::sleep::sleep_until;
use crate::sync::{Arc, Ordering};
use crate::turn::Turn;

/// A [`Driver`] that adds a timer wheel on top of another driver (`D`, usually a
/// [`ThreadParker`](corio_core::ThreadParker) or an I/O reactor).
///
/// Its [`park`](Driver::park) computes the next deadline, parks the inner driver for the
/// smaller of the loop's timeout and the time left until that deadline, then reads the
/// clock once and fires every expired timer, in deadline order, in one pass. Its
/// [`entry`](Driver::entry) makes it the current timer of the thread for the scope of
/// the loop's run, so that the
/// [`sleep`](crate::sleep)s, [`timeout`](crate::timeout)s and
/// [`interval`](crate::interval)s polled there register in its wheel. Its unparker is the
/// inner driver's.
///
/// The wheel has a resolution of 1 ms: a timer fires at the first millisecond boundary at
/// or after its deadline, never before.
///
/// # Paused (virtual) time
///
/// [`TimerDriver::new_paused`] builds a driver whose clock only moves when told to: when
/// the loop is idle (it parks with no timeout or a non-zero one) and timers are pending,
/// the clock jumps to the next deadline and fires it instead of sleeping (auto-advance);
/// [`advance`](crate::advance) and [`TimerHandle::advance`] move it by hand. A test that
/// sleeps an hour finishes in microseconds, and every deadline is met exactly. When no timer
/// is pending, an idle paused loop really waits (for a wake-up from another thread).
/// Virtual time moves only while the loop is idle: a task that keeps itself ready (a
/// busy `yield_now` loop waiting for a flag, say) holds the clock still, and the periodic
/// `park(Some(ZERO))` of a busy loop fires only the timers already due.
///
/// Because the [`Driver`] trait does not tell whether the inner driver processed an event,
/// a paused driver polls the inner one without waiting before it jumps: a wake-up from
/// another thread that arrives exactly then may find the clock already moved.
///
/// # Examples
///
/// The driver for a `corio` loop:
///
/// ```
/// use corio_timer::{TimerDriver, sleep};
/// use std::time::{Duration, Instant};
///
/// let ex = corio_executor::Builder::new()
///     .driver(|parker| Box::new(TimerDriver::new(parker)))
///     .build_local();
/// let start = Instant::now();
/// ex.run(async { sleep(Duration::from_millis(20)).await });
/// assert!(start.elapsed() >= Duration::from_millis(20));
/// ```
///
/// Driven by hand:
///
/// ```
/// use corio_core::{Driver, ThreadParker};
/// use corio_timer::TimerDriver;
/// use std::time::Duration;
///
/// let mut driver = TimerDriver::new(ThreadParker::new());
/// let handle = driver.handle();
/// let mut sleep = std::pin::pin!(handle.sleep(Duration::from_millis(5)));
/// let waker = futures::task::noop_waker();
/// let mut cx = std::task::Context::from_waker(&waker);
/// assert!(sleep.as_mut().poll(&mut cx).is_pending()); // registers
/// driver.park(None); // sleeps about 5 ms, then fires the timer
/// assert!(sleep.is_elapsed());
/// ```
pub struct TimerDriver<D: Driver> {
    /// The wheel and the driver below, and the work of each park.
    turn: Turn<D>,
    /// What `entry` hands out: this timer around the inner driver's entry. Made once, so
    /// entering costs a reference count, not an allocation.
    entry: Entry,
}

/// The [`Enter`] of a [`TimerDriver`]: the inner driver's entry, and this timer as the
/// thread's current one inside it.
struct TimerEntry {
    shared: Arc<Shared>,
    inner: Entry,
}

impl Enter for TimerEntry {
    fn scope(&self, f: &mut dyn FnMut()) {
        self.inner
            .scope(|| context::scoped(&self.shared, &LOOP_CLOCK, f));
    }
}

/// The timer current on this thread, as corio-core's clock hook: time and sleeps of
/// whichever timer driver is entered where it is asked (the paused virtual clock too).
struct LoopClock;

static LOOP_CLOCK: LoopClock = LoopClock;

impl corio_core::time::Clock for LoopClock {
    fn now(&self) -> Instant {
        clock::now()
    }

    fn sleep_until(&self, deadline: Instant) -> corio_core::BoxFuture<()> {
        Box::pin(sleep_until(deadline))
    }
}

impl<D: Driver> TimerDriver<D> {
    /// A driver on the real clock, stacked on `inner`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::ThreadParker;
    /// let driver = corio_timer::TimerDriver::new(ThreadParker::new());
    /// assert!(!driver.handle().is_paused());
    /// ```
    pub fn new(inner: D) -> Self {
        Self::build(inner, false)
    }

    /// A driver on a paused virtual clock that starts at the current instant and advances
    /// only when the loop is idle (to the next deadline) or by [`advance`](crate::advance).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::{TimerDriver, clock, sleep};
    /// use std::time::{Duration, Instant};
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// let wall = Instant::now();
    /// ex.run(async {
    ///     let start = clock::now();
    ///     sleep(Duration::from_secs(24 * 3600)).await;
    ///     assert_eq!(clock::now() - start, Duration::from_secs(24 * 3600));
    /// });
    /// assert!(wall.elapsed() < Duration::from_secs(5));
    /// ```
    pub fn new_paused(inner: D) -> Self {
        Self::build(inner, true)
    }

    fn build(inner: D, paused: bool) -> Self {
        let turn = Turn::new(inner, paused);
        let entry = Entry::new(std::sync::Arc::new(TimerEntry {
            shared: turn.shared.clone(),
            inner: turn.inner.entry(),
        }));
        TimerDriver { turn, entry }
    }

    /// A handle to this driver's wheel and clock, usable from any thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::ThreadParker;
    /// let driver = corio_timer::TimerDriver::new(ThreadParker::new());
    /// let handle = driver.handle();
    /// assert_eq!(handle.pending_timers(), 0);
    /// ```
    pub fn handle(&self) -> TimerHandle {
        TimerHandle {
            shared: self.turn.shared.clone(),
        }
    }

    /// The driver below this one.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::ThreadParker;
    /// let driver = corio_timer::TimerDriver::new(ThreadParker::new());
    /// let _parker: &ThreadParker = driver.inner();
    /// ```
    pub fn inner(&self) -> &D {
        &self.turn.inner
    }

    /// The driver below this one, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::ThreadParker;
    /// let mut driver = corio_timer::TimerDriver::new(ThreadParker::new());
    /// let _parker: &mut ThreadParker = driver.inner_mut();
    /// ```
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.turn.inner
    }
}

impl<D: Driver> Driver for TimerDriver<D> {
    fn park(&mut self, timeout: Option<Duration>) {
        self.turn.park(timeout);
    }

    fn unparker(&self) -> Unparker {
        self.turn.inner.unparker()
    }

    fn woke_tasks(&self) -> bool {
        self.turn.woke()
    }

    fn entry(&self) -> Entry {
        self.entry.clone()
    }
}

impl<D: Driver> Drop for TimerDriver<D> {
    fn drop(&mut self) {
        // The wheel outlives the driver while sleeps hold it: tell them to move.
        self.turn.shared.dropped.store(true, Ordering::Release);
    }
}

impl<D: Driver + fmt::Debug> fmt::Debug for TimerDriver<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerDriver")
            .field("inner", &self.turn.inner)
            .field("handle", &self.handle())
            .finish()
    }
}
