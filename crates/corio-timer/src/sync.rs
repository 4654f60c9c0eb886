//! The few synchronisation types the crate uses, swapped for loom's under `cfg(corio_loom)`
//! so that the loom models in `tests/loom_timer.rs` explore their interleavings.

#[cfg(not(corio_loom))]
pub(crate) use std::sync::{
    Arc, Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
};

#[cfg(corio_loom)]
pub(crate) use loom::sync::{
    Arc, Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
};

/// Locks, ignoring poisoning: the state behind every lock here is kept consistent at each
/// step, and no user code runs while it is held.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(not(corio_loom))]
    {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }
    #[cfg(corio_loom)]
    {
        m.lock().unwrap()
    }
}
