//! `FutureSet`: the slots, the owner's local batch of woken indices, and the poll loop with
//! its yield limit.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use corio_core::coop;

use crate::ready::{Shared, SlotWaker};

/// Child polls per poll of the owner before [`FutureSet::poll_next`] yields, unless
/// [`FutureSet::with_yield_after`] says otherwise.
pub const DEFAULT_YIELD_AFTER: usize = 256;

struct Slot<F> {
    /// Boxed once per slot and reused by every future that later occupies the slot.
    future: Pin<Box<Option<F>>>,
    handle: Arc<SlotWaker>,
    waker: Waker,
}

/// A set of futures, each polled through a waker of its own and only when that waker was
/// woken.
///
/// The owner (a future or stream holding the set) calls [`begin_poll`](Self::begin_poll)
/// at the start of each of its polls, then [`poll_next`](Self::poll_next) until it returns
/// `Pending` or `Ready(None)` (or until it has what it needs). Each
/// [`push`](Self::push) returns the slot index that `poll_next` later reports with the
/// future's output: slots are numbered from 0 in push order, and the slot of a completed
/// future is reused by a later push.
///
/// # Examples
///
/// ```
/// use corio_future_set::FutureSet;
/// use std::future::{poll_fn, ready};
/// use std::task::Poll;
///
/// let mut set = FutureSet::new();
/// for n in 1..=3 {
///     assert_eq!(set.push(ready(n * 10)), n - 1); // slots 0, 1, 2
/// }
/// let done = futures::executor::block_on(poll_fn(|cx| {
///     set.begin_poll(cx);
///     let mut done = Vec::new();
///     while let Poll::Ready(Some(pair)) = set.poll_next(cx) {
///         done.push(pair);
///     }
///     Poll::Ready(done)
/// }));
/// assert_eq!(done, vec![(0, 10), (1, 20), (2, 30)]);
/// assert!(set.is_empty());
/// ```
pub struct FutureSet<F> {
    slots: Vec<Slot<F>>,
    /// Slots whose future completed or was removed, for the next pushes.
    free: Vec<usize>,
    /// Futures in the set.
    len: usize,
    shared: Arc<Shared>,
    /// The owner's waker as last given to `shared`: while polls bring the same one,
    /// `begin_poll` takes no lock.
    owner: Option<Waker>,
    /// Woken indices taken from the shared list (and pushed ones), polled from `pos` on.
    local: Vec<usize>,
    pos: usize,
    /// Child polls since `begin_poll`.
    polled: usize,
    /// Whether the shared list was taken since `begin_poll`.
    drained: bool,
    yield_after: usize,
}

impl<F> FutureSet<F> {
    /// An empty set that yields after [`DEFAULT_YIELD_AFTER`] child polls per owner poll.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = corio_future_set::FutureSet::<std::future::Ready<()>>::new();
    /// assert_eq!(set.yield_after(), corio_future_set::DEFAULT_YIELD_AFTER);
    /// ```
    pub fn new() -> Self {
        Self::with_yield_after(DEFAULT_YIELD_AFTER)
    }

    /// An empty set that yields to its executor after `n` child polls per owner poll.
    ///
    /// # Panics
    ///
    /// If `n` is 0 (the set could never poll a child).
    ///
    /// # Examples
    ///
    /// ```
    /// let set = corio_future_set::FutureSet::<std::future::Ready<()>>::with_yield_after(64);
    /// assert_eq!(set.yield_after(), 64);
    /// ```
    pub fn with_yield_after(n: usize) -> Self {
        assert!(
            n > 0,
            "FutureSet::with_yield_after: the limit must be at least 1"
        );
        FutureSet {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            shared: Arc::default(),
            owner: None,
            local: Vec::new(),
            pos: 0,
            polled: 0,
            drained: false,
            yield_after: n,
        }
    }

    /// The child polls per owner poll after which [`poll_next`](Self::poll_next) yields.
    ///
    /// # Examples
    ///
    /// See [`with_yield_after`](Self::with_yield_after).
    pub fn yield_after(&self) -> usize {
        self.yield_after
    }

