//! [`Lock`]: asyncio.Lock, holding a value like a mutex.
//!
//! # Why it looks the way it does
//!
//! The lock's state is one atomic word, `LOCKED | QUEUED`, beside the waiter list under
//! its own mutex. An uncontended `lock()` is one compare-and-swap `0 -> LOCKED`, and an
//! unlock with nobody queued one compare-and-swap back: neither touches the mutex. The
//! `QUEUED` bit is set (under the mutex) as soon as a waiter queues, and cleared (under the
//! mutex) when the last queued waiter leaves the queue; while it is set, the unlock's
//! compare-and-swap fails and the unlock takes the mutex and hands the lock straight to
//! the first waiter (the word stays `LOCKED`). So FIFO holds: the lock can only be taken
//! without the mutex when the word is 0, and it is never 0 while anyone is queued.
//!
//! The value lives inline in an `UnsafeCell` (it used to be boxed so that the guard could
//! own it without `unsafe`: an allocation per `Lock` and a pointer chase per access,
//! 13.2 ns per uncontended lock/unlock against futures::lock's 8.0).
#![allow(unsafe_code)]

use crate::sync::{AtomicUsize, Mutex, Ordering, lock};
use crate::waiters::WaitList;
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::task::{Context, Poll};

/// The lock is held (or handed to a waiter that has not collected it yet).
const LOCKED: usize = 1;
/// At least one waiter is queued (linked) in the waiter list. Only changed under the
/// waiter list's mutex, and only ever set together with `LOCKED`.
const QUEUED: usize = 2;

/// asyncio's `Lock`, holding a value `T` (a `()` by default, for a plain lock): an async
/// mutex whose guard may be held across `.await`s.
///
/// `async with lock:` becomes `let guard = lock.lock().await;`; the lock is released when
/// the guard drops, including during a panic's unwinding (the lock is not poisoned).
///
/// The value lives inline; an uncontended lock and unlock are one atomic
/// compare-and-swap each.
///
/// # Fairness
///
/// Strictly FIFO. On unlock the lock goes straight to the first waiter, so neither
/// [`try_lock`](Self::try_lock) nor a new [`lock`](Self::lock) can take it first (no
/// barging), and a task that unlocks and locks again queues behind the waiters.
///
/// # Cancel safety
///
/// Dropping a [`LockFuture`] at any point, even after the lock was handed to it but before
/// it was polled again, passes the lock on to the next waiter (or unlocks it). No waiter
/// entry is left behind.
///
/// # Examples
///
/// ```
/// use corio_sync::Lock;
/// use std::sync::Arc;
///
/// corio_executor::run(async {
///     let counter = Arc::new(Lock::new(0));
///     let tasks: Vec<_> = (0..10)
///         .map(|_| {
///             let counter = counter.clone();
///             corio_executor::spawn(async move {
///                 let mut n = counter.lock().await;
///                 corio_executor::yield_now().await; // still held across the await
///                 *n += 1;
///             })
///         })
///         .collect();
///     for t in tasks {
///         t.await.unwrap();
///     }
///     assert_eq!(*counter.lock().await, 10);
/// });
/// ```
pub struct Lock<T = ()> {
    /// `LOCKED | QUEUED`.
    state: AtomicUsize,
    /// The task holding the lock, when the call graph's bookkeeping is on (0: unknown).
    /// Diagnostics only, so a plain std atomic even under loom.
    holder: AtomicU64,
    waiters: Mutex<WaitList<Waiting>>,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through a guard, and at most one guard exists at a
// time (the `LOCKED` bit), so sharing a `Lock` hands `T` from thread to thread but never
// shares it: `T: Send` is enough, as for `std::sync::Mutex`.
unsafe impl<T: Send> Sync for Lock<T> {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Queued,
    Granted,
}

impl<T> Lock<T> {
    /// A new, unlocked lock holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio_sync::Lock::new(vec![1, 2]);
    /// assert!(!lock.is_locked());
    /// ```
    pub fn new(value: T) -> Self {
        Lock {
            state: AtomicUsize::new(0),
            holder: AtomicU64::new(0),
            waiters: Mutex::new(WaitList::new()),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits for the lock.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped future passes on the lock if it was handed it. See the
    /// [type docs](Self#cancel-safety).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let lock = corio_sync::Lock::new(String::new());
    ///     lock.lock().await.push_str("hi");
    ///     assert_eq!(*lock.lock().await, "hi");
    /// });
    /// ```
    pub fn lock(&self) -> LockFuture<'_, T> {
        LockFuture {
            lock: self,
            raw: RawLock::default(),
        }
    }

    /// Waits for the lock of a shared `Lock`; the guard owns an `Arc` of it.
    ///
    /// # Cancel safety
    ///
    /// As [`lock`](Self::lock).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// corio_executor::run(async {
    ///     let lock = Arc::new(corio_sync::Lock::new(1));
    ///     let mut g = lock.clone().lock_owned().await;
    ///     *g += 1;
    ///     drop(g);
    ///     assert_eq!(*lock.lock().await, 2);
    /// });
    /// ```
    pub fn lock_owned(self: Arc<Self>) -> OwnedLockFuture<T> {
        OwnedLockFuture {
            lock: self,
            raw: RawLock::default(),
        }
    }

    /// Takes the lock if it is free and nobody waits; never waits.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held or handed to a waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio_sync::Lock::new(());
    /// let g = lock.try_lock().unwrap();
    /// assert!(lock.try_lock().is_err());
    /// drop(g);
    /// assert!(lock.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<LockGuard<'_, T>, TryLockError> {
        if !self.try_take() {
            return Err(TryLockError(()));
        }
        Ok(LockGuard {
            lock: self,
            _value: PhantomData,
        })
    }

