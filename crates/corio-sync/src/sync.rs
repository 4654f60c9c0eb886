//! The locks the primitives keep their state under: std's, or loom's when the crate is
//! model-checked (`RUSTFLAGS="--cfg corio_loom"`). Public signatures always use
//! `std::sync::Arc`; only the internal state locks and the atomic state words beside them
//! are swapped.

#[cfg(corio_loom)]
pub(crate) use loom::sync::atomic::AtomicUsize;
#[cfg(corio_loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
#[cfg(not(corio_loom))]
pub(crate) use std::sync::atomic::AtomicUsize;
pub(crate) use std::sync::atomic::Ordering;
#[cfg(not(corio_loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

/// Locks `m`, ignoring poisoning: the crate never panics while it holds one of its own
/// locks (wakers are woken after the lock is released), so the state is always consistent.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `&mut` access to a lock's contents, ignoring poisoning.
pub(crate) fn get_mut<T>(m: &mut Mutex<T>) -> &mut T {
    m.get_mut().unwrap_or_else(|e| e.into_inner())
}

/// Takes a lock's contents, ignoring poisoning.
pub(crate) fn into_inner<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(|e| e.into_inner())
}
