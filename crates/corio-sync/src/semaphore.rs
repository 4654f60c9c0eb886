//! [`Semaphore`]: asyncio.Semaphore, with RAII permits.
//!
//! # Why it looks the way it does
//!
//! The free permits live in one atomic word beside the waiter list (tokio's batch
//! semaphore has the same shape): `permits << 2 | WAITING | CLOSED`. `WAITING` says the
//! waiter list holds entries (queued waiters, or waiters handed permits that have not
//! collected them yet); it is set and cleared only under the list's mutex. While it is
//! clear, `acquire`/`try_acquire` take permits and a release returns them with one
//! compare-and-swap, without the mutex. While it is set, both go through the mutex: an
//! acquire queues (no barging past a waiter) and a release hands its permits to the
//! waiters at the front. So FIFO holds exactly as before; only the uncontended path got
//! cheaper (the mutex lock and unlock were most of its 13.2 ns).

use crate::sync::{AtomicUsize, Mutex, Ordering, lock};
use crate::waiters::{WaitList, WakeList};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A counting semaphore: asyncio's `Semaphore`, with permits that are released on drop
/// (`async with sem:` becomes `let _permit = sem.acquire().await?;`).
///
/// # Fairness
///
/// Strictly FIFO. Waiters are served in the order they started waiting, and a permit
/// released while anyone waits goes straight to the first waiter: a later
/// [`try_acquire`](Self::try_acquire) or `acquire` cannot take it first (no barging). As
/// in asyncio, a waiter that was handed permits but has not run yet still counts as
/// waiting: a task that releases and re-acquires meanwhile queues behind it.
/// [`acquire_many(k)`](Self::acquire_many) waits at its place in the queue until `k`
/// permits are free; the waiters behind it wait too, even if they need fewer.
///
/// # Cancel safety
///
/// Dropping an [`Acquire`] future at any point, even after a permit was handed to it but
/// before it was polled again, returns the permits to the semaphore, which hands them to
/// the next waiter. No permit is lost and no waiter entry is left behind.
///
/// # Examples
///
/// ```
/// use corio_sync::Semaphore;
///
/// corio_executor::run(async {
///     let sem = Semaphore::new(2);
///     let a = sem.acquire().await.unwrap();
///     let _b = sem.acquire().await.unwrap();
///     assert!(sem.try_acquire().is_err()); // both permits are held
///     drop(a);
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
pub struct Semaphore {
    /// `free permits << SHIFT | WAITING | CLOSED`.
    word: AtomicUsize,
    state: Mutex<State>,
}

/// The semaphore was closed (set under the mutex, never cleared).
const CLOSED: usize = 1;
/// The waiter list holds entries. Set and cleared only under the mutex.
const WAITING: usize = 2;
const SHIFT: u32 = 2;
/// The most free permits a semaphore can count.
const MAX_PERMITS: usize = usize::MAX >> SHIFT;

#[inline]
fn permits_of(word: usize) -> usize {
    word >> SHIFT
}

#[cold]
#[inline(never)]
fn permit_overflow() -> ! {
    panic!("semaphore permit count overflow")
}

struct State {
    /// Free + held permits (what `forget` and `add_permits` change): the bound that
    /// [`BoundedSemaphore`](crate::BoundedSemaphore) checks.
    total: usize,
    waiters: WaitList<Waiting>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    /// Queued, wanting this many permits.
    Queued(usize),
    /// Handed its permits; the future has not collected them yet.
    Granted,
    /// The semaphore was closed while it waited.
    Closed,
}

impl State {
    /// Hands free permits to the waiters at the front, in order, as far as they go.
    /// Called under the mutex; while a waiter is queued `WAITING` is set, so no
    /// lock-free path changes the word meanwhile.
    fn grant(&mut self, word: &AtomicUsize, wakers: &mut WakeList) {
        while let Some(key) = self.waiters.front() {
            let Waiting::Queued(n) = *self.waiters.state(key) else {
                unreachable!("a queued waiter is always Queued")
            };
            if n > permits_of(word.load(Ordering::Acquire)) {
                break;
            }
            word.fetch_sub(n << SHIFT, Ordering::Relaxed);
            if let Some(w) = self.waiters.grant_front(Waiting::Granted).flatten() {
                wakers.push(w);
            }
        }
    }

    /// Clears `WAITING` once the last entry has left the list.
    fn entry_left(&self, word: &AtomicUsize) {
        if self.waiters.entries() == 0 {
            word.fetch_and(!WAITING, Ordering::Release);
        }
    }
}

