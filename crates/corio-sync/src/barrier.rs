//! [`Barrier`]: asyncio.Barrier (3.11).

use crate::sync::{Mutex, lock};
use crate::waiters::{WaitList, WakeList, wake_all};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// asyncio's `Barrier`: `n` parties wait until all of them have arrived, then all go on.
///
/// A barrier cycles: it *fills* until the `n`-th party arrives, then *drains* while the
/// released parties return; a party arriving while it drains waits for the next cycle.
/// [`abort`](Self::abort) breaks it (every waiter, and every later `wait`, gets
/// [`BrokenBarrier`]) until [`reset`](Self::reset).
///
/// # Fairness
///
/// Parties are numbered in arrival order; the last to arrive is the leader. Arrivals
/// during a drain are queued and admitted in arrival order once it ends.
///
/// # Cancel safety
///
/// A party dropped while the barrier fills does not count (as in asyncio): the barrier
/// still needs `n` parties. A party dropped after it was released counts as having
/// returned, so the drain still ends.
///
/// # Examples
///
/// ```
/// use corio_sync::Barrier;
/// use std::sync::Arc;
///
/// corio_executor::run(async {
///     let barrier = Arc::new(Barrier::new(3));
///     let tasks: Vec<_> = (0..3)
///         .map(|_| {
///             let b = barrier.clone();
///             corio_executor::spawn(async move { b.wait().await.unwrap() })
///         })
///         .collect();
///     let mut leaders = 0;
///     for t in tasks {
///         leaders += t.await.unwrap().is_leader() as usize;
///     }
///     assert_eq!(leaders, 1);
/// });
/// ```
pub struct Barrier {
    parties: usize,
    state: Mutex<State>,
}

struct State {
    /// Parties arrived in the filling cycle.
    count: usize,
    /// Released parties that have not returned yet.
    draining: usize,
    broken: bool,
    waiters: WaitList<Party>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Party {
    /// Arrived during a drain; waits to be admitted.
    Blocked,
    /// Admitted after a drain; must arrive again when polled.
    Admitted,
    /// Arrived with this index; waits for the others.
    Filling(usize),
    /// Released with this index.
    Released(usize),
    /// The barrier broke while it waited.
    Broken,
}

impl State {
    fn end_drain_if_done(&mut self, wakers: &mut WakeList) {
        if self.draining == 0 {
            self.waiters.grant_all(wakers, |p| {
                if *p == Party::Blocked {
                    *p = Party::Admitted;
                }
            });
        }
    }
}

/// What [`Barrier::wait`] returns to each party.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let b = corio_sync::Barrier::new(1);
///     let r = b.wait().await.unwrap();
///     assert_eq!(r.index(), 0);
///     assert!(r.is_leader());
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult {
    index: usize,
    leader: bool,
}

impl BarrierWaitResult {
    /// The party's arrival index in its cycle, `0..n` (asyncio's return value).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let b = corio_sync::Barrier::new(1);
    ///     assert_eq!(b.wait().await.unwrap().index(), 0);
    /// });
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// Whether this party arrived last and so released the others: exactly one per cycle.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     assert!(corio_sync::Barrier::new(1).wait().await.unwrap().is_leader());
    /// });
    /// ```
    pub fn is_leader(&self) -> bool {
        self.leader
    }
}

/// The barrier was aborted or reset while a party waited, or is broken (asyncio's
/// `BrokenBarrierError`).
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let b = corio_sync::Barrier::new(2);
///     b.abort();
///     assert_eq!(b.wait().await.unwrap_err(), corio_sync::BrokenBarrier::new());
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BrokenBarrier(());

impl BrokenBarrier {
    /// The error value (for comparisons in tests).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::BrokenBarrier::new().to_string(), "barrier is broken");
    /// ```
    pub fn new() -> Self {
        BrokenBarrier(())
    }
}

impl fmt::Display for BrokenBarrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("barrier is broken")
    }
}

impl std::error::Error for BrokenBarrier {}

