//! [`Lock`]: asyncio.Lock, holding a value like a mutex.

use crate::sync::{Mutex, get_mut, into_inner, lock};
use crate::waiters::WaitList;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// asyncio's `Lock`, holding a value `T` (a `()` by default, for a plain lock): an async
/// mutex whose guard may be held across `.await`s.
///
/// `async with lock:` becomes `let guard = lock.lock().await;`; the lock is released when
/// the guard drops, including during a panic's unwinding (the lock is not poisoned).
///
/// The value lives in its own heap allocation, which moves into the guard while the lock
/// is held: the crate needs no `unsafe` code for it.
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
    state: Mutex<State<T>>,
}

struct State<T> {
    /// The value, when no guard holds it (also while it is handed to a waiter that has
    /// not collected it yet).
    value: Option<Box<T>>,
    locked: bool,
    /// The task holding the lock, when the call graph's bookkeeping is on (0: unknown).
    holder: u64,
    waiters: WaitList<Waiting>,
}

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
            state: Mutex::new(State {
                value: Some(Box::new(value)),
                locked: false,
                holder: 0,
                waiters: WaitList::new(),
            }),
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
        let value = self.try_take().ok_or(TryLockError(()))?;
        Ok(LockGuard {
            lock: self,
            value: Some(value),
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
        let value = self.try_take().ok_or(TryLockError(()))?;
        Ok(OwnedLockGuard {
            lock: self,
            value: Some(value),
        })
    }

    fn try_take(&self) -> Option<Box<T>> {
        let mut st = lock(&self.state);
        if st.locked {
            return None;
        }
        st.locked = true;
        st.holder = corio_core::callgraph::current_task().unwrap_or(0);
        st.value.take()
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
        lock(&self.state).locked
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
        get_mut(&mut self.state)
            .value
            .as_deref_mut()
            .expect("no guard can exist while the Lock is mutably borrowed")
    }

    /// Consumes the lock and returns its value.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Lock::new("v").into_inner(), "v");
    /// ```
    pub fn into_inner(self) -> T {
        *into_inner(self.state)
            .value
            .expect("no guard can exist while the Lock is owned")
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
        lock(&self.state).waiters.entries()
    }

    fn poll_lock(&self, raw: &mut RawLock, cx: &mut Context<'_>) -> Poll<Box<T>> {
        if raw.key.is_none() && corio_core::coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let mut st = lock(&self.state);
        match raw.key {
            None => {
                if !st.locked {
                    st.locked = true;
                    st.holder = corio_core::callgraph::current_task().unwrap_or(0);
                    raw.done = true;
                    return Poll::Ready(st.value.take().expect("an unlocked Lock holds its value"));
                }
                let key = st.waiters.push_back(Waiting::Queued, cx.waker());
                raw.key = Some(key);
                raw.slot.pending(|| self.describe_wait(&st));
                Poll::Pending
            }
            Some(key) => match *st.waiters.state(key) {
                Waiting::Queued => {
                    st.waiters.set_waker(key, cx.waker());
                    raw.slot.pending(|| self.describe_wait(&st));
                    Poll::Pending
                }
                Waiting::Granted => {
                    st.waiters.remove(key);
                    raw.key = None;
                    raw.done = true;
                    raw.slot.done();
                    st.holder = corio_core::callgraph::current_task().unwrap_or(0);
                    Poll::Ready(st.value.take().expect("a granted Lock holds its value"))
                }
            },
        }
    }

    /// What a queued `lock()` waits on, for the task call graph.
    fn describe_wait(&self, st: &State<T>) -> corio_core::callgraph::WaitOn {
        corio_core::callgraph::WaitOn::new("Lock")
            .object(self)
            .queued()
            .held_by((st.holder != 0).then_some(st.holder))
    }

    fn cancel_lock(&self, raw: &mut RawLock) {
        let Some(key) = raw.key.take() else { return };
        let waker = {
            let mut st = lock(&self.state);
            match st.waiters.remove(key) {
                Waiting::Queued => None,
                #[cfg(corio_loom)]
                Waiting::Granted
                    if crate::mutation::active(crate::mutation::Mutation::LockCancelKeepsLock) =>
                {
                    None
                }
                Waiting::Granted => Self::hand_on(&mut st),
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Called with the value back in the state: hands the lock to the first waiter, or
    /// unlocks.
    fn hand_on(st: &mut State<T>) -> Option<std::task::Waker> {
        match st.waiters.grant_front(Waiting::Granted) {
            Some(waker) => waker,
            None => {
                st.locked = false;
                st.holder = 0;
                None
            }
        }
    }

    fn unlock(&self, value: Box<T>) {
        let waker = {
            let mut st = lock(&self.state);
            st.value = Some(value);
            Self::hand_on(&mut st)
        };
        if let Some(w) = waker {
            w.wake();
        }
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
        let st = lock(&self.state);
        f.debug_struct("Lock")
            .field("locked", &st.locked)
            .field("waiters", &st.waiters.queued())
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
        this.lock
            .poll_lock(&mut this.raw, cx)
            .map(|value| LockGuard {
                lock: this.lock,
                value: Some(value),
            })
    }
}

impl<T> Drop for LockFuture<'_, T> {
    fn drop(&mut self) {
        self.lock.cancel_lock(&mut self.raw);
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
            .map(|value| OwnedLockGuard {
                lock: this.lock.clone(),
                value: Some(value),
            })
    }
}

impl<T> Drop for OwnedLockFuture<T> {
    fn drop(&mut self) {
        self.lock.cancel_lock(&mut self.raw);
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
    value: Option<Box<T>>,
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
    fn deref(&self) -> &T {
        self.value.as_deref().expect("a live guard holds the value")
    }
}

impl<T> DerefMut for LockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value
            .as_deref_mut()
            .expect("a live guard holds the value")
    }
}

impl<T> Drop for LockGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(v) = self.value.take() {
            self.lock.unlock(v);
        }
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
    value: Option<Box<T>>,
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
    fn deref(&self) -> &T {
        self.value.as_deref().expect("a live guard holds the value")
    }
}

impl<T> DerefMut for OwnedLockGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value
            .as_deref_mut()
            .expect("a live guard holds the value")
    }
}

impl<T> Drop for OwnedLockGuard<T> {
    fn drop(&mut self) {
        if let Some(v) = self.value.take() {
            self.lock.unlock(v);
        }
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