/// Why [`Semaphore::acquire`] failed: the semaphore was closed.
///
/// # Examples
///
/// ```
/// let sem = corio_sync::Semaphore::new(1);
/// sem.close();
/// let err = corio_executor::run(sem.acquire()).unwrap_err();
/// assert_eq!(err.to_string(), "semaphore closed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcquireError(());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

/// Why [`Semaphore::try_acquire`] failed.
///
/// # Examples
///
/// ```
/// use corio_sync::{Semaphore, TryAcquireError};
///
/// let sem = Semaphore::new(0);
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
/// sem.close();
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TryAcquireError {
    /// Not enough free permits, or others are already waiting for them (or have been
    /// handed permits and not yet run).
    NoPermits,
    /// The semaphore was closed.
    Closed,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::NoPermits => f.write_str("no permits available"),
            TryAcquireError::Closed => f.write_str("semaphore closed"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

impl Semaphore {
    /// A semaphore with `permits` free permits. (asyncio's "negative initial value" error
    /// cannot happen: the count is unsigned.)
    ///
    /// # Panics
    ///
    /// If `permits` exceeds `usize::MAX >> 2` (the count shares a word with two flags).
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Self {
        assert!(permits <= MAX_PERMITS, "semaphore permit count overflow");
        Semaphore {
            word: AtomicUsize::new(permits << SHIFT),
            state: Mutex::new(State {
                total: permits,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Waits for one permit.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] once the semaphore is [closed](Self::close), including for
    /// waiters queued when it closes.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future gives back any permit it was handed, to the next
    /// waiter in line. See the [type docs](Self#cancel-safety).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let sem = corio_sync::Semaphore::new(1);
    ///     let permit = sem.acquire().await.unwrap();
    ///     assert_eq!(sem.available_permits(), 0);
    ///     drop(permit);
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits at once, keeping its place in the FIFO queue meanwhile.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] once the semaphore is closed.
    ///
    /// # Cancel safety
    ///
    /// As [`acquire`](Self::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let sem = corio_sync::Semaphore::new(5);
    ///     let permits = sem.acquire_many(3).await.unwrap();
    ///     assert_eq!(permits.num_permits(), 3);
    ///     assert_eq!(sem.available_permits(), 2);
    /// });
    /// ```
    pub fn acquire_many(&self, n: usize) -> Acquire<'_> {
        Acquire {
            sem: self,
            raw: RawAcquire::new(n),
        }
    }

    /// Waits for one permit of a shared semaphore; the permit owns an `Arc` of it, so it
    /// can move into a spawned task.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] once the semaphore is closed.
    ///
    /// # Cancel safety
    ///
    /// As [`acquire`](Self::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// corio_executor::run(async {
    ///     let sem = Arc::new(corio_sync::Semaphore::new(1));
    ///     let permit = sem.clone().acquire_owned().await.unwrap();
    ///     let task = corio_executor::spawn(async move {
    ///         let _permit = permit; // released when the task ends
    ///     });
    ///     task.await.unwrap();
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned {
        self.acquire_many_owned(1)
    }

    /// [`acquire_many`](Self::acquire_many) for a shared semaphore.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] once the semaphore is closed.
    ///
    /// # Cancel safety
    ///
    /// As [`acquire`](Self::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// corio_executor::run(async {
    ///     let sem = Arc::new(corio_sync::Semaphore::new(4));
    ///     let p = sem.clone().acquire_many_owned(4).await.unwrap();
    ///     assert_eq!(p.num_permits(), 4);
    /// });
    /// ```
    pub fn acquire_many_owned(self: Arc<Self>, n: usize) -> AcquireOwned {
        AcquireOwned {
            sem: self,
            raw: RawAcquire::new(n),
        }
    }

    /// Takes one permit if one is free and nobody is waiting; never waits.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError::NoPermits`] if no permit is free or others are queued for them
    /// (a queued waiter is never overtaken); [`TryAcquireError::Closed`] once closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(1);
    /// let p = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_err());
    /// drop(p);
    /// assert!(sem.try_acquire().is_ok());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and nobody is waiting; never waits.
    ///
    /// # Errors
    ///
    /// As [`try_acquire`](Self::try_acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(3);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// assert!(sem.try_acquire_many(4).is_err());
    /// ```
    pub fn try_acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_take(n)?;
        Ok(SemaphorePermit { sem: self, n })
    }

    /// [`try_acquire`](Self::try_acquire) for a shared semaphore.
    ///
    /// # Errors
    ///
    /// As [`try_acquire`](Self::try_acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(corio_sync::Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert_eq!(sem.available_permits(), 0);
    /// drop(p);
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_take(1)?;
        Ok(OwnedSemaphorePermit { sem: self, n: 1 })
    }

    /// The lock-free path: takes `n` permits if they are free and nobody waits.
    #[inline]
    fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut w = self.word.load(Ordering::Relaxed);
        loop {
            if w & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            if w & WAITING != 0 || permits_of(w) < n {
                return Err(TryAcquireError::NoPermits);
            }
            match self.word.compare_exchange_weak(
                w,
                w - (n << SHIFT),
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(now) => w = now,
            }
        }
    }

    /// Adds `n` permits, waking the waiters they satisfy (asyncio's `release()`, `n`
    /// times).
    ///
    /// # Panics
    ///
    /// If the permit count would overflow `usize`.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        {
            let mut st = lock(&self.state);
            st.total = st
                .total
                .checked_add(n)
                .expect("semaphore permit count overflow");
        }
        self.release(n);
    }

    /// Returns `n` held permits and hands them to waiters: one compare-and-swap while
    /// nobody waits.
    #[inline]
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut w = self.word.load(Ordering::Relaxed);
        while w & WAITING == 0 {
            let new = Self::add_to(w, n);
            match self
                .word
                .compare_exchange_weak(w, new, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(now) => w = now,
            }
        }
        self.release_slow(n);
    }

    /// `word` with `n` more free permits.
    #[inline]
    fn add_to(word: usize, n: usize) -> usize {
        match permits_of(word).checked_add(n) {
            Some(p) if p <= MAX_PERMITS => word + (n << SHIFT),
            _ => permit_overflow(),
        }
    }

    /// Someone waits: return the permits under the mutex and hand them on.
    #[cold]
    #[inline(never)]
    fn release_slow(&self, n: usize) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            // `WAITING` may have been cleared since we looked, so lock-free paths may
            // run beside this one: add with a compare-and-swap loop.
            let mut w = self.word.load(Ordering::Relaxed);
            loop {
                let new = Self::add_to(w, n);
                match self
                    .word
                    .compare_exchange_weak(w, new, Ordering::AcqRel, Ordering::Relaxed)
                {
                    Ok(_) => break,
                    Err(now) => w = now,
                }
            }
            if w & CLOSED == 0 {
                st.grant(&self.word, &mut wakers);
            }
        }
        crate::waiters::wake_all(wakers);
    }

    /// Adds one permit unless that would make more than `max` in all.
    pub(crate) fn release_bounded(&self, max: usize) -> bool {
        {
            let mut st = lock(&self.state);
            if st.total >= max {
                return false;
            }
            st.total += 1;
        }
        self.release(1);
        true
    }

    fn forget_permits(&self, n: usize) {
        let mut st = lock(&self.state);
        st.total -= n;
    }

    /// Free permits right now.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(2);
    /// let _p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        permits_of(self.word.load(Ordering::Acquire))
    }

    /// asyncio's `locked()`: true if an `acquire` would wait now, because no permit is
    /// free or others are queued.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(0);
    /// assert!(sem.is_locked());
    /// sem.add_permits(1);
    /// assert!(!sem.is_locked());
    /// ```
    pub fn is_locked(&self) -> bool {
        let w = self.word.load(Ordering::Acquire);
        permits_of(w) == 0 || w & WAITING != 0
    }

    /// Closes the semaphore: every queued waiter and every later `acquire` fails with
    /// [`AcquireError`]. Permits already held stay valid and are returned as usual.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let sem = corio_sync::Semaphore::new(0);
    ///     sem.close();
    ///     assert!(sem.is_closed());
    ///     assert!(sem.acquire().await.is_err());
    /// });
    /// ```
    pub fn close(&self) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            self.word.fetch_or(CLOSED, Ordering::AcqRel);
            st.waiters.grant_all(&mut wakers, |s| *s = Waiting::Closed);
        }
        crate::waiters::wake_all(wakers);
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(1);
    /// assert!(!sem.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.word.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Waiter entries alive: queued, or handed permits not yet collected. For tests
    /// (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(1);
    /// assert_eq!(sem.waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        lock(&self.state).waiters.entries()
    }

    /// The body of both acquire futures.
    #[inline]
    fn poll_acquire(
        &self,
        raw: &mut RawAcquire,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        if raw.key.is_some() {
            return self.poll_queued(raw, cx);
        }
        if corio_core::coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        match self.try_take(raw.n) {
            Ok(()) => {
                raw.done = true;
                raw.slot.done();
                Poll::Ready(Ok(()))
            }
            Err(TryAcquireError::Closed) => {
                raw.done = true;
                raw.slot.done();
                Poll::Ready(Err(AcquireError(())))
            }
            Err(TryAcquireError::NoPermits) => self.poll_enqueue(raw, cx),
        }
    }

    /// No permits for us without waiting: under the mutex, take them if they were freed
    /// meanwhile and nobody waits, or queue (setting `WAITING`, which sends releases and
    /// later acquires through the mutex).
    #[cold]
    #[inline(never)]
    fn poll_enqueue(
        &self,
        raw: &mut RawAcquire,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        let mut st = lock(&self.state);
        let mut w = self.word.load(Ordering::Relaxed);
        loop {
            if w & CLOSED != 0 {
                raw.done = true;
                raw.slot.done();
                return Poll::Ready(Err(AcquireError(())));
            }
            let (new, take) = if w & WAITING == 0 && permits_of(w) >= raw.n {
                (w - (raw.n << SHIFT), true)
            } else {
                (w | WAITING, false)
            };
            match self
                .word
                .compare_exchange_weak(w, new, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) if take => {
                    raw.done = true;
                    raw.slot.done();
                    return Poll::Ready(Ok(()));
                }
                Ok(_) => break,
                Err(now) => w = now,
            }
        }
        let key = st.waiters.push_back(Waiting::Queued(raw.n), cx.waker());
        raw.key = Some(key);
        raw.slot.pending(|| self.describe_wait(&st));
        Poll::Pending
    }

    /// A queued acquire polled again (kept out of line: the uncontended path stays small).
    #[inline(never)]
    fn poll_queued(
        &self,
        raw: &mut RawAcquire,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        let key = raw.key.expect("a queued acquire has a key");
        let mut st = lock(&self.state);
        match *st.waiters.state(key) {
            Waiting::Queued(_) => {
                st.waiters.set_waker(key, cx.waker());
                raw.slot.pending(|| self.describe_wait(&st));
                Poll::Pending
            }
            Waiting::Granted => {
                st.waiters.remove(key);
                raw.key = None;
                raw.done = true;
                raw.slot.done();
                st.entry_left(&self.word);
                // Waiters that queued behind this one while it was being woken may
                // find free permits now (none can when no permit is free: the usual
                // case under contention, where this check saves a walk to the front).
                if permits_of(self.word.load(Ordering::Acquire)) == 0 {
                    return Poll::Ready(Ok(()));
                }
                let mut wakers = WakeList::new();
                st.grant(&self.word, &mut wakers);
                drop(st);
                crate::waiters::wake_all(wakers);
                Poll::Ready(Ok(()))
            }
            Waiting::Closed => {
                st.waiters.remove(key);
                st.entry_left(&self.word);
                raw.key = None;
                raw.done = true;
                raw.slot.done();
                Poll::Ready(Err(AcquireError(())))
            }
        }
    }

    /// What a queued acquire waits on, for the task call graph.
    fn describe_wait(&self, st: &State) -> corio_core::callgraph::WaitOn {
        let permits = self.available_permits();
        corio_core::callgraph::WaitOn::new("Semaphore")
            .object(self)
            .queued()
            .detail(format!(
                "{} of {} permits taken",
                st.total.saturating_sub(permits),
                st.total,
            ))
    }

    /// The drop of both acquire futures: leave the queue, passing on granted permits.
    #[cold]
    fn cancel_acquire(&self, raw: &mut RawAcquire) {
        let Some(key) = raw.key.take() else { return };
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            let was = st.waiters.remove(key);
            let closed = self.is_closed();
            match was {
                #[cfg(corio_loom)]
                Waiting::Granted
                    if crate::mutation::active(
                        crate::mutation::Mutation::SemaphoreCancelLosesPermit,
                    ) => {}
                Waiting::Granted => {
                    // `WAITING` is still set (this entry was alive until just now), so
                    // nothing else changes the word.
                    self.word.fetch_add(raw.n << SHIFT, Ordering::Relaxed);
                    if !closed {
                        st.grant(&self.word, &mut wakers);
                    }
                }
                // Leaving the front may let smaller requests behind it through.
                Waiting::Queued(_) if !closed => st.grant(&self.word, &mut wakers),
                _ => {}
            }
            st.entry_left(&self.word);
        }
        crate::waiters::wake_all(wakers);
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiters = lock(&self.state).waiters.queued();
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .field("waiters", &waiters)
            .field("closed", &self.is_closed())
            .finish()
    }
}

