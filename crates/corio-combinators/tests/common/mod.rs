//! Shared helpers: a paused-clock executor, drop probes and poll counters.
#![allow(dead_code, unreachable_pub)]

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Runs `f` on a corio local executor with a paused virtual clock.
pub fn paused<F: Future>(f: F) -> F::Output {
    corio_executor::Builder::new()
        .driver(|p| Box::new(corio_timer::TimerDriver::new_paused(p)))
        .build_local()
        .run(f)
}

pub fn now() -> Instant {
    corio_timer::clock::now()
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

pub async fn sleep_secs(n: u64) {
    corio_timer::sleep(secs(n)).await
}

/// Counts how many times it was dropped.
#[derive(Clone, Default)]
pub struct DropCounter(pub Rc<Cell<usize>>);

impl DropCounter {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn probe(&self) -> DropProbe {
        DropProbe(self.0.clone())
    }
    pub fn get(&self) -> usize {
        self.0.get()
    }
}

pub struct DropProbe(Rc<Cell<usize>>);

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// A future that counts its polls and completes after `pending_polls` pending polls,
/// waking itself each time (so it needs exactly `pending_polls + 1` polls).
pub struct Counted {
    pub polls: Arc<AtomicUsize>,
    pub remaining: usize,
}

impl Future for Counted {
    type Output = usize;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        if self.remaining == 0 {
            Poll::Ready(1)
        } else {
            self.remaining -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[allow(unused_imports)] // not every test binary waits this way
pub use corio_test_support::yield_until;
