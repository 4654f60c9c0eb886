//! Why this lives in core: it is the bottom layer of every driver stack (the executor's
//! when nothing else is installed, the timer's fallback thread's), so every crate that
//! builds a stack needs the same one.

use std::sync::{Arc, Condvar, Mutex};
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

#[derive(Debug)]
struct Inner {
    notified: Mutex<bool>,
    cvar: Condvar,
}

impl ThreadParker {
    /// A parker with no pending wake-up.
    pub fn new() -> Self {
        ThreadParker {
            inner: Arc::new(Inner {
                notified: Mutex::new(false),
                cvar: Condvar::new(),
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
        let mut notified = self
            .inner
            .notified
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match timeout {
            Some(t) if t.is_zero() => {}
            None => {
                while !*notified {
                    notified = self
                        .inner
                        .cvar
                        .wait(notified)
                        .unwrap_or_else(|e| e.into_inner());
                }
            }
            Some(t) => {
                // A timeout too large for Instant means "no timeout".
                match Instant::now().checked_add(t) {
                    None => {
                        while !*notified {
                            notified = self
                                .inner
                                .cvar
                                .wait(notified)
                                .unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    Some(deadline) => {
                        while !*notified {
                            let now = Instant::now();
                            if now >= deadline {
                                break;
                            }
                            notified = self
                                .inner
                                .cvar
                                .wait_timeout(notified, deadline - now)
                                .unwrap_or_else(|e| e.into_inner())
                                .0;
                        }
                    }
                }
            }
        }
        *notified = false;
    }

    fn unparker(&self) -> Unparker {
        Unparker::new(self.inner.clone())
    }
}

impl Unpark for Inner {
    fn unpark(&self) {
        let mut notified = self.notified.lock().unwrap_or_else(|e| e.into_inner());
        if !*notified {
            *notified = true;
            self.cvar.notify_one();
        }
    }
}