#[derive(Debug)]
struct RawAcquire {
    n: usize,
    key: Option<usize>,
    done: bool,
    slot: corio_core::callgraph::WaitSlot,
}

impl RawAcquire {
    fn new(n: usize) -> Self {
        RawAcquire {
            n,
            key: None,
            done: false,
            slot: corio_core::callgraph::WaitSlot::new(),
        }
    }
}

/// The future of [`Semaphore::acquire`] and [`Semaphore::acquire_many`].
///
/// Dropping it gives back any permit it was handed (see
/// [cancel safety](Semaphore#cancel-safety)).
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    raw: RawAcquire,
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("permits", &self.raw.n)
            .field("queued", &self.raw.key.is_some())
            .finish()
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.raw.done, "Acquire polled after completion");
        this.sem
            .poll_acquire(&mut this.raw, cx)
            .map_ok(|()| SemaphorePermit {
                sem: this.sem,
                n: this.raw.n,
            })
    }
}

impl Drop for Acquire<'_> {
    #[inline]
    fn drop(&mut self) {
        // Only a queued (or granted, uncollected) acquire has anything to give back:
        // the test stays inline, the work out of line.
        if self.raw.key.is_some() {
            self.sem.cancel_acquire(&mut self.raw);
        }
    }
}

/// The future of [`Semaphore::acquire_owned`] and [`Semaphore::acquire_many_owned`].
///
/// Dropping it gives back any permit it was handed.
#[must_use = "futures do nothing unless awaited"]
pub struct AcquireOwned {
    sem: Arc<Semaphore>,
    raw: RawAcquire,
}