    /// [`try_lock`](Self::try_lock) for a shared `Lock`.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(corio_sync::Lock::new(()));
    /// let _g = lock.clone().try_lock_owned().unwrap();
    /// assert!(lock.is_locked());
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedLockGuard<T>, TryLockError> {
        if !self.try_take() {
            return Err(TryLockError(()));
        }
        Ok(OwnedLockGuard {
            lock: self,
            _value: PhantomData,
        })
    }

    /// The lock-free fast path: takes the lock if the word is 0 (free, and so nobody
    /// queued).
    #[inline]
    fn try_take(&self) -> bool {
        let taken = self
            .state
            .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok();
        if taken {
            self.note_holder();
        }
        taken
    }

    /// Records the current task as the holder for the call graph (a relaxed load and a
    /// compare when the bookkeeping is off).
    #[inline]
    fn note_holder(&self) {
        let id = corio_core::callgraph::current_task().unwrap_or(0);
        if self.holder.load(Ordering::Relaxed) != id {
            self.holder.store(id, Ordering::Relaxed);
        }
    }

    /// asyncio's `locked()`: whether the lock is held (or handed to a waiter).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio_sync::Lock::new(());
    /// let g = lock.try_lock().unwrap();
    /// assert!(lock.is_locked());
    /// drop(g);
    /// assert!(!lock.is_locked());
    /// ```
    pub fn is_locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) & LOCKED != 0
    }

    /// The value, through `&mut`: no locking needed.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut lock = corio_sync::Lock::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// Consumes the lock and returns its value.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Lock::new("v").into_inner(), "v");
    /// ```
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }

    /// Waiter entries alive (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Lock::new(()).waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        lock(&self.waiters).entries()
    }

    /// The body of both lock futures: `Ready` once the lock is this future's.
    fn poll_lock(&self, raw: &mut RawLock, cx: &mut Context<'_>) -> Poll<()> {
        let Some(key) = raw.key else {
            if corio_core::coop::poll_proceed(cx).is_pending() {
                return Poll::Pending;
            }
            if self.try_take() {
                raw.done = true;
                return Poll::Ready(());
            }
            return self.poll_lock_slow(raw, cx);
        };
        let mut waiters = lock(&self.waiters);
        match *waiters.state(key) {
            Waiting::Queued => {
                waiters.set_waker(key, cx.waker());
                raw.slot.pending(|| self.describe_wait());
                Poll::Pending
            }
            Waiting::Granted => {
                waiters.remove(key);
                drop(waiters);
                raw.key = None;
                raw.done = true;
                raw.slot.done();
                self.note_holder();
                Poll::Ready(())
            }
        }
    }

    /// The lock looked taken: under the waiter list's mutex, take it if it was freed
    /// meanwhile, or queue (setting `QUEUED`, which sends the holder's unlock here).
    #[cold]
    fn poll_lock_slow(&self, raw: &mut RawLock, cx: &mut Context<'_>) -> Poll<()> {
        let mut waiters = lock(&self.waiters);
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            let (new, queue) = if s == 0 {
                (LOCKED, false)
            } else {
                (s | QUEUED, true)
            };
            match self
                .state
                .compare_exchange(s, new, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) if queue => break,
                Ok(_) => {
                    drop(waiters);
                    self.note_holder();
                    raw.done = true;
                    return Poll::Ready(());
                }
                Err(now) => s = now,
            }
        }
        raw.key = Some(waiters.push_back(Waiting::Queued, cx.waker()));
        raw.slot.pending(|| self.describe_wait());
        Poll::Pending
    }

    /// What a queued `lock()` waits on, for the task call graph.
    fn describe_wait(&self) -> corio_core::callgraph::WaitOn {
        let holder = self.holder.load(Ordering::Relaxed);
        corio_core::callgraph::WaitOn::new("Lock")
            .object(self)
            .queued()
            .held_by((holder != 0).then_some(holder))
    }

    #[cold]
    fn cancel_lock(&self, raw: &mut RawLock) {
        let Some(key) = raw.key.take() else { return };
        let waker = {
            let mut waiters = lock(&self.waiters);
            match waiters.remove(key) {
                Waiting::Queued => {
                    if waiters.is_empty() {
                        // The last queued waiter left: QUEUED was set, so the word is
                        // LOCKED | QUEUED and nobody else changes it while we hold the
                        // mutex.
                        self.state.store(LOCKED, Ordering::Relaxed);
                    }
                    None
                }
                #[cfg(corio_loom)]
                Waiting::Granted
                    if crate::mutation::active(crate::mutation::Mutation::LockCancelKeepsLock) =>
                {
                    None
                }
                Waiting::Granted => self.hand_on(&mut waiters),
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Called under the waiter list's mutex by the lock's owner giving it up: hands the
    /// lock to the first queued waiter (the word stays `LOCKED`, losing `QUEUED` with the
    /// last queued waiter), or unlocks.
    fn hand_on(&self, waiters: &mut WaitList<Waiting>) -> Option<std::task::Waker> {
        match waiters.grant_front(Waiting::Granted) {
            Some(waker) => {
                if waiters.is_empty() {
                    self.state.store(LOCKED, Ordering::Relaxed);
                }
                waker
            }
            None => {
                // Release: the guard's writes to the value happen before the next lock.
                self.state.store(0, Ordering::Release);
                None
            }
        }
    }

    /// Gives up the lock: one compare-and-swap when nobody is queued.
    #[inline]
    fn unlock(&self) {
        if self
            .state
            .compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            self.unlock_slow();
        }
    }

    #[cold]
    fn unlock_slow(&self) {
        let waker = self.hand_on(&mut lock(&self.waiters));
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// The value, for a guard: only a guard (which holds the lock) may dereference it.
    #[inline]
    fn value_ptr(&self) -> *mut T {
        self.value.get()
    }
}

impl<T: Default> Default for Lock<T> {
    fn default() -> Self {
        Lock::new(T::default())
    }
}

impl<T> From<T> for Lock<T> {
    fn from(value: T) -> Self {
        Lock::new(value)
    }
}

impl<T> fmt::Debug for Lock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiters = lock(&self.waiters).queued();
        f.debug_struct("Lock")
            .field("locked", &self.is_locked())
            .field("waiters", &waiters)
            .finish_non_exhaustive()
    }
}

