//! A set of futures polled only when woken: the engine of `buffered`,
//! `buffer_unordered` and `for_each_concurrent`.
//!
//! Each slot has its own waker, made once and reused by every future that later occupies
//! the slot. Waking it queues the slot's index in a shared ready list (once, however often
//! it is woken before it is polled) and wakes the owning task. A poll of the set polls
//! only the queued slots, so a wake costs O(1) whatever the number of futures (no
//! quadratic re-polling of idle children), and the futures live in reused pinned boxes:
//! once the set has grown to its peak size it allocates nothing per future.
//!
//! A poll stops after [`YIELD_AFTER`] child polls, or as soon as the executor's
//! cooperative budget is spent, waking its task so it goes to the back of the executor's
//! queue: children that keep waking themselves cannot hold the thread.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use corio_core::coop;
use futures_core::Stream;

/// Child polls one poll of the set may make before it yields to the executor.
pub(crate) const YIELD_AFTER: usize = 64;

#[derive(Default)]
struct Ready {
    queue: VecDeque<usize>,
    /// The owner's waker; taken by the first child wake after the owner polled.
    owner: Option<Waker>,
}

#[derive(Default)]
struct Shared {
    ready: Mutex<Ready>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Ready> {
        self.ready.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct SlotWaker {
    index: usize,
    /// In the ready list (or about to be polled from the owner's local batch).
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let owner = {
            let mut ready = self.shared.lock();
            ready.queue.push_back(self.index);
            ready.owner.take()
        };
        if let Some(w) = owner {
            w.wake();
        }
    }
}

struct Slot<F> {
    future: Pin<Box<Option<F>>>,
    handle: Arc<SlotWaker>,
    waker: Waker,
}

pub(crate) struct Set<F> {
    slots: Vec<Slot<F>>,
    free: Vec<usize>,
    len: usize,
    shared: Arc<Shared>,
    /// Indices taken from the shared ready list, polled before the list is read again.
    batch: VecDeque<usize>,
}

impl<F> fmt::Debug for Set<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Set")
            .field("len", &self.len)
            .field("capacity", &self.slots.len())
            .finish()
    }
}

impl<F> Default for Set<F> {
    fn default() -> Self {
        Set {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            shared: Arc::default(),
            batch: VecDeque::new(),
        }
    }
}

impl<F: Future> Set<F> {
    /// The number of futures in the set.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a future, to be polled on the next poll; returns its slot index.
    pub(crate) fn push(&mut self, future: F) -> usize {
        let index = match self.free.pop() {
            Some(i) => {
                self.slots[i].future.as_mut().set(Some(future));
                i
            }
            None => {
                let i = self.slots.len();
                let handle = Arc::new(SlotWaker {
                    index: i,
                    queued: AtomicBool::new(false),
                    shared: self.shared.clone(),
                });
                self.slots.push(Slot {
                    future: Box::pin(Some(future)),
                    waker: Waker::from(handle.clone()),
                    handle,
                });
                i
            }
        };
        self.len += 1;
        // Poll it first thing; if a stale wake already queued the slot, that entry does.
        if !self.slots[index].handle.queued.swap(true, Ordering::AcqRel) {
            self.batch.push_back(index);
        }
        index
    }

    /// Polls the woken futures until one completes: `Ready(Some((slot, output)))`;
    /// `Ready(None)` if the set is empty; `Pending` if none is ready or the poll yielded
    /// to the executor (then the task is already woken).
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<(usize, F::Output)>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        self.refill(cx);
        let mut polled = 0;
        loop {
            while let Some(i) = self.batch.pop_front() {
                let slot = &mut self.slots[i];
                slot.handle.queued.store(false, Ordering::Release);
                let Some(fut) = slot.future.as_mut().as_pin_mut() else {
                    continue; // a stale wake of a finished future
                };
                polled += 1;
                if let Poll::Ready(out) = fut.poll(&mut Context::from_waker(&slot.waker)) {
                    slot.future.as_mut().set(None);
                    self.free.push(i);
                    self.len -= 1;
                    return Poll::Ready(Some((i, out)));
                }
                if polled >= YIELD_AFTER || !coop::has_budget_remaining() {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
            }
            // Children woken while this poll ran: take them too, within the same limit.
            if !self.refill(cx) {
                return Poll::Pending;
            }
        }
    }

    /// Registers the owner's waker and moves the shared ready list into the local batch.
    /// Returns whether anything was moved.
    fn refill(&mut self, cx: &mut Context<'_>) -> bool {
        let mut ready = self.shared.lock();
        match &ready.owner {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => ready.owner = Some(cx.waker().clone()),
        }
        if ready.queue.is_empty() {
            return false;
        }
        if self.batch.is_empty() {
            mem::swap(&mut self.batch, &mut ready.queue);
        } else {
            self.batch.extend(ready.queue.drain(..));
        }
        true
    }
}

/// Pulls up to `room` futures from `stream`, handing each to `push`, stopping early when
/// the stream is pending or ends (then sets `*done`): how `buffered` and
/// `buffer_unordered` keep their sets full without draining a source of work ahead.
pub(crate) fn pull<S: Stream>(
    mut stream: Pin<&mut S>,
    cx: &mut Context<'_>,
    done: &mut bool,
    mut room: usize,
    mut push: impl FnMut(S::Item),
) {
    while room > 0 && !*done {
        match stream.as_mut().poll_next(cx) {
            Poll::Ready(Some(fut)) => {
                push(fut);
                room -= 1;
            }
            Poll::Ready(None) => *done = true,
            Poll::Pending => break,
        }
    }
}

/// The size hint of a buffering adapter holding `held` items or futures over an inner
/// stream with hint `inner`, done or not.
pub(crate) fn size_hint(
    held: usize,
    done: bool,
    inner: (usize, Option<usize>),
) -> (usize, Option<usize>) {
    if done {
        return (held, Some(held));
    }
    let (lo, hi) = inner;
    (
        lo.saturating_add(held),
        hi.and_then(|h| h.checked_add(held)),
    )
}
