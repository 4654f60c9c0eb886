//! The timer driver, its handle, the thread-local "current timer" and the fallback thread.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use corio_core::{Driver, DriverGuard, ThreadParker, Unparker};

use crate::clock::{self, Clock};
use crate::sleep::Sleep;
use crate::sync::{Arc, AtomicBool, AtomicUsize, Mutex, MutexGuard, Ordering, lock};
use crate::wheel::Wheel;

/// The state a driver shares with its handles and with every registered timer.
pub(crate) struct Shared {
    pub(crate) clock: Clock,
    state: Mutex<State>,
    unparker: Unparker,
    /// How many threads have the driver entered (are running its loop) right now.
    entered: AtomicUsize,
    /// The driver was dropped: nobody will ever turn this wheel again.
    dropped: AtomicBool,
}

pub(crate) struct State {
    pub(crate) wheel: Wheel,
    /// While the driver thread is parked: the tick it will wake at by itself (`u64::MAX`
    /// when it waits without a deadline). `0` while it is not parked: a timer registered
    /// then is seen before the next park, so nobody needs to wake the driver.
    sleeping_until: u64,
}

impl Shared {
    fn new(paused: bool, unparker: Unparker) -> Self {
        Shared {
            clock: Clock::new(paused),
            state: Mutex::new(State {
                wheel: Wheel::new(),
                sleeping_until: 0,
            }),
            unparker,
            entered: AtomicUsize::new(0),
            dropped: AtomicBool::new(false),
        }
    }

    /// Whether some loop may still turn this wheel: its driver is alive and entered on a
    /// thread. A wheel that is not live fires nothing until a loop enters it again.
    fn is_live(&self) -> bool {
        self.entered.load(Ordering::Acquire) > 0 && !self.dropped.load(Ordering::Acquire)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Called after arming a timer for `tick`: wakes the driver if it sleeps past it.
    pub(crate) fn armed(&self, state: &State, tick: u64) {
        if tick < state.sleeping_until {
            self.unparker.unpark();
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<TimerHandle>> = const { RefCell::new(None) };
}

/// A [`Driver`] that adds a timer wheel on top of another driver (`D`, usually a
/// [`ThreadParker`] or an I/O reactor).
///
/// Its [`park`](Driver::park) computes the next deadline, parks the inner driver for the
/// smaller of the loop's timeout and the time left until that deadline, then reads the
/// clock once and fires every expired timer, in deadline order, in one pass. Its
/// [`enter`](Driver::enter) makes it the current timer of the thread, so that the
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
    inner: D,
    shared: Arc<Shared>,
    wake: Vec<Waker>,
    /// Whether the last park fired a timer or the layer below woke a task.
    woke: bool,
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
        let shared = Arc::new(Shared::new(paused, inner.unparker()));
        TimerDriver {
            inner,
            shared,
            wake: Vec::new(),
            woke: false,
        }
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
            shared: self.shared.clone(),
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
        &self.inner
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
        &mut self.inner
    }

    fn wake_all(&mut self) {
        self.woke = !self.wake.is_empty() || self.inner.woke_tasks();
        for w in self.wake.drain(..) {
            w.wake();
        }
    }

    fn park_real(&mut self, timeout: Option<Duration>) {
        let wait = if timeout == Some(Duration::ZERO) {
            timeout
        } else {
            let mut st = self.shared.lock();
            match st.wheel.next_expiration() {
                None => {
                    st.sleeping_until = u64::MAX;
                    timeout
                }
                Some(tick) => match self.shared.clock.instant_of_tick(tick) {
                    None => {
                        st.sleeping_until = u64::MAX;
                        timeout
                    }
                    Some(at) => {
                        let left = at.saturating_duration_since(Instant::now());
                        if !left.is_zero() {
                            st.sleeping_until = tick;
                        }
                        Some(timeout.map_or(left, |t| t.min(left)))
                    }
                },
            }
        };
        self.inner.park(wait);
        let wall = Instant::now();
        clock::set_turn_now(Some(wall));
        let now = self.shared.clock.tick_of_now(wall);
        let mut st = self.shared.lock();
        st.sleeping_until = 0;
        st.wheel.advance(now, &mut self.wake);
        drop(st);
        self.wake_all();
    }

    fn park_paused(&mut self, timeout: Option<Duration>) {
        // Let the layer below process what is ready (I/O, wake-ups), without waiting.
        self.inner.park(Some(Duration::ZERO));
        let clock = &self.shared.clock;
        let mut st = self.shared.lock();
        let now = clock.tick_of_now(clock.now());
        let fired = st.wheel.advance(now, &mut self.wake);
        // The loop is idle only if the layer below woke nobody either: a reply that just
        // arrived on a socket must run before virtual time jumps past its timeout.
        let idle = timeout != Some(Duration::ZERO) && !self.inner.woke_tasks();
        if fired == 0 && idle {
            // The loop is idle: jump to the next deadline instead of sleeping.
            let limit = timeout.map(|t| {
                clock
                    .offset_nanos()
                    .saturating_add(clock::duration_nanos(t))
            });
            let mut jumped = false;
            while let Some(next) = st.wheel.next_expiration() {
                jumped = true;
                let target = clock::ticks_to_nanos(next);
                if let Some(limit) = limit.filter(|&l| l < target) {
                    clock.set_offset_nanos(limit);
                    let now = clock.tick_of_now(clock.now());
                    st.wheel.advance(now, &mut self.wake);
                    break;
                }
                clock.set_offset_nanos(target);
                if st.wheel.advance(next, &mut self.wake) > 0 {
                    break;
                }
                // Only cascaded: the exact deadline is now known; go on.
            }
            if !jumped {
                // No timer to jump to: really wait, for a wake-up from another thread.
                st.sleeping_until = u64::MAX;
                drop(st);
                self.inner.park(timeout);
                let mut st = self.shared.lock();
                st.sleeping_until = 0;
                // A timer may have been registered (and be due) meanwhile.
                let now = clock.tick_of_now(clock.now());
                st.wheel.advance(now, &mut self.wake);
                drop(st);
                self.wake_all();
                return;
            }
        }
        drop(st);
        self.wake_all();
    }
}

impl<D: Driver> Driver for TimerDriver<D> {
    fn park(&mut self, timeout: Option<Duration>) {
        if self.shared.clock.is_paused() {
            self.park_paused(timeout)
        } else {
            self.park_real(timeout)
        }
    }

