//! Time as the timers see it: the real clock, or a paused virtual one.

use std::time::Instant;

use crate::context;
use crate::ticks;

/// The current time of the timers on this thread.
///
/// Inside a loop driven by a paused [`TimerDriver`](crate::TimerDriver) this is the
/// virtual clock (its start instant plus the virtual time that has passed); everywhere else
/// it is [`Instant::now`]. Use it instead of `Instant::now` to compute deadlines and to
/// measure durations in code that tests run on virtual time.
///
/// # Examples
///
/// ```
/// use corio_timer::{TimerDriver, clock, sleep};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let start = clock::now();
///     sleep(Duration::from_secs(3600)).await; // an hour, on virtual time
///     assert_eq!(clock::now() - start, Duration::from_secs(3600));
/// });
/// ```
pub fn now() -> Instant {
    match context::try_current() {
        Some(shared) => shared.clock.now(),
        None => Instant::now(),
    }
}

/// The time a deadline that starts "now" is counted from, read without a clock call where
/// possible: on a real-clock loop, the time of its last turn (at most one turn old: the
/// loop turns its timer at least every 61 polls); elsewhere (a paused clock, outside any
/// loop) [`now`]. A deadline counted from it is at most one turn early, never late.
pub(crate) fn turn_now() -> Instant {
    match ticks::turn_time() {
        Some(t) => t,
        None => now(),
    }
}
