//! Time as a timer driver keeps it: its [`Clock`] (real, or paused and virtual), the
//! conversions between instants and the wheel's 1 ms ticks, saturating deadlines, and the
//! time of the loop's last turn.

use std::time::{Duration, Instant};

use crate::sync::{AtomicU64, Ordering};

/// Nanoseconds per tick: the wheel's resolution is one millisecond.
const TICK_NANOS: u128 = 1_000_000;

/// How far ahead a deadline may be and still be kept in the wheel: 2^40 ms, about 34.8
/// years. Deadlines further away are "never".
pub(crate) const NEVER_TICKS: u64 = 1 << 40;

thread_local! {
    /// The real-clock time of the current loop's last turn (libuv's `uv_now`), kept by the
    /// loop's [`TimerDriver`](crate::TimerDriver) each time it parks; `None` outside a
    /// real-clock loop.
    static TURN_NOW: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
}

/// Sets the time of this thread's loop turn (the timer driver does, at each park and when
/// entered); returns the previous value, which an exiting driver restores.
pub(crate) fn set_turn_now(t: Option<Instant>) -> Option<Instant> {
    TURN_NOW.try_with(|c| c.replace(t)).ok().flatten()
}

/// The time of this thread's last loop turn, if a real-clock loop keeps one.
pub(crate) fn turn_time() -> Option<Instant> {
    TURN_NOW.try_with(std::cell::Cell::get).ok().flatten()
}

/// A deadline so far ahead that it means "never": `now` plus about 34.8 years, or the
/// largest representable instant short of that.
pub(crate) fn far_future(now: Instant) -> Instant {
    let mut ahead = Duration::from_millis(NEVER_TICKS);
    loop {
        if let Some(t) = now.checked_add(ahead) {
            return t;
        }
        ahead /= 2;
    }
}

/// `now + dur`, saturating to [`far_future`] (never) instead of overflowing.
pub(crate) fn deadline_after(now: Instant, dur: Duration) -> Instant {
    match now.checked_add(dur) {
        Some(t) if dur < Duration::from_millis(NEVER_TICKS) => t,
        _ => far_future(now),
    }
}

/// A driver's clock: real, or paused (virtual).
#[derive(Debug)]
pub(crate) struct Clock {
    base: Instant,
    paused: bool,
    /// Virtual time passed since `base`, in nanoseconds (paused clocks only).
    offset: AtomicU64,
}

impl Clock {
    pub(crate) fn new(paused: bool) -> Self {
        Clock {
            base: Instant::now(),
            paused,
            offset: AtomicU64::new(0),
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused
    }

    pub(crate) fn now(&self) -> Instant {
        if self.paused {
            self.base + Duration::from_nanos(self.offset.load(Ordering::Acquire))
        } else {
            Instant::now()
        }
    }

    /// The tick `now` falls in (rounded down).
    pub(crate) fn tick_of_now(&self, now: Instant) -> u64 {
        let nanos = now.saturating_duration_since(self.base).as_nanos() / TICK_NANOS;
        u64::try_from(nanos).unwrap_or(u64::MAX)
    }

    /// The tick at which a timer for `deadline` fires (rounded up, so never early).
    pub(crate) fn tick_of_deadline(&self, deadline: Instant) -> u64 {
        let nanos = deadline.saturating_duration_since(self.base).as_nanos();
        u64::try_from(nanos.div_ceil(TICK_NANOS)).unwrap_or(u64::MAX)
    }

    /// The instant tick `tick` starts at, if representable.
    pub(crate) fn instant_of_tick(&self, tick: u64) -> Option<Instant> {
        self.base.checked_add(Duration::from_millis(tick))
    }

    /// Virtual time passed, in nanoseconds.
    pub(crate) fn offset_nanos(&self) -> u64 {
        self.offset.load(Ordering::Acquire)
    }

    /// Moves a paused clock forward to `nanos` since base (never backwards). Callers hold
    /// the wheel lock, so moves are serialised.
    pub(crate) fn set_offset_nanos(&self, nanos: u64) {
        if nanos > self.offset.load(Ordering::Acquire) {
            self.offset.store(nanos, Ordering::Release);
        }
    }
}

/// Nanoseconds in `ticks` milliseconds, saturating.
pub(crate) fn ticks_to_nanos(ticks: u64) -> u64 {
    ticks.saturating_mul(TICK_NANOS as u64)
}

/// `d` in nanoseconds, saturating.
pub(crate) fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
