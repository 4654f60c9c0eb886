//! [`RwLock`]: a readers-writer lock (not in asyncio; asked for by its users).

use crate::sync::{Mutex, get_mut, into_inner, lock};
use crate::waiters::{WaitList, WakeList, wake_all};
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An async readers-writer lock: many readers or one writer.
///
/// # Fairness: writers are never starved
///
/// One FIFO queue for readers and writers. A reader arriving while a writer waits queues
/// behind that writer instead of joining the current readers (writer preference), so a
/// steady stream of readers cannot starve writers; when a writer unlocks, the readers
/// queued together at the front of the line are admitted together. `try_read`/`try_write`
/// never take the lock past a queued waiter.
///
/// # Cancel safety
///
/// Dropping a [`Read`] or [`Write`] future at any point, even after the lock was handed
/// to it, passes the lock on to the next waiters.
///
/// # Examples
///
/// ```
/// use corio_sync::RwLock;
///
/// corio_executor::run(async {
///     let lock = RwLock::new(5);
///     {
///         let r1 = lock.read().await;
///         let r2 = lock.read().await; // many readers at once
///         assert_eq!(*r1 + *r2, 10);
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 6);
/// });
/// ```
pub struct RwLock<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    /// The value; taken by the writer while it holds the lock. Readers hold clones.
    value: Option<Arc<T>>,
    readers: usize,
    writer: bool,
    waiters: WaitList<Waiting>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Waiting {
    write: bool,
    granted: bool,
}

impl<T> State<T> {
    fn grant(&mut self, wakers: &mut WakeList) {
        while let Some(key) = self.waiters.front() {
            let w = *self.waiters.state(key);
            if self.writer || (w.write && self.readers > 0) {
                break;
            }
            if w.write {
                self.writer = true;
            } else {
                self.readers += 1;
            }
            if let Some(waker) = self
                .waiters
                .grant_front(Waiting { granted: true, ..w })
                .flatten()
            {
                wakers.push(waker);
            }
            if w.write {
                break;
            }
        }
    }
}

impl<T> RwLock<T> {
    /// A new, unlocked lock holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio_sync::RwLock::new(0u8);
    /// assert_eq!(lock.into_inner(), 0);
    /// ```
    pub fn new(value: T) -> Self {
        RwLock {
            state: Mutex::new(State {
                value: Some(Arc::new(value)),
                readers: 0,
                writer: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Waits for shared (read) access.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: see the [type docs](Self#cancel-safety).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let lock = corio_sync::RwLock::new("v");
    ///     assert_eq!(*lock.read().await, "v");
    /// });
    /// ```
    pub fn read(&self) -> Read<'_, T> {
        Read {
            lock: self,
            raw: Raw::new(false),
        }
    }

    /// Waits for exclusive (write) access.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: see the [type docs](Self#cancel-safety).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let lock = corio_sync::RwLock::new(vec![]);
    ///     lock.write().await.push(1);
    ///     assert_eq!(lock.read().await.len(), 1);
    /// });
    /// ```
    pub fn write(&self) -> Write<'_, T> {
        Write {
            lock: self,
            raw: Raw::new(true),
        }
    }

    /// Read access if no writer holds the lock and nobody waits; never waits.
    ///
    /// # Errors
    ///
    /// [`TryLockError`](crate::TryLockError) otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio_sync::RwLock::new(1);
    /// let _r = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_ok());
    /// assert!(lock.try_write().is_err());
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, crate::TryLockError> {
        let mut st = lock(&self.state);
        if st.writer || !st.waiters.is_empty() {
            return Err(crate::lock::try_lock_error());
        }
        st.readers += 1;
        let value = st.value.clone().expect("no writer holds the value");
        Ok(RwLockReadGuard {
            lock: self,
            value: Some(value),
        })
    }

    /// Write access if the lock is free and nobody waits; never waits.
    ///
    /// # Errors
    ///
    /// [`TryLockError`](crate::TryLockError) otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = corio_sync::RwLock::new(1);
    /// *lock.try_write().unwrap() = 2;
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, crate::TryLockError> {
        let mut st = lock(&self.state);
        if st.writer || st.readers > 0 || !st.waiters.is_empty() {
            return Err(crate::lock::try_lock_error());
        }
        st.writer = true;
        let value = st.value.take().expect("an unlocked RwLock holds its value");
        Ok(RwLockWriteGuard {
            lock: self,
            value: Some(value),
        })
    }

    /// The value, through `&mut`: no locking needed.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut lock = corio_sync::RwLock::new(1);
    /// *lock.get_mut() = 3;
    /// assert_eq!(lock.into_inner(), 3);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        let arc = get_mut(&mut self.state)
            .value
            .as_mut()
            .expect("no guard can exist while the RwLock is mutably borrowed");
        Arc::get_mut(arc).expect("no reader holds the value")
    }

    /// Consumes the lock and returns its value.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::RwLock::new('x').into_inner(), 'x');
    /// ```
    pub fn into_inner(self) -> T {
        let arc = into_inner(self.state)
            .value
            .expect("no guard can exist while the RwLock is owned");
        match Arc::try_unwrap(arc) {
            Ok(v) => v,
            Err(_) => unreachable!("no reader holds the value"),
        }
    }

    /// Waiter entries alive (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::RwLock::new(()).waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        lock(&self.state).waiters.entries()
    }

    /// Returns `Some(value)` once access is granted: a clone for readers, the value itself
    /// for the writer.
    fn poll_raw(&self, raw: &mut Raw, cx: &mut Context<'_>) -> Poll<Arc<T>> {
        if raw.key.is_none() && corio_core::coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let mut st = lock(&self.state);
        match raw.key {
            None => {
                let free = !st.writer && st.waiters.is_empty() && (!raw.write || st.readers == 0);
                if !free {
                    let w = Waiting {
                        write: raw.write,
                        granted: false,
                    };
                    raw.key = Some(st.waiters.push_back(w, cx.waker()));
                    raw.slot.pending(|| self.describe_wait(&st, raw.write));
                    return Poll::Pending;
                }
                if raw.write {
                    st.writer = true;
                } else {
                    st.readers += 1;
                }
            }
            Some(key) => {
                if !st.waiters.state(key).granted {
                    st.waiters.set_waker(key, cx.waker());
                    raw.slot.pending(|| self.describe_wait(&st, raw.write));
                    return Poll::Pending;
                }
                st.waiters.remove(key);
                raw.key = None;
            }
        }
        raw.done = true;
        raw.slot.done();
        Poll::Ready(if raw.write {
            st.value.take().expect("a granted writer finds the value")
        } else {
            st.value.clone().expect("a granted reader finds the value")
        })
    }

    /// What a queued `read()` or `write()` waits on, for the task call graph.
    fn describe_wait(&self, st: &State<T>, write: bool) -> corio_core::callgraph::WaitOn {
        let held = if st.writer {
            "held by a writer".to_owned()
        } else {
            format!("held by {} readers", st.readers)
        };
        corio_core::callgraph::WaitOn::new(if write { "RwLock.write" } else { "RwLock.read" })
            .object(self)
            .detail(held)
    }

    fn cancel_raw(&self, raw: &mut Raw) {
        let Some(key) = raw.key.take() else { return };
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            let w = st.waiters.remove(key);
            if w.granted {
                if w.write {
                    st.writer = false;
                } else {
                    st.readers -= 1;
                }
            }
            // Granted or not, leaving may let those behind through.
            st.grant(&mut wakers);
        }
        wake_all(wakers);
    }