/// Why [`Lock::try_lock`] failed: the lock is held.
///
/// # Examples
///
/// ```
/// let lock = corio_sync::Lock::new(());
/// let _g = lock.try_lock().unwrap();
/// assert_eq!(lock.try_lock().unwrap_err().to_string(), "lock is held");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TryLockError(());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("lock is held")
    }
}

impl std::error::Error for TryLockError {}

#[derive(Debug, Default)]
struct RawLock {
    key: Option<usize>,
    done: bool,
    slot: corio_core::callgraph::WaitSlot,
}

/// The future of [`Lock::lock`].
///
/// Dropping it passes on the lock if it was handed it.
#[must_use = "futures do nothing unless awaited"]
pub struct LockFuture<'a, T> {
    lock: &'a Lock<T>,
    raw: RawLock,
}

impl<T> fmt::Debug for LockFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockFuture")
            .field("queued", &self.raw.key.is_some())
            .finish()
    }
}

impl<'a, T> Future for LockFuture<'a, T> {
    type Output = LockGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.raw.done, "LockFuture polled after completion");
        this.lock.poll_lock(&mut this.raw, cx).map(|()| LockGuard {
            lock: this.lock,
            _value: PhantomData,
        })
    }
}

impl<T> Drop for LockFuture<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Only a queued (or granted, uncollected) lock future has anything to do here.
        if self.raw.key.is_some() {
            self.lock.cancel_lock(&mut self.raw);
        }
    }
}

