//! A one-shot channel: asyncio's `Future` with `set_result`, split into the side that sets
//! the value ([`Sender`]) and the side that awaits it ([`Receiver`]).
//!
//! # Examples
//!
//! ```
//! corio_executor::run(async {
//!     let (tx, rx) = corio_sync::oneshot::channel();
//!     corio_executor::spawn(async move {
//!         tx.send("result").unwrap(); // fut.set_result("result")
//!     })
//!     .detach();
//!     assert_eq!(rx.await, Ok("result"));
//! });
//! ```

use crate::sync::{Mutex, lock};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

struct State<T> {
    value: Option<T>,
    sender_alive: bool,
    receiver_alive: bool,
    waker: Option<Waker>,
    /// The receiver's call-graph record, here rather than in the `Receiver` so that the
    /// receiver is two words: a task awaiting it holds it twice in its future (captured,
    /// then as the awaited future), and 32 more bytes there made `spawn` move and
    /// allocate more per task.
    slot: corio_core::callgraph::WaitSlot,
}

/// Creates a one-shot channel.
///
/// # Examples
///
/// ```
/// let (tx, mut rx) = corio_sync::oneshot::channel::<u8>();
/// assert_eq!(rx.try_recv(), Ok(None));
/// tx.send(1).unwrap();
/// assert_eq!(rx.try_recv(), Ok(Some(1)));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let state = Arc::new(Mutex::new(State {
        value: None,
        sender_alive: true,
        receiver_alive: true,
        waker: None,
        slot: corio_core::callgraph::WaitSlot::new(),
    }));
    (
        Sender {
            state: Some(state.clone()),
        },
        Receiver { state, done: false },
    )
}

/// The sending side: sets the value once.
///
/// Dropping it without sending makes the receiver fail with [`RecvError`] (asyncio: a
/// future that will never complete, here reported instead of hanging).
///
/// # Examples
///
/// ```
/// let (tx, rx) = corio_sync::oneshot::channel::<()>();
/// drop(tx);
/// assert!(corio_executor::run(rx).is_err());
/// ```
pub struct Sender<T> {
    /// `None` once `send` has run: the drop that follows it then has nothing to do
    /// (`send` marks the sender gone under the lock it already holds).
    state: Option<Arc<Mutex<State<T>>>>,
}

/// The receiving side: a future of the value.
///
/// # Cancel safety
///
/// Awaiting it is cancel-safe: a value not yet taken stays in the channel, so awaiting the
/// receiver again (or [`try_recv`](Self::try_recv)) still gets it.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let (tx, rx) = corio_sync::oneshot::channel();
///     tx.send(5).unwrap();
///     assert_eq!(rx.await, Ok(5));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Receiver<T> {
    state: Arc<Mutex<State<T>>>,
    /// The value was taken (so `send` ran and the sender is gone).
    done: bool,
}

/// The sender was dropped without sending.
///
/// # Examples
///
/// ```
/// let (_, rx) = corio_sync::oneshot::channel::<u8>();
/// assert_eq!(corio_executor::run(rx).unwrap_err().to_string(), "oneshot sender dropped");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError(());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oneshot sender dropped")
    }
}

impl std::error::Error for RecvError {}

impl<T> Sender<T> {
    /// Sends the value (asyncio's `set_result`).
    ///
    /// # Errors
    ///
    /// Gives the value back if the receiver was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = corio_sync::oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(3), Err(3));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let Some(state) = self.state.take() else {
            unreachable!("a Sender's state is taken only by `send`, which consumes it")
        };
        // Its drop would find `state` taken and do nothing: skip the call.
        std::mem::forget(self);
        let waker = {
            let mut st = lock(&state);
            st.sender_alive = false;
            if !st.receiver_alive {
                return Err(value);
            }
            // The value is there before `sender_alive` is read as false by the receiver
            // (same lock), so the receiver takes it rather than reporting a dropped sender.
            st.value = Some(value);
            st.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Whether the receiver was dropped (nobody will see a value).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = corio_sync::oneshot::channel::<u8>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state
            .as_ref()
            .is_none_or(|state| !lock(state).receiver_alive)
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let Some(state) = &self.state else { return };
        let waker = {
            let mut st = lock(state);
            st.sender_alive = false;
            st.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent; never waits.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if the sender was dropped without sending (or the value was
    /// already taken).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::oneshot::channel();
    /// assert_eq!(rx.try_recv(), Ok(None));
    /// tx.send('x').unwrap();
    /// assert_eq!(rx.try_recv(), Ok(Some('x')));
    /// ```
    pub fn try_recv(&mut self) -> Result<Option<T>, RecvError> {
        let mut st = lock(&self.state);
        match st.value.take() {
            Some(v) => {
                self.done = true;
                st.slot.done();
                Ok(Some(v))
            }
            None if !st.sender_alive || self.done => Err(RecvError(())),
            None => Ok(None),
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut st = lock(&this.state);
        if let Some(v) = st.value.take() {
            this.done = true;
            st.slot.done();
            return Poll::Ready(Ok(v));
        }
        if !st.sender_alive || this.done {
            return Poll::Ready(Err(RecvError(())));
        }
        match &st.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => st.waker = Some(cx.waker().clone()),
        }
        let state = &this.state;
        st.slot.pending(|| {
            corio_core::callgraph::WaitOn::new("oneshot")
                .object(&**state)
                .detail("no value sent yet")
        });
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    #[inline]
    fn drop(&mut self) {
        // Once the value was taken it was sent, and `send` consumed the sender: nobody is
        // left to ask whether this receiver is alive. Kept inline, apart from `close`, so
        // that the common case costs the caller a flag test, not a call.
        if !self.done {
            self.close();
        }
    }
}

impl<T> Receiver<T> {
    /// The drop of a receiver whose value was not taken: marks it gone, drops a value
    /// sent meanwhile, and clears the call graph's record.
    #[inline(never)]
    fn close(&mut self) {
        let value = {
            let mut st = lock(&self.state);
            st.receiver_alive = false;
            st.slot.done();
            st.value.take()
        };
        drop(value);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
