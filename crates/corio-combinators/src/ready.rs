//! The engine under `gather`, `wait` and `as_completed`: a set of child futures, each with
//! its own waker, so that a parent poll touches only the children that were woken.
//!
//! Every child gets one `Arc<ChildWaker>` (its index, a `queued` flag and the shared ready
//! list). Waking a child pushes its index on the shared list (once: the flag de-duplicates)
//! and wakes the parent only when the list goes from empty to non-empty. The parent drains
//! the list at most once per poll into a private buffer and polls just those children, so
//! the work is linear in the number of wakes, never in wakes × children (the quadratic
//! `join_all` of futures-rs #2201).
//!
//! Two limits keep a parent with many ready children from starving its executor: at most
//! [`YIELD_EVERY`] child polls per parent poll, and none once the corio cooperative budget
//! is spent (a child that ran out of budget wakes itself; draining the shared list only
//! once per poll means such a child is not polled again until the next parent poll, which
//! avoids the FuturesUnordered spin of STYLE.md).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use corio_core::coop;

/// Child polls per parent poll before the parent yields to its executor.
pub(crate) const YIELD_EVERY: usize = 256;

struct Shared {
    /// Indices of woken children, and the parent's waker.
    inner: Mutex<Inner>,
}

struct Inner {
    list: Vec<usize>,
    parent: Option<Waker>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct ChildWaker {
    index: usize,
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for ChildWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return; // already on the list
        }
        let parent = {
            let mut g = self.shared.lock();
            let was_empty = g.list.is_empty();
            g.list.push(self.index);
            if was_empty { g.parent.clone() } else { None }
        };
        if let Some(w) = parent {
            w.wake();
        }
    }
}

struct Slot<F> {
    future: Option<F>,
    node: Arc<ChildWaker>,
    waker: Waker,
}

/// A set of futures polled through per-child wakers. `F` is `Unpin`: callers box futures
/// that are not (`Pin<Box<F>>`).
pub(crate) struct PollSet<F> {
    slots: Vec<Slot<F>>,
    shared: Arc<Shared>,
    /// Woken indices taken from the shared list, processed from `pos`.
    local: Vec<usize>,
    pos: usize,
    live: usize,
    /// Child polls in the current parent poll.
    polled: usize,
    drained: bool,
}

impl<F> PollSet<F> {
    pub(crate) fn new(futures: impl IntoIterator<Item = F>) -> Self {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                list: Vec::new(),
                parent: None,
            }),
        });
        let iter = futures.into_iter();
        let mut slots = Vec::with_capacity(iter.size_hint().0);
        for (index, future) in iter.enumerate() {
            let node = Arc::new(ChildWaker {
                index,
                queued: AtomicBool::new(true),
                shared: shared.clone(),
            });
            let waker = Waker::from(node.clone());
            slots.push(Slot {
                future: Some(future),
                node,
                waker,
            });
        }
        let live = slots.len();
        PollSet {
            local: (0..live).collect(),
            pos: 0,
            slots,
            shared,
            live,
            polled: 0,
            drained: false,
        }
    }

    /// Children not yet completed (nor removed).
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// Total number of children given at the start.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Call once at the start of every parent poll: registers the parent's waker and
    /// resets the per-poll limits.
    pub(crate) fn begin_poll(&mut self, cx: &Context<'_>) {
        self.polled = 0;
        self.drained = false;
        let mut g = self.shared.lock();
        match &g.parent {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => g.parent = Some(cx.waker().clone()),
        }
    }

    /// Drops every remaining child (after the combinator has its answer).
    pub(crate) fn clear(&mut self) {
        for s in &mut self.slots {
            s.future = None;
        }
        self.live = 0;
    }

    /// Takes the still-pending children out, in input order, with their indices.
    pub(crate) fn take_pending(&mut self) -> Vec<(usize, F)> {
        self.live = 0;
        self.slots
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.future.take().map(|f| (i, f)))
            .collect()
    }
}

impl<F: Future + Unpin> PollSet<F> {
    /// The next child to complete, in completion order: `Ready(None)` once every child is
    /// done; `Pending` when nothing woken is ready (the parent will be woken) or the poll's
    /// budget is spent (the parent was woken already).
    pub(crate) fn poll_next(&mut self, cx: &Context<'_>) -> Poll<Option<(usize, F::Output)>> {
        loop {
            if self.live == 0 {
                return Poll::Ready(None);
            }
            if self.pos == self.local.len() {
                self.local.clear();
                self.pos = 0;
                if self.drained {
                    // Anything pushed since the drain found the list empty and woke us.
                    return Poll::Pending;
                }
                self.drained = true;
                {
                    let mut g = self.shared.lock();
                    std::mem::swap(&mut g.list, &mut self.local);
                }
                if self.local.is_empty() {
                    return Poll::Pending;
                }
            }
            if self.polled >= YIELD_EVERY || !coop::has_budget_remaining() {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let index = self.local[self.pos];
            self.pos += 1;
            let slot = &mut self.slots[index];
            slot.node.queued.store(false, Ordering::Release);
            let Some(future) = slot.future.as_mut() else {
                continue; // woken after it completed or was removed
            };
            self.polled += 1;
            let mut child_cx = Context::from_waker(&slot.waker);
            if let Poll::Ready(out) = Pin::new(future).poll(&mut child_cx) {
                slot.future = None;
                self.live -= 1;
                return Poll::Ready(Some((index, out)));
            }
        }
    }
}

impl<F> fmt::Debug for PollSet<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollSet")
            .field("len", &self.slots.len())
            .field("pending", &self.live)
            .finish()
    }
}