    fn read_unlock(&self) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            st.readers -= 1;
            st.grant(&mut wakers);
        }
        wake_all(wakers);
    }

    fn write_unlock(&self, value: Arc<T>) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            st.value = Some(value);
            st.writer = false;
            st.grant(&mut wakers);
        }
        wake_all(wakers);
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.state);
        f.debug_struct("RwLock")
            .field("readers", &st.readers)
            .field("writer", &st.writer)
            .field("waiters", &st.waiters.queued())
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Raw {
    write: bool,
    key: Option<usize>,
    done: bool,
    slot: corio_core::callgraph::WaitSlot,
}

impl Raw {
    fn new(write: bool) -> Self {
        Raw {
            write,
            key: None,
            done: false,
            slot: corio_core::callgraph::WaitSlot::new(),
        }
    }
}

/// The future of [`RwLock::read`].
#[must_use = "futures do nothing unless awaited"]
pub struct Read<'a, T> {
    lock: &'a RwLock<T>,
    raw: Raw,
}

impl<T> fmt::Debug for Read<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Read")
            .field("queued", &self.raw.key.is_some())
            .finish()
    }
}

impl<'a, T> Future for Read<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.raw.done, "Read polled after completion");
        this.lock
            .poll_raw(&mut this.raw, cx)
            .map(|value| RwLockReadGuard {
                lock: this.lock,
                value: Some(value),
            })
    }
}

impl<T> Drop for Read<'_, T> {
    fn drop(&mut self) {
        self.lock.cancel_raw(&mut self.raw);
    }
}

/// The future of [`RwLock::write`].
#[must_use = "futures do nothing unless awaited"]
pub struct Write<'a, T> {
    lock: &'a RwLock<T>,
    raw: Raw,
}

impl<T> fmt::Debug for Write<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Write")
            .field("queued", &self.raw.key.is_some())
            .finish()
    }
}

impl<'a, T> Future for Write<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.raw.done, "Write polled after completion");
        this.lock
            .poll_raw(&mut this.raw, cx)
            .map(|value| RwLockWriteGuard {
                lock: this.lock,
                value: Some(value),
            })
    }
}

impl<T> Drop for Write<'_, T> {
    fn drop(&mut self) {
        self.lock.cancel_raw(&mut self.raw);
    }
}

/// Shared access to an [`RwLock`]'s value; released when dropped.
///
/// # Examples
///
/// ```
/// let lock = corio_sync::RwLock::new(2);
/// let r: corio_sync::RwLockReadGuard<'_, i32> = lock.try_read().unwrap();
/// assert_eq!(*r, 2);
/// ```
#[must_use = "the lock is released at once if the guard is not kept"]
pub struct RwLockReadGuard<'a, T> {
    lock: &'a RwLock<T>,
    value: Option<Arc<T>>,
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_deref().expect("a live guard holds the value")
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        // The clone goes first, so a writer admitted next finds the value unshared.
        drop(self.value.take());
        self.lock.read_unlock();
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RwLockReadGuard").field(&**self).finish()
    }
}

/// Exclusive access to an [`RwLock`]'s value; released when dropped.
///
/// # Examples
///
/// ```
/// let lock = corio_sync::RwLock::new(2);
/// let mut w: corio_sync::RwLockWriteGuard<'_, i32> = lock.try_write().unwrap();
/// *w = 3;
/// ```
#[must_use = "the lock is released at once if the guard is not kept"]
pub struct RwLockWriteGuard<'a, T> {
    lock: &'a RwLock<T>,
    value: Option<Arc<T>>,
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_deref().expect("a live guard holds the value")
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        let arc = self.value.as_mut().expect("a live guard holds the value");
        Arc::get_mut(arc).expect("readers release their clones before the writer is admitted")
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(v) = self.value.take() {
            self.lock.write_unlock(v);
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RwLockWriteGuard").field(&**self).finish()
    }
}
