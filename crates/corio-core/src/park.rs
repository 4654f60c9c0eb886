//! Why this lives in core: it is the bottom layer of every driver stack (the executor's
//! when nothing else is installed, the timer's fallback thread's), so every crate that
//! builds a stack needs the same one.
//!
//! Why not the `parking` crate (the same design: a state word, a mutex and a condvar),
//! measured on the 2-core VM (release build, medians of 9 runs of 10^6 operations; 5 of
//! 20 000 round trips): a cross-thread park/unpark round trip costs 3.9 us with either,
//! the cost that matters (the OS wake-up dominates); `park(Some(0))` with nothing
//! pending, the busy loop's periodic check, 3.2 ns here and 2.7 ns there; unpark then park
//! on one thread, 8.5 ns here and 4.4 ns there (this one unparks through an
//! `Arc<dyn Unpark>`, as every driver's unparker is). A few nanoseconds per idle turn do
//! not pay for what the crate would cost: DESIGN.md keeps core's dependencies to
//! futures-core/-io (scripts/check_dag.py enforces it), and `parking` is model-checked
//! under the bare `loom` cfg, where this parker runs under corio's own `corio_loom`
//! models (tests/loom_parker.rs).

#[cfg(corio_loom)]
use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(corio_loom)]
use loom::sync::{Condvar, Mutex};
use std::sync::Arc;
#[cfg(not(corio_loom))]
use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(corio_loom))]
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::{Driver, Unpark, Unparker};

/// The simplest [`Driver`]: it sleeps the thread until the timeout or an unpark.
///
/// A wake-up that arrives while the thread is not parked is remembered (one token), so the
/// next [`park`](Driver::park) returns at once: no wake-up is lost between a loop's last
/// look at its queues and its sleep.
///
/// # Examples
///
/// ```
/// use corio_core::{Driver, ThreadParker};
/// use std::time::{Duration, Instant};
///
/// let mut parker = ThreadParker::new();
/// let unparker = parker.unparker();
/// let t = std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_millis(10));
///     unparker.unpark();
/// });
/// let start = Instant::now();
/// parker.park(None); // until the other thread unparks us
/// assert!(start.elapsed() >= Duration::from_millis(5));
/// t.join().unwrap();
/// ```
#[derive(Debug)]
pub struct ThreadParker {
    inner: Arc<Inner>,
}

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// The state machine of `std::thread::park`, on a mutex and condition variable of our
/// own: an unpark of a thread that is not asleep is one atomic swap, no lock and no
/// system call. (Measured: the mutex-and-notify version cost a futex wake per cross-thread
/// wake-up, which doubled the time of the multi-thread spawn benchmark.)
#[derive(Debug)]
struct Inner {
    state: AtomicUsize,
    lock: Mutex<()>,
    cvar: Condvar,
    /// loom only: notifications sent, so the model can check that none lands in the
    /// window between "parked" and the wait, which the lock exists to close.
    #[cfg(corio_loom)]
    notifies: AtomicUsize,
}

impl ThreadParker {
    /// A parker with no pending wake-up.
    pub fn new() -> Self {
        ThreadParker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                cvar: Condvar::new(),
                #[cfg(corio_loom)]
                notifies: AtomicUsize::new(0),
            }),
        }
    }
}

impl Default for ThreadParker {
    fn default() -> Self {
        Self::new()
    }
}

impl Driver for ThreadParker {
    fn park(&mut self, timeout: Option<Duration>) {
        let inner = &*self.inner;
        // A pending wake-up is consumed without sleeping.
        if inner
            .state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
        if timeout.is_some_and(|t| t.is_zero()) {
            return;
        }
        // A timeout too large for Instant means "no timeout".
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut guard = inner.lock.lock().unwrap_or_else(|e| e.into_inner());
        match inner
            .state
            .compare_exchange(EMPTY, PARKED, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => {}
            Err(_) => {
                // Notified between the first check and taking the lock.
                inner.state.store(EMPTY, Ordering::SeqCst);
                return;
            }
        }
        #[cfg(corio_loom)]
        {
            // Between "parked" and the wait, no notification may be sent: it would reach
            // no waiter and be lost. Holding the lock is what guarantees it.
            let before = inner.notifies.load(Ordering::SeqCst);
            loom::thread::yield_now();
            assert_eq!(
                inner.notifies.load(Ordering::SeqCst),
                before,
                "lost wake-up: notified between parking and waiting"
            );
        }
        loop {
            guard = match deadline {
                None => inner.cvar.wait(guard).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        // Timed out; a notification that raced with us is consumed too.
                        inner.state.store(EMPTY, Ordering::SeqCst);
                        return;
                    }
                    inner
                        .cvar
                        .wait_timeout(guard, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
            if inner
                .state
                .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return;
            }
            // Spurious wake-up: still PARKED, wait again.
        }
    }

    fn unparker(&self) -> Unparker {
        Unparker::new(self.inner.clone())
    }
}

impl Unpark for Inner {
    fn unpark(&self) {
        match self.state.swap(NOTIFIED, Ordering::SeqCst) {
            EMPTY | NOTIFIED => {} // not asleep: it will see the token
            _ => {
                // Asleep (or about to be): take the lock so the notify cannot slip in
                // between its state change and its wait, then wake it.
                #[cfg(corio_loom)]
                let skip_lock =
                    crate::mutation::active(crate::mutation::Mutation::UnparkWithoutLock);
                #[cfg(not(corio_loom))]
                let skip_lock = false;
                if !skip_lock {
                    drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()));
                }
                #[cfg(corio_loom)]
                self.notifies.fetch_add(1, Ordering::SeqCst);
                self.cvar.notify_one();
            }
        }
    }
}
