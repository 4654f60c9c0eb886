//! The state under a [`Queue`](crate::Queue)'s lock: its items, the counts of reserved
//! items and slots, and the three wait lists, with the rules that grant reservations.

use crate::queue_storage::Storage;
use crate::waiters::{WaitList, WakeList};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Waiting {
    Queued,
    /// An item (for a getter) or a slot (for a putter) is reserved for it.
    Granted,
    /// The queue shut down: look again.
    Recheck,
}

pub(super) struct State<T> {
    pub(super) items: Storage<T>,
    pub(super) maxsize: usize,
    /// Items reserved for granted getters that have not run yet.
    pub(super) reserved_items: usize,
    /// Slots reserved for granted putters that have not run yet.
    pub(super) reserved_slots: usize,
    pub(super) unfinished: usize,
    pub(super) shutdown: bool,
    pub(super) getters: WaitList<Waiting>,
    pub(super) putters: WaitList<Waiting>,
    /// Each joiner's state: whether the count reached zero.
    pub(super) joiners: WaitList<bool>,
}

impl<T> State<T> {
    pub(super) fn free_slots(&self) -> usize {
        if self.maxsize == 0 {
            usize::MAX
        } else {
            self.maxsize
                .saturating_sub(self.items.len() + self.reserved_slots)
        }
    }

    pub(super) fn available_items(&self) -> usize {
        self.items.len() - self.reserved_items
    }

    /// Hands available items to the getters at the front. Called under the lock on
    /// every put: the empty-list test comes first, so the usual case (nobody waiting)
    /// costs one compare inside the critical section, not a free-count computation and
    /// a front lookup.
    #[inline]
    pub(super) fn grant_getters(&mut self, wakers: &mut WakeList) {
        if self.getters.is_empty() {
            return;
        }
        while self.available_items() > 0 {
            match self.getters.grant_front(Waiting::Granted) {
                Some(w) => {
                    self.reserved_items += 1;
                    wakers.extend(w);
                }
                None => break,
            }
        }
    }

    /// Hands free slots to the putters at the front; as [`grant_getters`](Self::grant_getters),
    /// on every get.
    #[inline]
    pub(super) fn grant_putters(&mut self, wakers: &mut WakeList) {
        if self.putters.is_empty() {
            return;
        }
        while self.free_slots() > 0 {
            match self.putters.grant_front(Waiting::Granted) {
                Some(w) => {
                    self.reserved_slots += 1;
                    wakers.extend(w);
                }
                None => break,
            }
        }
    }

    pub(super) fn push(&mut self, item: T, wakers: &mut WakeList) {
        self.items.push(item);
        self.unfinished += 1;
        self.grant_getters(wakers);
    }

    pub(super) fn pop(&mut self, wakers: &mut WakeList) -> T {
        let item = self.items.pop().expect("an available item");
        self.grant_putters(wakers);
        item
    }

    pub(super) fn finish_joiners(&mut self, wakers: &mut WakeList) {
        if self.unfinished == 0 {
            self.joiners.grant_all(wakers, |done| *done = true);
        }
    }
}
