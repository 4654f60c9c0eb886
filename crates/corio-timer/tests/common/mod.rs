//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Wake, Waker};

use corio_executor::{Builder, LocalExecutor};
use corio_timer::TimerDriver;

/// A single-thread corio loop on a paused virtual clock.
pub fn paused_loop() -> LocalExecutor {
    Builder::new()
        .driver(|p| Box::new(TimerDriver::new_paused(p)))
        .build_local()
}

/// A single-thread corio loop on the real clock.
pub fn real_loop() -> LocalExecutor {
    Builder::new()
        .driver(|p| Box::new(TimerDriver::new(p)))
        .build_local()
}

/// Counts its drops.
#[derive(Debug, Clone, Default)]
pub struct DropProbe(pub Arc<AtomicUsize>);

impl DropProbe {
    pub fn dropped(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    pub fn guard(&self) -> DropGuard {
        DropGuard(self.0.clone())
    }
}

/// Bumps its probe's count when dropped.
#[derive(Debug)]
pub struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A waker that counts its wakes.
#[derive(Debug, Default)]
pub struct CountingWaker(pub AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A counting waker and its `Waker`.
pub fn counting_waker() -> (Arc<CountingWaker>, Waker) {
    let c = Arc::new(CountingWaker::default());
    (c.clone(), Waker::from(c))
}

#[allow(unused_imports)] // not every test binary waits this way
pub use corio_test_support::yield_until;