    /// How many futures the set holds (pushed, not yet completed nor removed).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = corio_future_set::FutureSet::new();
    /// set.push(std::future::pending::<()>());
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set holds no future.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = corio_future_set::FutureSet::<std::future::Pending<()>>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reserves room for `additional` more futures, so that pushing them allocates only
    /// their boxes.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = corio_future_set::FutureSet::new();
    /// set.reserve(2);
    /// set.push(std::future::ready(1));
    /// set.push(std::future::ready(2));
    /// assert_eq!(set.len(), 2);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        let free = self.free.len();
        self.slots.reserve(additional.saturating_sub(free));
        self.local.reserve(additional);
    }

    /// Adds a future, to be polled by the next [`poll_next`](Self::poll_next); returns its
    /// slot index. Allocates only when no slot is free.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = corio_future_set::FutureSet::new();
    /// assert_eq!(set.push(std::future::ready(1)), 0);
    /// assert_eq!(set.push(std::future::ready(2)), 1);
    /// ```
    #[inline]
    pub fn push(&mut self, future: F) -> usize {
        self.len += 1;
        // Either way the future is polled first thing by the next `poll_next`.
        if let Some(i) = self.free.pop() {
            let slot = &mut self.slots[i];
            slot.future.as_mut().set(Some(future));
            // If a stale wake already queued the slot, that entry polls the new future.
            if slot.handle.mark_queued() {
                self.local.push(i);
            }
            return i;
        }
        let i = self.slots.len();
        let handle = Arc::new(SlotWaker::new_queued(i, self.shared.clone()));
        self.slots.push(Slot {
            future: Box::pin(Some(future)),
            waker: Waker::from(handle.clone()),
            handle,
        });
        self.local.push(i);
        i
    }

    /// Starts a poll of the owner: registers its waker (the one woken when a child is) and
    /// resets the yield limit. Call it at the start of every poll of the owner, before
    /// [`poll_next`](Self::poll_next).
    ///
    /// # Examples
    ///
    /// See [`FutureSet`].
    pub fn begin_poll(&mut self, cx: &Context<'_>) {
        self.polled = 0;
        self.drained = false;
        match &self.owner {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => {
                self.owner = Some(cx.waker().clone());
                self.shared.set_owner(cx.waker().clone());
            }
        }
    }

    /// Drops every future in the set; their slots are free for later pushes.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = corio_future_set::FutureSet::new();
    /// set.push(std::future::pending::<()>());
    /// set.clear();
    /// assert!(set.is_empty());
    /// ```
    pub fn clear(&mut self) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if slot.future.is_some() {
                slot.future.as_mut().set(None);
                self.free.push(i);
            }
        }
        self.len = 0;
    }
}

impl<F: Unpin> FutureSet<F> {
    /// Takes every future still in the set out of it, with its slot index, in slot order
    /// (push order, for a set whose slots were never reused).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = corio_future_set::FutureSet::new();
    /// set.push(std::future::pending::<u8>());
    /// set.push(std::future::pending::<u8>());
    /// let taken = set.take_pending();
    /// assert_eq!(taken.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![0, 1]);
    /// assert!(set.is_empty());
    /// ```
    pub fn take_pending(&mut self) -> Vec<(usize, F)> {
        let mut out = Vec::with_capacity(self.len);
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let Some(f) = slot.future.as_mut().get_mut().take() {
                out.push((i, f));
                self.free.push(i);
            }
        }
        self.len = 0;
        out
    }
}

impl<F: Future> FutureSet<F> {
    /// Polls the woken futures until one completes, in completion order:
    /// `Ready(Some((slot, output)))`; `Ready(None)` when the set is empty; `Pending` when
    /// no woken future is ready (the owner's waker will be woken) or when the owner's poll
    /// has used its limit of child polls or corio's cooperative budget is spent (then the
    /// owner's waker was woken already, so its task goes to the back of the queue).
    ///
    /// The list of woken futures is taken once per owner poll: a future that wakes itself
    /// while polled is polled again in the owner's next poll, not in a loop within this
    /// one.
    ///
    /// # Examples
    ///
    /// See [`FutureSet`].
    pub fn poll_next(&mut self, cx: &Context<'_>) -> Poll<Option<(usize, F::Output)>> {
        loop {
            if self.len == 0 {
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
                self.shared.drain_into(&mut self.local);
                if self.local.is_empty() {
                    return Poll::Pending;
                }
            }
            if self.polled >= self.yield_after {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let index = self.local[self.pos];
            self.pos += 1;
            let slot = &mut self.slots[index];
            slot.handle.unmark();
            let Some(future) = slot.future.as_mut().as_pin_mut() else {
                continue; // woken after it completed or was removed
            };
            self.polled += 1;
            if let Poll::Ready(out) = future.poll(&mut Context::from_waker(&slot.waker)) {
                slot.future.as_mut().set(None);
                self.free.push(index);
                self.len -= 1;
                return Poll::Ready(Some((index, out)));
            }
            // A child out of the cooperative budget returns `Pending` (after waking
            // itself): checking here, rather than before every child, costs nothing on
            // children that complete.
            if !coop::has_budget_remaining() {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
    }
}

impl<F> Default for FutureSet<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F> fmt::Debug for FutureSet<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FutureSet")
            .field("len", &self.len)
            .field("slots", &self.slots.len())
            .field("yield_after", &self.yield_after)
            .finish()
    }
}