    fn unparker(&self) -> Unparker {
        self.inner.unparker()
    }

    fn woke_tasks(&self) -> bool {
        self.woke
    }

    fn enter(&self) -> DriverGuard {
        let inner = self.inner.enter();
        self.shared.entered.fetch_add(1, Ordering::AcqRel);
        let prev = CURRENT.with(|c| c.replace(Some(self.handle())));
        // Crates below the timer (corio-net's connect timeouts and server deadlines) find
        // this loop's clock through corio-core's hook.
        let prev_clock = corio_core::time::replace_clock(Some(&LOOP_CLOCK));
        // A paused clock's time is exact and cheap: no turn time is kept for it.
        let turn = (!self.shared.clock.is_paused()).then(Instant::now);
        let prev_turn = clock::set_turn_now(turn);
        SAVED.with(|s| s.borrow_mut().push((prev, prev_clock, prev_turn, inner)));
        DriverGuard::new(Entered)
    }
}

/// The timer current on this thread, as corio-core's clock hook: time and sleeps of
/// whichever timer driver is entered where it is asked (the paused virtual clock too).
struct LoopClock;

static LOOP_CLOCK: LoopClock = LoopClock;

impl corio_core::time::Clock for LoopClock {
    fn now(&self) -> std::time::Instant {
        crate::clock::now()
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> corio_core::BoxFuture<()> {
        Box::pin(crate::sleep_until(deadline))
    }
}

thread_local! {
    /// What each `enter` on this thread replaced and must restore, innermost last: the
    /// previous current timer and the inner driver's guard. Kept here, not in the guard,
    /// so that the guard is zero-sized and entering allocates nothing (a loop enters its
    /// driver on every `run`).
    static SAVED: RefCell<Vec<Saved>> = const { RefCell::new(Vec::new()) };
}

/// What one `enter` replaced: the current timer, the clock hook's clock, and the inner
/// driver's guard.
type Saved = (
    Option<TimerHandle>,
    Option<&'static dyn corio_core::time::Clock>,
    Option<Instant>,
    DriverGuard,
);

/// Restores the previous current timer, then exits the inner driver (guards are dropped
/// in the reverse order of their `enter`s, on the thread that entered).
struct Entered;

impl Drop for Entered {
    fn drop(&mut self) {
        if let Ok(Some((prev, prev_clock, prev_turn, inner))) =
            SAVED.try_with(|s| s.borrow_mut().pop())
        {
            corio_core::time::replace_clock(prev_clock);
            clock::set_turn_now(prev_turn);
            if let Ok(Some(exited)) = CURRENT.try_with(|c| c.replace(prev)) {
                exited.shared.entered.fetch_sub(1, Ordering::AcqRel);
            }
            drop(inner);
        }
    }
}

impl<D: Driver> Drop for TimerDriver<D> {
    fn drop(&mut self) {
        // The wheel outlives the driver while sleeps hold it: tell them to move.
        self.shared.dropped.store(true, Ordering::Release);
    }
}

/// Where a timer registered in `bound` must move to before it waits again, if anywhere:
/// `None` to stay.
///
/// A wheel fires only while its loop turns it, so a timer that waits in the wheel of a loop
/// that no longer runs (a `Sleep` armed in one `run` and awaited in the next, or carried
/// out of a loop whose thread exited) would never fire. So a timer that registered where it
/// was first polled (`pinned == false`) follows the loop polling it: the current thread's
/// timer when there is one; else it stays if its own loop still runs somewhere (that loop
/// fires it and wakes us across threads), and goes to the fallback timer otherwise. A timer
/// made for a given wheel (`pinned`, [`TimerHandle::sleep`]) stays there, unless that
/// wheel runs on the real clock and its driver was dropped.
pub(crate) fn rehome(bound: &Arc<Shared>, pinned: bool) -> Option<Arc<Shared>> {
    if pinned && (bound.clock.is_paused() || !bound.dropped.load(Ordering::Acquire)) {
        // A paused wheel is also turned by `TimerHandle::advance`, with or without its
        // driver: tests drive handles that way.
        return None;
    }
    let current = CURRENT.try_with(|c| {
        c.borrow()
            .as_ref()
            .map(|h| (!Arc::ptr_eq(&h.shared, bound)).then(|| h.shared.clone()))
    });
    match current {
        Ok(Some(other)) => other,
        Ok(None) | Err(_) => {
            if bound.is_live()
                || FALLBACK
                    .get()
                    .is_some_and(|f| Arc::ptr_eq(&f.shared, bound))
            {
                None
            } else {
                Some(fallback().shared.clone())
            }
        }
    }
}

impl<D: Driver + fmt::Debug> fmt::Debug for TimerDriver<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerDriver")
            .field("inner", &self.inner)
            .field("handle", &self.handle())
            .finish()
    }
}