impl Barrier {
    /// A barrier for `parties` parties.
    ///
    /// # Panics
    ///
    /// If `parties` is 0 (asyncio's `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Barrier::new(4).parties(), 4);
    /// ```
    pub fn new(parties: usize) -> Self {
        assert!(parties > 0, "a Barrier needs at least one party");
        Barrier {
            parties,
            state: Mutex::new(State {
                count: 0,
                draining: 0,
                broken: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Arrives at the barrier and waits for the other parties.
    ///
    /// # Errors
    ///
    /// [`BrokenBarrier`] if the barrier is broken, or is aborted or reset while waiting.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: see the [type docs](Self#cancel-safety).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let b = corio_sync::Barrier::new(2);
    ///     let (x, y) = futures::join!(b.wait(), b.wait());
    ///     assert_eq!(x.unwrap().index() + y.unwrap().index(), 1);
    /// });
    /// ```
    pub fn wait(&self) -> BarrierWait<'_> {
        BarrierWait {
            barrier: self,
            key: None,
            done: false,
            slot: corio_core::callgraph::WaitSlot::new(),
        }
    }

    /// Breaks the barrier: every waiting party, and every later `wait`, gets
    /// [`BrokenBarrier`] until [`reset`](Self::reset).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = corio_sync::Barrier::new(2);
    /// b.abort();
    /// assert!(b.is_broken());
    /// ```
    pub fn abort(&self) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            st.broken = true;
            st.count = 0;
            st.waiters.grant_all(&mut wakers, |p| *p = Party::Broken);
        }
        wake_all(wakers);
    }

    /// Returns the barrier to its empty, filling state. Parties waiting to fill it get
    /// [`BrokenBarrier`]; parties already released still return normally.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = corio_sync::Barrier::new(2);
    /// b.abort();
    /// b.reset();
    /// assert!(!b.is_broken());
    /// ```
    pub fn reset(&self) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            st.broken = false;
            st.count = 0;
            st.waiters.grant_all(&mut wakers, |p| match p {
                Party::Filling(_) => *p = Party::Broken,
                Party::Blocked => *p = Party::Admitted,
                _ => {}
            });
        }
        wake_all(wakers);
    }

    /// The number of parties.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Barrier::new(2).parties(), 2);
    /// ```
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// Parties currently waiting for the barrier to fill.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Barrier::new(2).n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        lock(&self.state).count
    }

    /// Whether the barrier is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio_sync::Barrier::new(2).is_broken());
    /// ```
    pub fn is_broken(&self) -> bool {
        lock(&self.state).broken
    }

    /// Waiter entries alive (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Barrier::new(2).waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        lock(&self.state).waiters.entries()
    }

    /// A party arrives (the lock is held). Returns its result if it need not wait.
    fn arrive(
        &self,
        st: &mut State,
        key: &mut Option<usize>,
        cx: &Context<'_>,
        wakers: &mut WakeList,
    ) -> Option<Result<BarrierWaitResult, BrokenBarrier>> {
        if st.broken {
            return Some(Err(BrokenBarrier(())));
        }
        if st.draining > 0 {
            *key = Some(st.waiters.push_back(Party::Blocked, cx.waker()));
            return None;
        }
        let index = st.count;
        st.count += 1;
        if st.count < self.parties {
            *key = Some(st.waiters.push_back(Party::Filling(index), cx.waker()));
            return None;
        }
        // The last party: release the others; they drain as they return.
        st.count = 0;
        st.draining = self.parties - 1;
        st.waiters.grant_all(wakers, |p| {
            if let Party::Filling(i) = *p {
                *p = Party::Released(i);
            }
        });
        // Only filling parties are queued now: arrivals queue as Blocked only during a
        // drain, and a drain ends before the next release.
        if st.draining == 0 {
            st.end_drain_if_done(wakers);
        }
        Some(Ok(BarrierWaitResult {
            index,
            leader: true,
        }))
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.state);
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &st.count)
            .field("broken", &st.broken)
            .finish()
    }
}

/// The future of [`Barrier::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct BarrierWait<'a> {
    barrier: &'a Barrier,
    key: Option<usize>,
    done: bool,
    slot: corio_core::callgraph::WaitSlot,
}

impl fmt::Debug for BarrierWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWait")
            .field("waiting", &self.key.is_some())
            .finish()
    }
}

impl Future for BarrierWait<'_> {
    type Output = Result<BarrierWaitResult, BrokenBarrier>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.done, "BarrierWait polled after completion");
        let mut wakers = WakeList::new();
        let out = {
            let mut st = lock(&this.barrier.state);
            match this.key {
                None => this.barrier.arrive(&mut st, &mut this.key, cx, &mut wakers),
                Some(key) => match *st.waiters.state(key) {
                    Party::Blocked | Party::Filling(_) => {
                        st.waiters.set_waker(key, cx.waker());
                        None
                    }
                    Party::Admitted => {
                        st.waiters.remove(key);
                        this.key = None;
                        this.barrier.arrive(&mut st, &mut this.key, cx, &mut wakers)
                    }
                    Party::Released(index) => {
                        st.waiters.remove(key);
                        this.key = None;
                        st.draining -= 1;
                        st.end_drain_if_done(&mut wakers);
                        Some(Ok(BarrierWaitResult {
                            index,
                            leader: false,
                        }))
                    }
                    Party::Broken => {
                        st.waiters.remove(key);
                        this.key = None;
                        Some(Err(BrokenBarrier(())))
                    }
                },
            }
        };
        wake_all(wakers);
        match out {
            Some(r) => {
                this.done = true;
                this.slot.done();
                Poll::Ready(r)
            }
            None => {
                let barrier = this.barrier;
                this.slot.pending(|| {
                    let arrived = lock(&barrier.state).count;
                    corio_core::callgraph::WaitOn::new("Barrier")
                        .object(barrier)
                        .detail(format!("{arrived} of {} parties arrived", barrier.parties))
                });
                Poll::Pending
            }
        }
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.barrier.state);
            match st.waiters.remove(key) {
                Party::Filling(_) => st.count -= 1,
                Party::Released(_) => {
                    st.draining -= 1;
                    st.end_drain_if_done(&mut wakers);
                }
                Party::Blocked | Party::Admitted | Party::Broken => {}
            }
        }
        wake_all(wakers);
    }
}
