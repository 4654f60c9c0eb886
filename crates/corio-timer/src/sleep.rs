//! `sleep`, `sleep_until` and their future, `Sleep`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use corio_core::coop;

use crate::clock;
use crate::context;
use crate::shared::Shared;
use crate::sync::Arc;
use crate::ticks::{self, NEVER_TICKS};
use crate::wheel::EntryPoll;

const NO_KEY: u32 = u32::MAX;

/// asyncio.sleep: waits until `duration` has passed.
///
/// The deadline is computed now, with [`clock::now`](crate::clock::now) (virtual time in a
/// paused loop). The timer registers, when first polled, in the current thread's corio loop
/// if it has a [`TimerDriver`](crate::TimerDriver), or else in the global fallback timer
/// thread, so the future works under any executor (tokio, smol, `futures::executor`).
///
/// A zero duration completes on the first poll, spending one unit of the cooperative
/// budget (so a loop of zero sleeps still lets other tasks run); to yield exactly one turn
/// use `corio_executor::yield_now`. A duration too large to represent (say
/// `Duration::MAX`), or more than about 34 years, saturates to "never": the future stays
/// pending forever and holds no timer entry; it does not panic or wrap.
///
/// # Cancel safety
///
/// Cancel-safe: dropping the future removes its timer from the wheel at once (O(1)).
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
///     sleep(Duration::from_millis(250)).await;
///     assert_eq!(clock::now() - start, Duration::from_millis(250));
/// });
/// // Under another executor, on the real clock:
/// futures::executor::block_on(sleep(Duration::from_millis(1)));
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    Sleep::new_in(None, ticks::deadline_after(clock::now(), duration))
}

/// Waits until `deadline` (an instant of [`clock::now`](crate::clock::now)'s clock).
///
/// An instant already passed completes on the first poll. Everything else is as for
/// [`sleep`].
///
/// # Cancel safety
///
/// Cancel-safe: dropping the future removes its timer from the wheel at once.
///
/// # Examples
///
/// ```
/// use corio_timer::{clock, sleep_until};
/// use std::time::Duration;
///
/// futures::executor::block_on(async {
///     let deadline = clock::now() + Duration::from_millis(2);
///     sleep_until(deadline).await;
///     assert!(clock::now() >= deadline);
///     sleep_until(deadline - Duration::from_millis(1)).await; // in the past: at once
/// });
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new_in(None, deadline)
}

/// The future of [`sleep`] and [`sleep_until`]: completes at its deadline.
///
/// Its timer is an entry in a timer wheel, registered on the first poll and removed when
/// the `Sleep` is dropped. [`reset`](Sleep::reset) moves it to a new deadline without
/// allocating. After it completes it keeps returning `Ready` until it is reset.
///
/// A `Sleep` may be moved to and polled on another thread or in another loop. Made by
/// [`sleep`] or [`sleep_until`], it waits in the wheel of the loop that polls it: when it
/// is polled under another timer than the one it registered in (a second `run` after the
/// first ended, a loop on another thread), it moves its entry there, keeping its deadline;
/// polled outside any loop, it stays in its wheel while that wheel's loop still runs and
/// moves to the fallback timer thread once it does not. So it fires wherever it is awaited,
/// instead of waiting on a wheel that nobody turns. Made by
/// [`TimerHandle::sleep`](crate::TimerHandle::sleep), it stays in that timer's wheel; only
/// when that timer runs on the real clock and its driver was dropped does it move (a paused
/// wheel is still turned by [`TimerHandle::advance`](crate::TimerHandle::advance)).
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
///     let mut s = sleep(Duration::from_secs(1));
///     assert_eq!(s.deadline(), start + Duration::from_secs(1));
///     (&mut s).await;
///     assert!(s.is_elapsed());
///     s.reset(clock::now() + Duration::from_secs(2)); // reuse it
///     s.await;
///     assert_eq!(clock::now() - start, Duration::from_secs(3));
/// });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    deadline: Instant,
    /// The wheel it is (or will be) registered in.
    shared: Option<Arc<Shared>>,
    /// Made for a given wheel ([`TimerHandle::sleep`]) rather than the one polling it.
    pinned: bool,
    key: u32,
    /// The deadline changed since the entry was armed: compare it with the clock on the
    /// next poll, so that a deadline already passed completes at once.
    recheck: bool,
    /// Completed without an entry (deadline passed on first poll).
    done: bool,
    /// What the task call graph shows while it waits.
    slot: corio_core::callgraph::WaitSlot,
}