/// A thread-safe handle to a [`TimerDriver`]'s wheel and clock.
///
/// Get one from [`TimerDriver::handle`], or [`TimerHandle::current`] inside a loop.
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
    /// loop with a [`TimerDriver`], the global fallback timer thread's (started on first
    /// use).
    ///
    /// # Examples
    ///
    /// ```
    /// // Outside any loop: the fallback timer, on the real clock.
    /// assert!(!corio_timer::TimerHandle::current().is_paused());
    /// ```
    pub fn current() -> TimerHandle {
        Self::try_current().unwrap_or_else(|| fallback().clone())
    }

    /// The timer of the corio loop running on this thread, if it has a [`TimerDriver`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio_timer::TimerHandle::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<TimerHandle> {
        CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
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
            clock::deadline_after(self.now(), duration),
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
                    .saturating_add(clock::duration_nanos(duration)),
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

/// The global fallback timer: a [`TimerDriver`] over a [`ThreadParker`] on its own thread,
/// started on first use, for timers polled outside any corio loop.
static FALLBACK: std::sync::OnceLock<TimerHandle> = std::sync::OnceLock::new();

fn fallback() -> &'static TimerHandle {
    FALLBACK.get_or_init(|| {
        let mut driver = TimerDriver::new(ThreadParker::new());
        let handle = driver.handle();
        std::thread::Builder::new()
            .name("corio-timer".into())
            .spawn(move || {
                loop {
                    driver.park(None);
                }
            })
            .expect("corio-timer: could not start the fallback timer thread");
        handle
    })
}

/// Moves the current thread's paused clock forward by `duration`, fires the timers then
/// due, and yields once to the loop so that their tasks run before the caller continues.
///
/// # Panics
///
/// When polled on a thread whose current timer is not paused (see
/// [`TimerDriver::new_paused`]).
///
/// # Cancel safety
///
/// The clock moves on the first poll; dropping the future afterwards only skips the yield.
///
/// # Examples
///
/// ```
/// use corio_timer::{TimerDriver, advance, clock, sleep};
/// use std::{cell::Cell, rc::Rc, time::Duration};
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let done = Rc::new(Cell::new(false));
///     let d = done.clone();
///     let _t = corio_executor::spawn(async move {
///         sleep(Duration::from_secs(10)).await;
///         d.set(true);
///     });
///     corio_executor::yield_now().await;
///     advance(Duration::from_secs(9)).await;
///     assert!(!done.get());
///     advance(Duration::from_secs(1)).await;
///     assert!(done.get());
/// });
/// ```
pub fn advance(duration: Duration) -> Advance {
    Advance {
        duration,
        moved: false,
    }
}

/// The future of [`advance`].
///
/// # Examples
///
/// ```
/// use corio_timer::TimerDriver;
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let start = corio_timer::clock::now();
///     let fut: corio_timer::Advance = corio_timer::advance(std::time::Duration::from_secs(2));
///     fut.await;
///     assert_eq!(corio_timer::clock::now() - start, std::time::Duration::from_secs(2));
/// });
/// ```
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct Advance {
    duration: Duration,
    moved: bool,
}

impl Future for Advance {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.moved {
            return Poll::Ready(());
        }
        let handle = TimerHandle::try_current()
            .expect("corio_timer::advance: no paused TimerDriver is running on this thread");
        handle.advance(self.duration);
        self.moved = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