impl fmt::Debug for AcquireOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireOwned")
            .field("permits", &self.raw.n)
            .field("queued", &self.raw.key.is_some())
            .finish()
    }
}

impl Future for AcquireOwned {
    type Output = Result<OwnedSemaphorePermit, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.raw.done, "AcquireOwned polled after completion");
        this.sem
            .poll_acquire(&mut this.raw, cx)
            .map_ok(|()| OwnedSemaphorePermit {
                sem: this.sem.clone(),
                n: this.raw.n,
            })
    }
}

impl Drop for AcquireOwned {
    #[inline]
    fn drop(&mut self) {
        // Only a queued (or granted, uncollected) acquire has anything to give back:
        // the test stays inline, the work out of line.
        if self.raw.key.is_some() {
            self.sem.cancel_acquire(&mut self.raw);
        }
    }
}

/// Permits borrowed from a [`Semaphore`], returned when dropped.
///
/// # Examples
///
/// ```
/// let sem = corio_sync::Semaphore::new(1);
/// {
///     let _p = sem.try_acquire().unwrap();
///     assert_eq!(sem.available_permits(), 0);
/// }
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "the permit is released at once if it is not kept"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    n: usize,
}

impl SemaphorePermit<'_> {
    /// Keeps the permits out of the semaphore for good (asyncio's `acquire()` without a
    /// matching `release()`). On a [`BoundedSemaphore`](crate::BoundedSemaphore), this is
    /// what makes room for its `release()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(2);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.sem.forget_permits(self.n);
        self.n = 0;
    }

    /// How many permits this holds.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::Semaphore::new(2);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }
}

impl Drop for SemaphorePermit<'_> {
    #[inline]
    fn drop(&mut self) {
        self.sem.release(self.n);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.n)
            .finish()
    }
}

/// Permits of a shared [`Semaphore`] (held through an `Arc`), returned when dropped.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// let sem = Arc::new(corio_sync::Semaphore::new(1));
/// let p: corio_sync::OwnedSemaphorePermit = sem.clone().try_acquire_owned().unwrap();
/// drop(p);
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "the permit is released at once if it is not kept"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    n: usize,
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(corio_sync::Semaphore::new(1));
    /// sem.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.sem.forget_permits(self.n);
        self.n = 0;
    }

    /// How many permits this holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(corio_sync::Semaphore::new(1));
    /// assert_eq!(sem.try_acquire_owned().unwrap().num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// The semaphore the permits belong to.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(corio_sync::Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert!(Arc::ptr_eq(p.semaphore(), &sem));
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    #[inline]
    fn drop(&mut self) {
        self.sem.release(self.n);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.n)
            .finish()
    }
}