impl Sleep {
    pub(crate) fn new_in(shared: Option<Arc<Shared>>, deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            pinned: shared.is_some(),
            shared,
            key: NO_KEY,
            recheck: false,
            done: false,
            slot: corio_core::callgraph::WaitSlot::new(),
        }
    }

    /// The instant this sleep completes at.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::{clock, sleep_until};
    /// let when = clock::now() + std::time::Duration::from_secs(5);
    /// assert_eq!(sleep_until(when).deadline(), when);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed (on the clock of the timer it is registered in, or
    /// else the current thread's).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_timer::{clock, sleep, sleep_until};
    /// use std::time::Duration;
    /// assert!(sleep_until(clock::now()).is_elapsed());
    /// assert!(!sleep(Duration::from_secs(60)).is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        if self.done {
            return true;
        }
        if let Some(shared) = &self.shared {
            if self.key != NO_KEY && shared.lock().wheel.is_fired(self.key) {
                return true;
            }
            return shared.clock.now() >= self.deadline;
        }
        clock::now() >= self.deadline
    }

    /// Moves the deadline to `deadline`, whether or not the sleep had completed, reusing its
    /// wheel entry (no allocation). A deadline already passed completes on the next poll.
    ///
    /// The waker of the last poll is kept, so a task waiting on this sleep is woken at the
    /// new deadline even if it does not poll in between.
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
    ///     let mut idle = Box::pin(sleep(Duration::from_secs(10)));
    ///     idle.as_mut().reset(start + Duration::from_secs(3)); // sooner
    ///     idle.await;
    ///     assert_eq!(clock::now() - start, Duration::from_secs(3));
    /// });
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        self.done = false;
        if self.key != NO_KEY {
            let shared = self
                .shared
                .as_ref()
                .expect("registered sleep without a wheel");
            let tick = shared.clock.tick_of_deadline(deadline);
            let mut st = shared.lock();
            if tick.saturating_sub(st.wheel.elapsed()) >= NEVER_TICKS {
                // Never: give the entry back.
                st.wheel.remove(self.key);
                self.key = NO_KEY;
                return;
            }
            st.wheel.reset(self.key, tick);
            shared.armed(&st, tick);
            self.recheck = true;
        }
    }

    /// Polls without spending the cooperative budget (for `Timeout`, whose deadline must
    /// be seen even when its inner future spent the budget).
    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        if self.key != NO_KEY {
            let shared = self
                .shared
                .as_ref()
                .expect("registered sleep without a wheel");
            if let Some(home) = context::rehome(shared, self.pinned) {
                // Leave a wheel nobody turns for the one polling us (see `rehome`).
                let fired = {
                    let mut st = shared.lock();
                    let fired = st.wheel.is_fired(self.key);
                    st.wheel.remove(self.key);
                    fired
                };
                self.key = NO_KEY;
                self.recheck = false;
                if fired {
                    self.done = true;
                    return Poll::Ready(());
                }
                self.shared = Some(home);
                return self.register(cx);
            }
            if self.recheck {
                self.recheck = false;
                if shared.clock.now() >= self.deadline {
                    shared.lock().wheel.fire_now(self.key);
                    return Poll::Ready(());
                }
            }
            return match shared.lock().wheel.poll(self.key, cx.waker()) {
                EntryPoll::Fired => Poll::Ready(()),
                EntryPoll::Armed => Poll::Pending,
            };
        }
        if let Some(home) = self
            .shared
            .as_ref()
            .and_then(|s| context::rehome(s, self.pinned))
        {
            self.shared = Some(home);
        }
        self.register(cx)
    }

    /// First poll (or first after a reset that left no entry, or a move): registers.
    fn register(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let shared = match &self.shared {
            Some(s) => s,
            None => self.shared.insert(context::current()),
        };
        let now = shared.clock.now();
        if now >= self.deadline {
            self.done = true;
            return Poll::Ready(());
        }
        let tick = shared.clock.tick_of_deadline(self.deadline);
        if tick.saturating_sub(shared.clock.tick_of_now(now)) >= NEVER_TICKS {
            return Poll::Pending; // never
        }
        let mut st = shared.lock();
        if tick <= st.wheel.elapsed() {
            // The wheel fired this tick between our clock read and the lock.
            self.done = true;
            return Poll::Ready(());
        }
        self.key = st.wheel.insert(tick, Some(cx.waker().clone()));
        shared.armed(&st, tick);
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Spend budget only when completing: a pending timer costs the task nothing.
        if this.poll_elapsed(cx).is_pending() {
            let (deadline, shared) = (this.deadline, &this.shared);
            this.slot.pending(|| {
                // On the wall clock, so the graph's "until +2.3 s" is right under a paused
                // (virtual) clock too.
                let now = shared.as_ref().map_or_else(clock::now, |s| s.clock.now());
                let left = deadline.saturating_duration_since(now);
                corio_core::callgraph::WaitOn::new("sleep").until(Instant::now() + left)
            });
            return Poll::Pending;
        }
        this.slot.done();
        coop::poll_proceed(cx)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if self.key != NO_KEY {
            if let Some(shared) = &self.shared {
                shared.lock().wheel.remove(self.key);
            }
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("registered", &(self.key != NO_KEY))
            .finish()
    }
}
