//! Which timer is current on this thread: the one a loop entered (installed by
//! [`TimerDriver`](crate::TimerDriver)'s entry, with the clock hook of corio-core), else
//! the global fallback timer thread; and where a timer moves when its loop stopped.

use std::cell::RefCell;
use std::time::Instant;

use crate::fallback;
use crate::shared::Shared;
use crate::sync::{Arc, Ordering};
use crate::ticks;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

/// Runs `f` with `shared`'s timer as the current one of this thread (and `clock` as
/// corio-core's clock hook); what was current before is back when `f` returns or unwinds.
/// The timer half of [`TimerDriver`](crate::TimerDriver)'s [`Entry`](corio_core::Entry).
pub(crate) fn scoped(
    shared: &Arc<Shared>,
    clock: &'static dyn corio_core::time::Clock,
    f: &mut dyn FnMut(),
) {
    let _installed = install(shared.clone(), clock);
    f();
}

/// Installs `shared` as this thread's timer; dropping the result puts back what it
/// replaced.
fn install(shared: Arc<Shared>, clock: &'static dyn corio_core::time::Clock) -> Installed {
    shared.entered.fetch_add(1, Ordering::AcqRel);
    // A paused clock's time is exact and cheap: no turn time is kept for it.
    let turn = (!shared.clock.is_paused()).then(Instant::now);
    let prev = CURRENT.with(|c| c.replace(Some(shared)));
    // Crates below the timer (corio-net's connect timeouts and server deadlines) find
    // this loop's clock through corio-core's hook.
    let prev_clock = corio_core::time::replace_clock(Some(clock));
    let prev_turn = ticks::set_turn_now(turn);
    Installed {
        prev,
        prev_clock,
        prev_turn,
    }
}

/// What one entry replaced: the current timer, the clock hook's clock and the turn time.
struct Installed {
    prev: Option<Arc<Shared>>,
    prev_clock: Option<&'static dyn corio_core::time::Clock>,
    prev_turn: Option<Instant>,
}

impl Drop for Installed {
    fn drop(&mut self) {
        corio_core::time::replace_clock(self.prev_clock.take());
        ticks::set_turn_now(self.prev_turn.take());
        if let Ok(Some(exited)) = CURRENT.try_with(|c| c.replace(self.prev.take())) {
            exited.entered.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// The current thread's timer, if a loop with a [`TimerDriver`](crate::TimerDriver)
/// entered it.
pub(crate) fn try_current() -> Option<Arc<Shared>> {
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}

/// The current thread's timer, else the global fallback timer (started on first use).
pub(crate) fn current() -> Arc<Shared> {
    try_current().unwrap_or_else(|| fallback::fallback().clone())
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
/// made for a given wheel (`pinned`, [`TimerHandle::sleep`](crate::TimerHandle::sleep)) stays there, unless that
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
            .map(|h| (!Arc::ptr_eq(h, bound)).then(|| h.clone()))
    });
    match current {
        Ok(Some(other)) => other,
        Ok(None) | Err(_) => {
            if bound.is_live() || fallback::is_fallback(bound) {
                None
            } else {
                Some(fallback::fallback().clone())
            }
        }
    }
}
