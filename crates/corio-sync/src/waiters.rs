//! The waiter list every primitive is built on.
//!
//! A FIFO of waiters kept in a slab, linked by slab keys, under the primitive's own
//! mutex. A waiter's entry has two lives: while *linked* it is queued and may be handed
//! something (a permit, the lock, a notification); a release *unlinks* the front entry,
//! records what it was given in the entry's state and wakes it, but leaves the entry in
//! the slab. Only the waiting future itself removes its entry: when it completes, or in
//! its `Drop`, where an entry that was handed something but never completed passes it on.
//! Because only the owner frees a key, a key can never be reused under a live future, so
//! no generation counter is needed, and no `unsafe` either.

use slab::Slab;
use std::task::Waker;

const NIL: usize = usize::MAX;

#[derive(Debug)]
struct Node<S> {
    prev: usize,
    next: usize,
    linked: bool,
    waker: Option<Waker>,
    state: S,
}

/// A FIFO of waiters, each with a state `S`.
#[derive(Debug)]
pub(crate) struct WaitList<S> {
    slab: Slab<Node<S>>,
    head: usize,
    tail: usize,
    linked: usize,
}

impl<S> WaitList<S> {
    pub(crate) fn new() -> Self {
        WaitList {
            slab: Slab::new(),
            head: NIL,
            tail: NIL,
            linked: 0,
        }
    }

    /// Queues a waiter at the back; returns its key.
    pub(crate) fn push_back(&mut self, state: S, waker: &Waker) -> usize {
        let key = self.slab.insert(Node {
            prev: self.tail,
            next: NIL,
            linked: true,
            waker: Some(waker.clone()),
            state,
        });
        if self.tail == NIL {
            self.head = key;
        } else {
            self.slab[self.tail].next = key;
        }
        self.tail = key;
        self.linked += 1;
        key
    }

    /// The key of the first queued (linked) waiter.
    pub(crate) fn front(&self) -> Option<usize> {
        (self.head != NIL).then_some(self.head)
    }

    /// Number of queued (linked) waiters.
    pub(crate) fn queued(&self) -> usize {
        self.linked
    }

    /// Whether no waiter is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.linked == 0
    }

    /// Number of entries alive: queued ones, and those handed something whose future has
    /// not yet completed or been dropped.
    pub(crate) fn entries(&self) -> usize {
        self.slab.len()
    }

    pub(crate) fn state(&self, key: usize) -> &S {
        &self.slab[key].state
    }

    /// Replaces the stored waker unless it would wake the same task.
    pub(crate) fn set_waker(&mut self, key: usize, waker: &Waker) {
        let node = &mut self.slab[key];
        match &node.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => node.waker = Some(waker.clone()),
        }
    }

    /// Takes the waiter out of the queue (it keeps its slab entry); returns its waker.
    pub(crate) fn unlink(&mut self, key: usize) -> Option<Waker> {
        let node = &mut self.slab[key];
        if !node.linked {
            return node.waker.take();
        }
        node.linked = false;
        let (prev, next) = (node.prev, node.next);
        let waker = node.waker.take();
        if prev == NIL {
            self.head = next;
        } else {
            self.slab[prev].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.slab[next].prev = prev;
        }
        self.linked -= 1;
        waker
    }

    /// Unlinks the front waiter, sets its state, and returns its waker.
    pub(crate) fn grant_front(&mut self, state: S) -> Option<Option<Waker>> {
        let key = self.front()?;
        self.slab[key].state = state;
        Some(self.unlink(key))
    }

    /// Frees the waiter's entry (unlinking it first if needed) and returns its state.
    pub(crate) fn remove(&mut self, key: usize) -> S {
        if self.slab[key].linked {
            self.unlink(key);
        }
        self.slab.remove(key).state
    }

    /// Unlinks every queued waiter, setting each one's state with `f`, and pushes their
    /// wakers onto `wakers`.
    pub(crate) fn grant_all(&mut self, wakers: &mut WakeList, mut f: impl FnMut(&mut S)) {
        while let Some(key) = self.front() {
            f(&mut self.slab[key].state);
            if let Some(w) = self.unlink(key) {
                wakers.push(w);
            }
        }
    }

    /// Visits every entry, queued or not (for shutdowns that reach granted waiters too).
    pub(crate) fn for_each_entry(&mut self, mut f: impl FnMut(bool, &mut S) -> bool) -> WakeList {
        let mut keys = Vec::new();
        for (key, node) in self.slab.iter_mut() {
            if f(node.linked, &mut node.state) {
                keys.push(key);
            }
        }
        let mut wakers = WakeList::new();
        for key in keys {
            if let Some(w) = self.unlink(key) {
                wakers.push(w);
            }
        }
        wakers
    }
}

/// The wakers an operation collected under the state lock, to be woken after releasing
/// it. The first is kept inline: most operations wake nobody or one waiter, and a `Vec`
/// made each of those wake-ups pay an allocation and a free (a fifth of the semaphore
/// bench's instructions). More than one inline slot made the common "wake nobody" case
/// slower, by the cost of initialising and dropping the slots.
pub(crate) struct WakeList {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl WakeList {
    #[inline]
    pub(crate) fn new() -> Self {
        WakeList {
            first: None,
            rest: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, waker: Waker) {
        if self.first.is_none() {
            self.first = Some(waker);
        } else {
            self.rest.push(waker);
        }
    }

    /// Moves every waker of `other` to the end of this list, leaving `other` empty.
    pub(crate) fn append(&mut self, other: &mut WakeList) {
        if let Some(w) = other.first.take() {
            self.push(w);
        }
        for w in other.rest.drain(..) {
            self.push(w);
        }
    }
}

impl Extend<Waker> for WakeList {
    #[inline]
    fn extend<I: IntoIterator<Item = Waker>>(&mut self, wakers: I) {
        for w in wakers {
            self.push(w);
        }
    }
}

/// Wakes every waker in the list, in the order they were collected (call it after
/// releasing the state lock).
#[inline(always)]
pub(crate) fn wake_all(wakers: WakeList) {
    if wakers.first.is_some() {
        wake_slow(wakers);
    } else {
        // Nothing to wake, and nothing to free: `rest` only ever receives wakers once
        // `first` holds one, so it never allocated. Forgetting skips its drop glue on
        // the path almost every operation takes.
        std::mem::forget(wakers);
    }
}

#[inline(never)]
fn wake_slow(wakers: WakeList) {
    if let Some(first) = wakers.first {
        first.wake();
    }
    for w in wakers.rest {
        w.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_unlink_remove() {
        let w = futures::task::noop_waker();
        let mut l = WaitList::new();
        let a = l.push_back(1, &w);
        let b = l.push_back(2, &w);
        let c = l.push_back(3, &w);
        assert_eq!(l.queued(), 3);
        l.remove(b);
        assert_eq!(l.front(), Some(a));
        l.grant_front(10).unwrap();
        assert_eq!(l.front(), Some(c));
        assert_eq!(*l.state(a), 10);
        assert_eq!(l.entries(), 2);
        l.remove(a);
        l.remove(c);
        assert!(l.is_empty());
        assert_eq!(l.front(), None);
        let d = l.push_back(4, &w);
        assert_eq!(l.front(), Some(d));
    }
}
