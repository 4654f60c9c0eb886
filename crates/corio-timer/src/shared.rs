//! The state a timer driver shares with its handles and with every registered timer: the
//! clock, the wheel under its lock, and whether a loop still turns it.

use corio_core::Unparker;

use crate::sync::{AtomicBool, AtomicUsize, Mutex, MutexGuard, Ordering, lock};
use crate::ticks::Clock;
use crate::wheel::Wheel;

/// The state a driver shares with its handles and with every registered timer.
pub(crate) struct Shared {
    pub(crate) clock: Clock,
    pub(crate) state: Mutex<State>,
    pub(crate) unparker: Unparker,
    /// How many threads have the driver entered (are running its loop) right now.
    pub(crate) entered: AtomicUsize,
    /// The driver was dropped: nobody will ever turn this wheel again.
    pub(crate) dropped: AtomicBool,
}

pub(crate) struct State {
    pub(crate) wheel: Wheel,
    /// While the driver thread is parked: the tick it will wake at by itself (`u64::MAX`
    /// when it waits without a deadline). `0` while it is not parked: a timer registered
    /// then is seen before the next park, so nobody needs to wake the driver.
    pub(crate) sleeping_until: u64,
}

impl Shared {
    pub(crate) fn new(paused: bool, unparker: Unparker) -> Self {
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
    pub(crate) fn is_live(&self) -> bool {
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
