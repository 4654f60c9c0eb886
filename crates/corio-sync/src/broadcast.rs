//! A broadcast channel: every receiver gets every message.
//!
//! Messages are kept in a ring of `capacity` slots and cloned for each receiver.
//!
//! # Lag policy
//!
//! Senders never wait: a full ring overwrites its oldest message. A receiver that falls
//! more than `capacity` messages behind gets one explicit [`RecvError::Lagged`]`(n)`, `n`
//! being how many messages it missed, and then resumes from the oldest message still in
//! the ring. Nothing is dropped silently; a slow receiver never slows the others down.
//!
//! # Examples
//!
//! ```
//! use corio_sync::broadcast::{self, RecvError};
//!
//! corio_executor::run(async {
//!     let (tx, mut rx1) = broadcast::channel(2);
//!     let mut rx2 = tx.subscribe();
//!     for i in 1..=3 {
//!         tx.send(i).unwrap();
//!     }
//!     // rx1 was 3 behind with room for 2: it hears about the one it missed.
//!     assert_eq!(rx1.recv().await, Err(RecvError::Lagged(1)));
//!     assert_eq!(rx1.recv().await, Ok(2));
//!     assert_eq!(rx1.recv().await, Ok(3));
//!     assert_eq!(rx2.recv().await, Err(RecvError::Lagged(1)));
//!     drop(tx);
//!     assert_eq!(rx1.recv().await, Err(RecvError::Closed));
//! });
//! ```

use crate::sync::{Mutex, lock};
use crate::waiters::{WaitList, WakeList, wake_all};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

struct Shared<T> {
    capacity: usize,
    state: Mutex<State<T>>,
}

struct State<T> {
    ring: VecDeque<T>,
    /// Sequence number of `ring[0]`.
    first_seq: u64,
    senders: usize,
    receivers: usize,
    /// Each waiter's state: whether a message (or the close) released it.
    waiters: WaitList<bool>,
}

impl<T> State<T> {
    fn next_seq(&self) -> u64 {
        self.first_seq + self.ring.len() as u64
    }
}

/// Creates a broadcast channel keeping the last `capacity` messages.
///
/// # Panics
///
/// If `capacity` is 0.
///
/// # Examples
///
/// ```
/// let (tx, rx) = corio_sync::broadcast::channel::<u8>(16);
/// assert_eq!(tx.receiver_count(), 1);
/// # drop(rx);
/// ```
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "a broadcast channel needs a capacity of at least 1"
    );
    let shared = Arc::new(Shared {
        capacity,
        state: Mutex::new(State {
            ring: VecDeque::with_capacity(capacity),
            first_seq: 0,
            senders: 1,
            receivers: 1,
            waiters: WaitList::new(),
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, next: 0 },
    )
}

/// The sending side; clone it for more senders.
///
/// # Examples
///
/// ```
/// let (tx, mut rx) = corio_sync::broadcast::channel(4);
/// tx.clone().send("hi").unwrap();
/// assert_eq!(rx.try_recv(), Ok("hi"));
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// A receiving side; each receiver sees every message sent after it was created.
///
/// # Examples
///
/// ```
/// let (tx, mut rx) = corio_sync::broadcast::channel(4);
/// tx.send(1).unwrap();
/// let mut late = rx.clone(); // starts where rx is
/// assert_eq!(late.try_recv(), Ok(1));
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    next: u64,
}

/// [`Sender::send`] failed: there is no receiver. The message comes back.
///
/// # Examples
///
/// ```
/// let (tx, rx) = corio_sync::broadcast::channel(1);
/// drop(rx);
/// assert_eq!(tx.send(9).unwrap_err().0, 9);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broadcast channel has no receivers")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// Why a receive failed.
///
/// # Examples
///
/// ```
/// use corio_sync::broadcast::RecvError;
/// assert_eq!(RecvError::Lagged(3).to_string(), "receiver lagged behind by 3 messages");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvError {
    /// The receiver missed this many messages, overwritten before it read them; the next
    /// receive returns the oldest message still kept.
    Lagged(u64),
    /// Every sender is gone and every message was read.
    Closed,
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Lagged(n) => write!(f, "receiver lagged behind by {n} messages"),
            RecvError::Closed => f.write_str("broadcast channel closed"),
        }
    }
}

impl std::error::Error for RecvError {}

