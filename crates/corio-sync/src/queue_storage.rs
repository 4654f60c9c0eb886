//! The item storage behind [`Queue`](crate::Queue), [`LifoQueue`](crate::LifoQueue) and
//! [`PriorityQueue`](crate::PriorityQueue): one queue core, three orders.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

pub(crate) enum Storage<T> {
    Fifo(VecDeque<T>),
    Lifo(Vec<T>),
    Priority {
        heap: BinaryHeap<Prioritized<T>>,
        next_seq: u64,
        /// `BinaryHeap::push` and `pop`, instantiated where `T: Ord` is known (the
        /// queue types themselves carry no `Ord` bound). One indirect call per operation,
        /// while every comparison inside it is inlined: a comparator stored as a function
        /// pointer cost an indirect call per comparison and made the queue twice as slow.
        push: fn(&mut BinaryHeap<Prioritized<T>>, Prioritized<T>),
        pop: fn(&mut BinaryHeap<Prioritized<T>>) -> Option<Prioritized<T>>,
    },
}

/// A heap entry: smallest item first, and among equal items the one put first
/// (Decision 8). `BinaryHeap` is a max-heap, so the order is reversed.
pub(crate) struct Prioritized<T> {
    item: T,
    seq: u64,
}

impl<T: Ord> PartialEq for Prioritized<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T: Ord> Eq for Prioritized<T> {}

impl<T: Ord> PartialOrd for Prioritized<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Ord> Ord for Prioritized<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .item
            .cmp(&self.item)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl<T> Storage<T> {
    pub(crate) fn priority() -> Self
    where
        T: Ord,
    {
        Storage::Priority {
            heap: BinaryHeap::new(),
            next_seq: 0,
            push: BinaryHeap::push,
            pop: BinaryHeap::pop,
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Storage::Fifo(q) => q.len(),
            Storage::Lifo(v) => v.len(),
            Storage::Priority { heap, .. } => heap.len(),
        }
    }

    pub(crate) fn push(&mut self, item: T) {
        match self {
            Storage::Fifo(q) => q.push_back(item),
            Storage::Lifo(v) => v.push(item),
            Storage::Priority {
                heap,
                next_seq,
                push,
                ..
            } => {
                let seq = *next_seq;
                *next_seq += 1;
                push(heap, Prioritized { item, seq });
            }
        }
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        match self {
            Storage::Fifo(q) => q.pop_front(),
            Storage::Lifo(v) => v.pop(),
            Storage::Priority { heap, pop, .. } => pop(heap).map(|p| p.item),
        }
    }

    /// Removes every item (to be dropped outside the queue's lock).
    pub(crate) fn take_all(&mut self) -> Vec<T> {
        match self {
            Storage::Fifo(q) => q.drain(..).collect(),
            Storage::Lifo(v) => std::mem::take(v),
            Storage::Priority { heap, .. } => heap.drain().map(|p| p.item).collect(),
        }
    }

    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Storage::Fifo(_) => "Queue",
            Storage::Lifo(_) => "LifoQueue",
            Storage::Priority { .. } => "PriorityQueue",
        }
    }
}
