//! `InputSet`: the future set under `gather` and `try_gather`, fed in input order a
//! window at a time, so that children that complete on their first poll hand their slot
//! (its box and its waker) on to the next child instead of each allocating its own.
//!
//! # Why a window
//!
//! Pushing all `n` children at construction gives the set `n` slots, each a boxed future
//! and an `Arc`'d waker: two allocations per child whatever happens to it, where
//! `FuturesUnordered` makes one. Gathering 10 000 ready futures spent two thirds of its
//! instructions in `malloc` and `free` (callgrind, `profile gather-ready`).
//!
//! Here the set receives `yield_after + 1` more children at the start of each poll of the
//! owner. The set polls at most `yield_after` children per owner poll, so at least one
//! pushed child is still queued in the set's own batch when it stops: the set never runs
//! out of queued children, and so never takes its list of woken children, while children
//! remain unpushed. Every child is thus first polled in input order before any child is
//! polled again (as when all were pushed up front), and the slots of children that
//! completed on their first poll serve the next window.
//!
//! One case polls a child later than that: when a child woke its own waker and then
//! completed, its slot stays queued (on the set's list of woken children), so the next
//! child pushed into that slot is first polled when the set takes that list, after the
//! children pushed before it are.

use std::future::Future;
use std::task::{Context, Poll};

use corio_future_set::FutureSet;

pub(crate) struct InputSet<F> {
    set: FutureSet<F>,
    /// The children not pushed yet, in input order.
    unstarted: std::vec::IntoIter<F>,
    /// The input index of the child in each slot (slots are reused).
    input_of: Vec<usize>,
    /// Children pushed so far: the input index of the next one.
    started: usize,
}

impl<F> InputSet<F> {
    pub(crate) fn new(futures: Vec<F>) -> Self {
        InputSet {
            set: FutureSet::new(),
            unstarted: futures.into_iter(),
            input_of: Vec::new(),
            started: 0,
        }
    }

    /// Children not completed yet (unstarted ones included).
    pub(crate) fn len(&self) -> usize {
        self.set.len() + self.unstarted.len()
    }

    /// Drops every child, started or not.
    pub(crate) fn clear(&mut self) {
        self.set.clear();
        self.unstarted = Vec::new().into_iter();
    }
}

impl<F: Future> InputSet<F> {
    /// Starts a poll of the owner: registers its waker with the set and pushes the next
    /// window of children.
    #[inline]
    pub(crate) fn begin_poll(&mut self, cx: &Context<'_>) {
        self.set.begin_poll(cx);
        if self.unstarted.len() != 0 {
            self.push_window();
        }
    }

    fn push_window(&mut self) {
        let window = self.set.yield_after() + 1;
        if !self.input_of.is_empty() && self.set.len() == self.input_of.len() {
            // Every slot made so far holds a child still pending, so none is coming free
            // for the rest: room for them all at once, as when all were pushed up front
            // (growing the set's vectors a window at a time copied them over and over).
            // Not before the first window: reserving there changed where glibc put the
            // blocks, and a gather of ready futures repeated in a loop then shrank and
            // regrew the heap (`brk`) on every round, at twice the time.
            let room = self.unstarted.len();
            self.set.reserve(room);
            self.input_of.reserve(room);
        }
        for f in self.unstarted.by_ref().take(window) {
            let slot = self.set.push(f);
            if slot == self.input_of.len() {
                self.input_of.push(self.started);
            } else {
                self.input_of[slot] = self.started;
            }
            self.started += 1;
        }
    }

    /// The set's [`poll_next`](FutureSet::poll_next), with the child's input index in
    /// place of its slot.
    #[inline]
    pub(crate) fn poll_next(&mut self, cx: &Context<'_>) -> Poll<Option<(usize, F::Output)>> {
        loop {
            match self.set.poll_next(cx) {
                Poll::Ready(Some((slot, out))) => {
                    return Poll::Ready(Some((self.input_of[slot], out)));
                }
                Poll::Ready(None) if self.unstarted.len() == 0 => return Poll::Ready(None),
                // Only after a stale wake (see the module docs): the set ran dry first.
                Poll::Ready(None) => self.push_window(),
                Poll::Pending => {
                    if self.unstarted.len() != 0 {
                        // The set yielded (it woke the owner already) or, after a stale
                        // wake, ran dry: either way the owner's next poll pushes the next
                        // window.
                        cx.waker().wake_by_ref();
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}
