//! [`Turn`]: the timer layer's work at each park: wait in the driver below until the next
//! deadline (or jump a paused clock to it), then fire every timer that expired.

use std::task::Waker;
use std::time::{Duration, Instant};

use corio_core::Driver;

use crate::shared::Shared;
use crate::sync::Arc;
use crate::ticks;

/// A wheel's [`Shared`] state turned over a driver `D`: what
/// [`TimerDriver`](crate::TimerDriver) does when parked, and all the global fallback
/// timer thread does.
pub(crate) struct Turn<D: Driver> {
    pub(crate) inner: D,
    pub(crate) shared: Arc<Shared>,
    wake: Vec<Waker>,
    /// Whether the last park fired a timer or the layer below woke a task.
    woke: bool,
}

impl<D: Driver> Turn<D> {
    /// A new wheel over `inner`, on the real clock or a paused one.
    pub(crate) fn new(inner: D, paused: bool) -> Self {
        let shared = Arc::new(Shared::new(paused, inner.unparker()));
        Turn {
            inner,
            shared,
            wake: Vec::new(),
            woke: false,
        }
    }

    /// Whether the last park fired a timer or the layer below woke a task.
    pub(crate) fn woke(&self) -> bool {
        self.woke
    }

    /// Waits up to `timeout` (or jumps a paused clock), then fires what expired.
    pub(crate) fn park(&mut self, timeout: Option<Duration>) {
        if self.shared.clock.is_paused() {
            self.park_paused(timeout)
        } else {
            self.park_real(timeout)
        }
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
        ticks::set_turn_now(Some(wall));
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
                    .saturating_add(ticks::duration_nanos(t))
            });
            let mut jumped = false;
            while let Some(next) = st.wheel.next_expiration() {
                jumped = true;
                let target = ticks::ticks_to_nanos(next);
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
