//! The ready list the children's wakers share with the set, and the per-slot waker.
//!
//! Waking a slot pushes its index on the shared list, once (the `queued` flag
//! de-duplicates until the set polls the slot again), and wakes the owner only when the
//! list goes from empty to non-empty: the owner takes the whole list at once, so later
//! pushes before that need no wake of their own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Wake, Waker};

/// What the set and its slots' wakers share.
#[derive(Default)]
pub(crate) struct Shared {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Indices of woken slots, in wake order.
    list: Vec<usize>,
    /// The owner's waker, kept (not taken) between its polls.
    owner: Option<Waker>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes `waker` the owner's waker.
    pub(crate) fn set_owner(&self, waker: Waker) {
        self.lock().owner = Some(waker);
    }

    /// Swaps the shared list with `local` (which the caller passes empty).
    #[inline]
    pub(crate) fn drain_into(&self, local: &mut Vec<usize>) {
        std::mem::swap(&mut self.lock().list, local);
    }
}

/// One slot's waker; made once per slot and reused by every future that occupies it.
pub(crate) struct SlotWaker {
    index: usize,
    /// On the shared list, or in the set's local batch, waiting to be polled.
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl SlotWaker {
    /// The waker of a new slot, whose future the set queues for its first poll.
    #[inline]
    pub(crate) fn new_queued(index: usize, shared: Arc<Shared>) -> Self {
        SlotWaker {
            index,
            queued: AtomicBool::new(true),
            shared,
        }
    }

    /// Marks the slot queued; false if it already was (then nothing else is to be done).
    #[inline]
    pub(crate) fn mark_queued(&self) -> bool {
        !self.queued.swap(true, Ordering::AcqRel)
    }

    /// Called just before the set polls the slot: a wake from now on queues it again.
    #[inline]
    pub(crate) fn unmark(&self) {
        self.queued.store(false, Ordering::Release);
    }
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.mark_queued() {
            return; // already on the list
        }
        let owner = {
            let mut g = self.shared.lock();
            let was_empty = g.list.is_empty();
            g.list.push(self.index);
            if was_empty { g.owner.clone() } else { None }
        };
        if let Some(w) = owner {
            w.wake();
        }
    }
}