/// Why [`Receiver::try_recv`] failed.
///
/// # Examples
///
/// ```
/// use corio_sync::broadcast::{self, TryRecvError};
/// let (_tx, mut rx) = broadcast::channel::<u8>(1);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No new message yet.
    Empty,
    /// As [`RecvError::Lagged`].
    Lagged(u64),
    /// As [`RecvError::Closed`].
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("no message available"),
            TryRecvError::Lagged(n) => write!(f, "receiver lagged behind by {n} messages"),
            TryRecvError::Closed => f.write_str("broadcast channel closed"),
        }
    }
}

impl std::error::Error for TryRecvError {}

impl<T: Clone> Sender<T> {
    /// Sends a message to every receiver; returns how many receivers there are. Never
    /// waits: with a full ring, the oldest message is overwritten (see the
    /// [lag policy](self#lag-policy)).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the message if there is no receiver.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::broadcast::channel(1);
    /// assert_eq!(tx.send(()).unwrap(), 1);
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut wakers = WakeList::new();
        let (n, dropped) = {
            let mut st = lock(&self.shared.state);
            if st.receivers == 0 {
                return Err(SendError(value));
            }
            st.ring.push_back(value);
            let dropped = if st.ring.len() > self.shared.capacity {
                st.first_seq += 1;
                st.ring.pop_front()
            } else {
                None
            };
            st.waiters
                .grant_all(&mut wakers, |released| *released = true);
            (st.receivers, dropped)
        };
        drop(dropped);
        wake_all(wakers);
        Ok(n)
    }

    /// A new receiver that sees the messages sent from now on.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::broadcast::channel::<u8>(1);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let mut st = lock(&self.shared.state);
        st.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            next: st.next_seq(),
        }
    }

    /// How many receivers exist.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = corio_sync::broadcast::channel::<u8>(1);
    /// drop(rx);
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        lock(&self.shared.state).receivers
    }

    /// Receivers waiting for a message (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::broadcast::channel::<u8>(1);
    /// assert_eq!(tx.waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        lock(&self.shared.state).waiters.entries()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        lock(&self.shared.state).senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.shared.state);
            st.senders -= 1;
            if st.senders == 0 {
                st.waiters
                    .grant_all(&mut wakers, |released| *released = true);
            }
        }
        wake_all(wakers);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Sender")
            .field("capacity", &self.shared.capacity)
            .finish_non_exhaustive()
    }
}

impl<T: Clone> Receiver<T> {
    /// Waits for the next message.
    ///
    /// # Errors
    ///
    /// [`RecvError::Lagged`] once after falling behind (see the
    /// [lag policy](self#lag-policy)); [`RecvError::Closed`] when every sender is gone
    /// and every message was read.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a message is only consumed (for this receiver) when `recv` returns it.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let (tx, mut rx) = corio_sync::broadcast::channel(4);
    ///     tx.send(1).unwrap();
    ///     assert_eq!(rx.recv().await, Ok(1));
    /// });
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            rx: self,
            key: None,
        }
    }

    /// Takes the next message if there is one; never waits.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if there is none yet, otherwise as [`recv`](Self::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::broadcast::channel(4);
    /// tx.send('a').unwrap();
    /// assert_eq!(rx.try_recv(), Ok('a'));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let st = lock(&self.shared.state);
        match Self::take(&mut self.next, &st) {
            Some(Ok(v)) => Ok(v),
            Some(Err(RecvError::Lagged(n))) => Err(TryRecvError::Lagged(n)),
            Some(Err(RecvError::Closed)) => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    fn take(next: &mut u64, st: &State<T>) -> Option<Result<T, RecvError>> {
        if *next < st.first_seq {
            let missed = st.first_seq - *next;
            *next = st.first_seq;
            return Some(Err(RecvError::Lagged(missed)));
        }
        if *next < st.next_seq() {
            let v = st.ring[(*next - st.first_seq) as usize].clone();
            *next += 1;
            return Some(Ok(v));
        }
        if st.senders == 0 {
            return Some(Err(RecvError::Closed));
        }
        None
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        lock(&self.shared.state).receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            next: self.next,
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
        f.debug_struct("broadcast::Receiver")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// The future of [`Receiver::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    key: Option<usize>,
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv")
            .field("queued", &self.key.is_some())
            .finish()
    }
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if corio_core::coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let rx = &mut *this.rx;
        let mut st = lock(&rx.shared.state);
        if let Some(key) = this.key.take() {
            st.waiters.remove(key);
        }
        match Receiver::take(&mut rx.next, &st) {
            Some(r) => Poll::Ready(r),
            None => {
                this.key = Some(st.waiters.push_back(false, cx.waker()));
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            lock(&self.rx.shared.state).waiters.remove(key);
        }
    }
}
