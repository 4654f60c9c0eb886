//! The clock hook: how a crate below the timer (corio-net) reaches corio's timers without
//! depending on corio-timer, so that every deadline in corio obeys the same clock, the
//! paused virtual one included (DESIGN, "One clock").
//!
//! A timer driver makes its [`Clock`] current on its thread while it is entered (corio-timer
//! does, for the loops the facade builds); a deadline then asks [`current_clock`] and falls
//! back to its own means when no corio timer runs there (corio-net under tokio, say).

use std::cell::Cell;
use std::time::Instant;

use crate::BoxFuture;

/// A source of time and sleeps: the timer current on this thread.
///
/// # Examples
///
/// ```
/// use corio_core::time::{Clock, current_clock, replace_clock};
/// use std::time::Instant;
///
/// struct Frozen;
/// static FROZEN_AT: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
/// impl Clock for Frozen {
///     fn now(&self) -> Instant { *FROZEN_AT.get_or_init(Instant::now) }
///     fn sleep_until(&self, _: Instant) -> corio_core::BoxFuture<()> {
///         Box::pin(std::future::ready(()))
///     }
/// }
/// static CLOCK: Frozen = Frozen;
///
/// let prev = replace_clock(Some(&CLOCK));
/// assert_eq!(current_clock().unwrap().now(), current_clock().unwrap().now());
/// replace_clock(prev);
/// assert!(current_clock().is_none());
/// ```
pub trait Clock: Sync {
    /// The current time as this clock's timers see it (virtual when paused).
    fn now(&self) -> Instant;

    /// A future that completes once `deadline` has passed on this clock.
    fn sleep_until(&self, deadline: Instant) -> BoxFuture<()>;
}

thread_local! {
    static CLOCK: Cell<Option<&'static dyn Clock>> = const { Cell::new(None) };
}

/// Makes `clock` current on this thread and returns the one it replaces, which the caller
/// restores when it leaves (timer drivers do so on exit, innermost last).
///
/// # Examples
///
/// See [`Clock`].
pub fn replace_clock(clock: Option<&'static dyn Clock>) -> Option<&'static dyn Clock> {
    CLOCK.try_with(|c| c.replace(clock)).ok().flatten()
}

/// The clock current on this thread, if a corio timer driver is entered here.
///
/// # Examples
///
/// ```
/// assert!(corio_core::time::current_clock().is_none()); // no loop on this thread
/// ```
pub fn current_clock() -> Option<&'static dyn Clock> {
    CLOCK.try_with(|c| c.get()).ok().flatten()
}

/// The current clock's time, or [`Instant::now`] when no clock is current.
///
/// # Examples
///
/// ```
/// let before = std::time::Instant::now();
/// assert!(corio_core::time::now() >= before);
/// ```
pub fn now() -> Instant {
    match current_clock() {
        Some(c) => c.now(),
        None => Instant::now(),
    }
}