/// The future of [`Lock::lock_owned`].
///
/// Dropping it passes on the lock if it was handed it.
#[must_use = "futures do nothing unless awaited"]
pub struct OwnedLockFuture<T> {
    lock: Arc<Lock<T>>,
    raw: RawLock,
}

impl<T> fmt::Debug for OwnedLockFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedLockFuture")
            .field("queued", &self.raw.key.is_some())
            .finish()
    }
}

impl<T> Future for OwnedLockFuture<T> {
    type Output = OwnedLockGuard<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.raw.done, "OwnedLockFuture polled after completion");
        this.lock
            .poll_lock(&mut this.raw, cx)
            .map(|()| OwnedLockGuard {
                lock: this.lock.clone(),
                _value: PhantomData,
            })
    }
}

impl<T> Drop for OwnedLockFuture<T> {
    #[inline]
    fn drop(&mut self) {
        // Only a queued (or granted, uncollected) lock future has anything to do here.
        if self.raw.key.is_some() {
            self.lock.cancel_lock(&mut self.raw);
        }
    }
}

/// Holds a [`Lock`] and gives access to its value; unlocks when dropped.
///
/// # Examples
///
/// ```
/// let lock = corio_sync::Lock::new(5);
/// let mut g = lock.try_lock().unwrap();
/// *g += 1;
/// assert_eq!(*g, 6);
/// ```
#[must_use = "the lock is released at once if the guard is not kept"]
pub struct LockGuard<'a, T> {
    lock: &'a Lock<T>,
    /// The guard gives access to a `T`: `Send` only if `T` is, `Sync` only if `T` is, and
    /// `Unpin` always (as when it owned the value in a `Box`).
    _value: PhantomData<Box<T>>,
}

impl<'a, T> LockGuard<'a, T> {
    /// The lock this guard holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_sync::{Lock, LockGuard};
    /// let lock = Lock::new(());
    /// let g = lock.try_lock().unwrap();
    /// assert!(std::ptr::eq(LockGuard::source(&g), &lock));
    /// ```
    pub fn source(this: &Self) -> &'a Lock<T> {
        this.lock
    }
}

impl<T> Deref for LockGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the lock, and the reference borrows the guard.
        unsafe { &*self.lock.value_ptr() }
    }
}

impl<T> DerefMut for LockGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the lock, and the reference borrows the guard mutably,
        // so it is the only reference to the value.
        unsafe { &mut *self.lock.value_ptr() }
    }
}

impl<T> Drop for LockGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.unlock();
    }
}

impl<T: fmt::Debug> fmt::Debug for LockGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LockGuard").field(&**self).finish()
    }
}

/// Holds a shared [`Lock`] (through an `Arc`); unlocks when dropped.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// let lock = Arc::new(corio_sync::Lock::new(5));
/// let g: corio_sync::OwnedLockGuard<i32> = lock.clone().try_lock_owned().unwrap();
/// assert_eq!(*g, 5);
/// ```
#[must_use = "the lock is released at once if the guard is not kept"]
pub struct OwnedLockGuard<T> {
    lock: Arc<Lock<T>>,
    /// As in [`LockGuard`].
    _value: PhantomData<Box<T>>,
}

impl<T> OwnedLockGuard<T> {
    /// The lock this guard holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(corio_sync::Lock::new(()));
    /// let g = lock.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(corio_sync::OwnedLockGuard::source(&g), &lock));
    /// ```
    pub fn source(this: &Self) -> &Arc<Lock<T>> {
        &this.lock
    }
}

impl<T> Deref for OwnedLockGuard<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the lock, and the reference borrows the guard.
        unsafe { &*self.lock.value_ptr() }
    }
}

impl<T> DerefMut for OwnedLockGuard<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the lock, and the reference borrows the guard mutably,
        // so it is the only reference to the value.
        unsafe { &mut *self.lock.value_ptr() }
    }
}

impl<T> Drop for OwnedLockGuard<T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.unlock();
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedLockGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedLockGuard").field(&**self).finish()
    }
}

pub(crate) fn try_lock_error() -> TryLockError {
    TryLockError(())
}
