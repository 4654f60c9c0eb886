//! Helpers shared by the tests.
#![allow(dead_code, unreachable_pub)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use corio_executor::LocalExecutor;
use corio_timer::TimerDriver;

/// A single-thread loop on a paused virtual clock.
pub fn paused() -> LocalExecutor {
    corio_executor::Builder::new()
        .driver(|p| Box::new(TimerDriver::new_paused(p)))
        .build_local()
}

/// Counts its drops.
#[derive(Debug, Clone, Default)]
pub struct DropCounter(pub Arc<AtomicUsize>);

impl DropCounter {
    pub fn probe(&self) -> DropProbe {
        DropProbe(self.0.clone())
    }
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug)]
pub struct DropProbe(Arc<AtomicUsize>);

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Tracks how many things run at once, and the peak.
#[derive(Debug, Clone, Default)]
pub struct Gauge {
    now: Rc<Cell<usize>>,
    peak: Rc<Cell<usize>>,
}

impl Gauge {
    pub fn enter(&self) -> GaugeGuard {
        self.now.set(self.now.get() + 1);
        self.peak.set(self.peak.get().max(self.now.get()));
        GaugeGuard(self.now.clone())
    }
    pub fn peak(&self) -> usize {
        self.peak.get()
    }
    pub fn now(&self) -> usize {
        self.now.get()
    }
}

pub struct GaugeGuard(Rc<Cell<usize>>);

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}
