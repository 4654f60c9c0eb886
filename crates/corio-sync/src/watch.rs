//! A watch channel: one latest value, observed by many receivers.
//!
//! Receivers see the most recent value, not every value: intermediate values sent
//! between two looks are skipped. [`Receiver::changed`] waits for a value the receiver
//! has not seen yet.
//!
//! # Examples
//!
//! ```
//! use corio_sync::watch;
//!
//! corio_executor::run(async {
//!     let (tx, mut rx) = watch::channel("starting");
//!     let t = corio_executor::spawn(async move {
//!         rx.changed().await.unwrap();
//!         *rx.borrow()
//!     });
//!     corio_executor::yield_now().await;
//!     tx.send("running");
//!     assert_eq!(t.await.unwrap(), "running");
//! });
//! ```

use crate::sync::{Mutex, MutexGuard, lock};
use crate::waiters::{WaitList, WakeList, wake_all};
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

struct Shared<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    value: T,
    version: u64,
    sender_alive: bool,
    receivers: usize,
    /// Each waiter's state: whether a send (or the sender's drop) released it.
    waiters: WaitList<bool>,
}

/// Creates a watch channel holding `init`.
///
/// # Examples
///
/// ```
/// let (tx, rx) = corio_sync::watch::channel(0);
/// tx.send(1);
/// assert_eq!(*rx.borrow(), 1);
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            value: init,
            version: 0,
            sender_alive: true,
            receivers: 1,
            waiters: WaitList::new(),
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, seen: 0 },
    )
}

/// The sending side (there is one; share it behind an `Arc` if needed).
///
/// # Examples
///
/// ```
/// let (tx, _rx) = corio_sync::watch::channel(vec![1]);
/// tx.send_modify(|v| v.push(2));
/// assert_eq!(*tx.borrow(), vec![1, 2]);
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// A receiving side; clone it for more.
///
/// # Examples
///
/// ```
/// let (tx, rx) = corio_sync::watch::channel('a');
/// let rx2 = rx.clone();
/// tx.send('b');
/// assert_eq!(*rx2.borrow(), 'b');
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    seen: u64,
}

/// The sender is gone: no new value will come.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let (tx, mut rx) = corio_sync::watch::channel(0);
///     drop(tx);
///     assert!(rx.changed().await.is_err());
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError(());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch sender dropped")
    }
}

impl std::error::Error for RecvError {}

/// A borrow of the current value. It holds the channel's lock: keep it briefly, and
/// never across an `.await`.
///
/// # Examples
///
/// ```
/// let (_tx, rx) = corio_sync::watch::channel(String::from("x"));
/// let r: corio_sync::watch::Ref<'_, String> = rx.borrow();
/// assert_eq!(r.len(), 1);
/// ```
pub struct Ref<'a, T> {
    guard: MutexGuard<'a, State<T>>,
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.guard.value.fmt(f)
    }
}

impl<T> Sender<T> {
    /// Replaces the value and wakes every receiver waiting in
    /// [`changed`](Receiver::changed). Works with no receiver too.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(1);
    /// tx.send(2);
    /// assert_eq!(*rx.borrow(), 2);
    /// ```
    pub fn send(&self, value: T) {
        drop(self.send_replace(value));
    }

    /// [`send`](Self::send), returning the previous value.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::watch::channel(1);
    /// assert_eq!(tx.send_replace(2), 1);
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        let mut old = Some(value);
        self.send_modify(|v| old = Some(std::mem::replace(v, old.take().expect("set"))));
        old.expect("replaced")
    }

    /// Changes the value in place and wakes the receivers.
    ///
    /// # Panics
    ///
    /// If `f` panics; the value then counts as changed.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(1);
    /// tx.send_modify(|n| *n += 1);
    /// assert_eq!(*rx.borrow(), 2);
    /// ```
    pub fn send_modify(&self, f: impl FnOnce(&mut T)) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.shared.state);
            st.version += 1;
            st.waiters
                .grant_all(&mut wakers, |released| *released = true);
            f(&mut st.value);
        }
        wake_all(wakers);
    }

    /// Borrows the current value.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::watch::channel(5);
    /// assert_eq!(*tx.borrow(), 5);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: lock(&self.shared.state),
        }
    }

    /// A new receiver, which has seen the current value.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(0);
    /// drop(rx);
    /// let rx = tx.subscribe();
    /// assert_eq!(tx.receiver_count(), 1);
    /// # drop(rx);
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let mut st = lock(&self.shared.state);
        st.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            seen: st.version,
        }
    }

    /// How many receivers exist.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::watch::channel(0);
    /// assert_eq!(tx.receiver_count(), 1);
    /// ```
    pub fn receiver_count(&self) -> usize {
        lock(&self.shared.state).receivers
    }

    /// Receivers waiting in `changed` (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::watch::channel(0);
    /// assert_eq!(tx.waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        lock(&self.shared.state).waiters.entries()
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.shared.state);
            st.sender_alive = false;
            st.waiters
                .grant_all(&mut wakers, |released| *released = true);
        }
        wake_all(wakers);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Sender").finish_non_exhaustive()
    }
}

impl<T> Receiver<T> {
    /// Borrows the current value, without marking it seen.
    ///
    /// # Examples
    ///
    /// ```
    /// let (_tx, rx) = corio_sync::watch::channel(3);
    /// assert_eq!(*rx.borrow(), 3);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: lock(&self.shared.state),
        }
    }

    /// Borrows the current value and marks it seen.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::watch::channel(3);
    /// tx.send(4);
    /// assert!(rx.has_changed());
    /// assert_eq!(*rx.borrow_and_update(), 4);
    /// assert!(!rx.has_changed());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = lock(&self.shared.state);
        self.seen = guard.version;
        Ref { guard }
    }

    /// Whether a value this receiver has not seen was sent.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(0);
    /// assert!(!rx.has_changed());
    /// tx.send(0);
    /// assert!(rx.has_changed());
    /// ```
    pub fn has_changed(&self) -> bool {
        lock(&self.shared.state).version != self.seen
    }

    /// Waits for a value this receiver has not seen, and marks it seen; returns at once
    /// if there is one already. Read it with [`borrow`](Self::borrow).
    ///
    /// # Errors
    ///
    /// [`RecvError`] if the sender is gone and no unseen value is left.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a value is only marked seen when `changed` returns.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let (tx, mut rx) = corio_sync::watch::channel(0);
    ///     tx.send(1);
    ///     rx.changed().await.unwrap();
    ///     assert_eq!(*rx.borrow(), 1);
    /// });
    /// ```
    pub fn changed(&mut self) -> Changed<'_, T> {
        Changed {
            rx: self,
            key: None,
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        lock(&self.shared.state).receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        lock(&self.shared.state).receivers -= 1;
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Receiver")
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

/// The future of [`Receiver::changed`].
#[must_use = "futures do nothing unless awaited"]
pub struct Changed<'a, T> {
    rx: &'a mut Receiver<T>,
    key: Option<usize>,
}

impl<T> fmt::Debug for Changed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changed")
            .field("queued", &self.key.is_some())
            .finish()
    }
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let rx = &mut *this.rx;
        let mut st = lock(&rx.shared.state);
        if let Some(key) = this.key.take() {
            st.waiters.remove(key);
        }
        if st.version != rx.seen {
            rx.seen = st.version;
            return Poll::Ready(Ok(()));
        }
        if !st.sender_alive {
            return Poll::Ready(Err(RecvError(())));
        }
        this.key = Some(st.waiters.push_back(false, cx.waker()));
        Poll::Pending
    }
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            lock(&self.rx.shared.state).waiters.remove(key);
        }
    }
}
