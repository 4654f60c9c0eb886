//! `interval`, `interval_at`, `Interval` and `MissedTickBehavior`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::clock;
use crate::sleep::{Sleep, sleep_until};
use crate::ticks;

/// What an [`Interval`] does when ticks were missed (the task took longer than a period
/// to come back to [`tick`](Interval::tick), or the loop was busy).
///
/// Say the period is 10 ms, ticks are due at 0, 10, 20, 30…, and the task comes back to
/// `tick()` at 35 ms, having missed the ticks of 20 and 30:
///
/// | behaviour | ticks seen after the delay | the schedule afterwards |
/// |---|---|---|
/// | [`Burst`](Self::Burst) | 20 and 30 at once (at 35), then 40 | unchanged: 40, 50, … |
/// | [`Delay`](Self::Delay) | 20 at once (at 35) | restarts from then: 45, 55, … |
/// | [`Skip`](Self::Skip) | 20 at once (at 35) | the missed ones are dropped: 40, 50, … |
///
/// The default is `Skip`: no bursts of catch-up work after a stall, and ticks stay on the
/// original grid.
///
/// # Examples
///
/// ```
/// use corio_timer::{MissedTickBehavior, interval};
/// use std::time::Duration;
/// let mut iv = interval(Duration::from_millis(10));
/// assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Skip);
/// iv.set_missed_tick_behavior(MissedTickBehavior::Burst);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MissedTickBehavior {
    /// Deliver every missed tick, as fast as they are asked for, keeping the schedule.
    Burst,
    /// Deliver one late tick now and restart the schedule one period after it.
    Delay,
    /// Deliver one late tick now and skip the missed ones, keeping the schedule.
    #[default]
    Skip,
}

/// Ticks every `period`, the first tick completing at once.
///
/// # Panics
///
/// If `period` is zero.
///
/// # Examples
///
/// ```
/// use corio_timer::{TimerDriver, clock, interval};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let start = clock::now();
///     let mut iv = interval(Duration::from_secs(1));
///     for _ in 0..3 {
///         iv.tick().await; // at 0 s, 1 s, 2 s
///     }
///     assert_eq!(clock::now() - start, Duration::from_secs(2));
/// });
/// ```
pub fn interval(period: Duration) -> Interval {
    interval_at(clock::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// If `period` is zero.
///
/// # Examples
///
/// ```
/// use corio_timer::{TimerDriver, clock, interval_at};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let start = clock::now() + Duration::from_secs(5);
///     let mut iv = interval_at(start, Duration::from_secs(1));
///     assert_eq!(iv.tick().await, start);
///     assert_eq!(iv.tick().await, start + Duration::from_secs(1));
/// });
/// ```
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "corio_timer::interval: the period must be non-zero"
    );
    Interval {
        sleep: sleep_until(start),
        period,
        behavior: MissedTickBehavior::default(),
    }
}

/// A stream of ticks every `period`; see [`interval`] and [`MissedTickBehavior`].
///
/// # Examples
///
/// ```
/// use corio_timer::{TimerDriver, interval};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let mut iv = interval(Duration::from_millis(100));
///     let first = iv.tick().await;
///     let second = iv.tick().await;
///     assert_eq!(second - first, Duration::from_millis(100));
/// });
/// ```
pub struct Interval {
    sleep: Sleep,
    period: Duration,
    behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled for.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future before it completes loses no tick; the next call
    /// returns the same tick.
    ///
    /// # Examples
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let mut iv = corio_timer::interval(std::time::Duration::from_millis(1));
    ///     let t0 = iv.tick().await;
    ///     let t1 = iv.tick().await;
    ///     assert!(t1 > t0);
    /// });
    /// ```
    pub fn tick(&mut self) -> Tick<'_> {
        Tick { interval: self }
    }

    /// Polls for the next tick: `Ready(scheduled instant)` once it is due.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut iv = corio_timer::interval(std::time::Duration::from_secs(1));
    /// let w = futures::task::noop_waker();
    /// let mut cx = std::task::Context::from_waker(&w);
    /// assert!(iv.poll_tick(&mut cx).is_ready()); // the first tick is immediate
    /// assert!(iv.poll_tick(&mut cx).is_pending());
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let scheduled = self.sleep.deadline();
        let now = clock::now().max(scheduled);
        let on_grid = add(scheduled, self.period);
        let next = if now < on_grid {
            on_grid
        } else {
            match self.behavior {
                MissedTickBehavior::Burst => on_grid,
                MissedTickBehavior::Delay => add(now, self.period),
                MissedTickBehavior::Skip => {
                    let period = self.period.as_nanos();
                    let behind = (now - scheduled).as_nanos();
                    let skip = u32::try_from(behind / period + 1).unwrap_or(u32::MAX);
                    match self.period.checked_mul(skip) {
                        Some(d) => add(scheduled, d),
                        None => add(now, self.period),
                    }
                }
            }
        };
        self.sleep.reset(next);
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick is one period from now.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut iv = corio_timer::interval(std::time::Duration::from_secs(1));
    /// iv.reset();
    /// let w = futures::task::noop_waker();
    /// assert!(iv.poll_tick(&mut std::task::Context::from_waker(&w)).is_pending());
    /// ```
    pub fn reset(&mut self) {
        self.sleep.reset(add(clock::now(), self.period));
    }

    /// The period.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(corio_timer::interval(Duration::from_secs(2)).period(), Duration::from_secs(2));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What happens to missed ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::MissedTickBehavior;
    /// let iv = corio_timer::interval(std::time::Duration::from_secs(2));
    /// assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Skip);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.behavior
    }

    /// Sets what happens to missed ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::MissedTickBehavior;
    /// let mut iv = corio_timer::interval(std::time::Duration::from_secs(2));
    /// iv.set_missed_tick_behavior(MissedTickBehavior::Delay);
    /// assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Delay);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.behavior = behavior;
    }
}

fn add(t: Instant, d: Duration) -> Instant {
    ticks::deadline_after(t, d)
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("next", &self.sleep.deadline())
            .field("period", &self.period)
            .field("missed_tick_behavior", &self.behavior)
            .finish()
    }
}

/// The future of [`Interval::tick`].
///
/// # Examples
///
/// ```
/// let mut iv = corio_timer::interval(std::time::Duration::from_millis(1));
/// let tick: corio_timer::Tick<'_> = iv.tick();
/// futures::executor::block_on(tick);
/// ```
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct Tick<'a> {
    interval: &'a mut Interval,
}

impl Future for Tick<'_> {
    type Output = Instant;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Instant> {
        self.interval.poll_tick(cx)
    }
}
