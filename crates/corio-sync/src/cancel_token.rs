//! [`CancelToken`]: cooperative cancellation with a reason and child tokens.

use crate::sync::{Mutex, lock};
use crate::waiters::{WaitList, WakeList, wake_all};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};

/// A cooperative cancellation flag that tasks can check and await.
///
/// Cancellation by dropping a future (corio's usual way) stops work at its next await
/// point; a `CancelToken` lets the work decide where to stop, and say why
/// ([`cancel_with`](Self::cancel_with)). [`child_token`](Self::child_token)s are cancelled
/// with their parent, never the other way round. Clones share one flag.
///
/// # Cancel safety
///
/// [`cancelled`](Self::cancelled) is cancel-safe: a dropped [`WaitCancelled`] just stops
/// waiting.
///
/// # Examples
///
/// ```
/// use corio_sync::CancelToken;
///
/// corio_executor::run(async {
///     let token = CancelToken::new();
///     let worker = corio_executor::spawn({
///         let token = token.child_token();
///         async move {
///             token.cancelled().await;
///             token.reason().unwrap().to_string()
///         }
///     });
///     corio_executor::yield_now().await;
///     token.cancel_with("shutting down");
///     assert_eq!(worker.await.unwrap(), "shutting down");
/// });
/// ```
#[derive(Clone)]
pub struct CancelToken {
    node: Arc<Node>,
}

struct Node {
    state: Mutex<State>,
}

struct State {
    cancelled: bool,
    reason: Option<Arc<str>>,
    /// Each waiter's state: whether it was released.
    waiters: WaitList<bool>,
    children: Vec<Weak<Node>>,
}

impl Node {
    /// Cancels this node, then every descendant still alive, parents before children and
    /// siblings in creation order.
    ///
    /// The descendants go through an explicit stack rather than recursion: a chain of child
    /// tokens can be far deeper than the thread's stack (200 000 levels overflowed it).
    fn cancel(&self, reason: Option<Arc<str>>) {
        let mut pending = Vec::new();
        self.cancel_one(&reason, &mut pending);
        while let Some(child) = pending.pop() {
            if let Some(child) = child.upgrade() {
                child.cancel_one(&reason, &mut pending);
            }
        }
    }

    /// Cancels this node alone, waking its waiters, and pushes its children on `pending`
    /// (reversed, so that they pop in creation order).
    fn cancel_one(&self, reason: &Option<Arc<str>>, pending: &mut Vec<Weak<Node>>) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            if st.cancelled {
                return;
            }
            st.cancelled = true;
            st.reason = reason.clone();
            st.waiters
                .grant_all(&mut wakers, |released| *released = true);
            pending.extend(std::mem::take(&mut st.children).into_iter().rev());
        }
        wake_all(wakers);
    }
}

impl CancelToken {
    /// A new token, not cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio_sync::CancelToken::new().is_cancelled());
    /// ```
    pub fn new() -> Self {
        CancelToken {
            node: Arc::new(Node {
                state: Mutex::new(State {
                    cancelled: false,
                    reason: None,
                    waiters: WaitList::new(),
                    children: Vec::new(),
                }),
            }),
        }
    }

    /// A token cancelled whenever this one is (with this one's reason), which can also be
    /// cancelled alone. A child of a cancelled token starts cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let parent = corio_sync::CancelToken::new();
    /// let child = parent.child_token();
    /// child.cancel();
    /// assert!(!parent.is_cancelled());
    /// let child2 = parent.child_token();
    /// parent.cancel();
    /// assert!(child2.is_cancelled());
    /// ```
    pub fn child_token(&self) -> CancelToken {
        let child = CancelToken::new();
        let reason = {
            let mut st = lock(&self.node.state);
            if st.cancelled {
                Some(st.reason.clone())
            } else {
                // Forget children that are gone, now and then, so the list stays short.
                if st.children.len() >= 16 && st.children.len().is_power_of_two() {
                    st.children.retain(|c| c.strong_count() > 0);
                }
                st.children.push(Arc::downgrade(&child.node));
                None
            }
        };
        if let Some(reason) = reason {
            child.node.cancel(reason);
        }
        child
    }

    /// Cancels the token and its children, and wakes every task awaiting
    /// [`cancelled`](Self::cancelled). Cancelling twice does nothing (the first reason
    /// stays).
    ///
    /// # Examples
    ///
    /// ```
    /// let t = corio_sync::CancelToken::new();
    /// t.cancel();
    /// assert!(t.is_cancelled());
    /// assert_eq!(t.reason(), None);
    /// ```
    pub fn cancel(&self) {
        self.node.cancel(None);
    }

    /// [`cancel`](Self::cancel) with a reason, which [`reason`](Self::reason) reports
    /// (asyncio's `Task.cancel(msg)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let t = corio_sync::CancelToken::new();
    /// t.cancel_with("timeout");
    /// assert_eq!(t.reason().as_deref(), Some("timeout"));
    /// ```
    pub fn cancel_with(&self, reason: impl Into<Arc<str>>) {
        self.node.cancel(Some(reason.into()));
    }

    /// Whether the token was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio_sync::CancelToken::new().is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        lock(&self.node.state).cancelled
    }

    /// The reason given to [`cancel_with`](Self::cancel_with), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = corio_sync::CancelToken::new();
    /// assert_eq!(t.reason(), None);
    /// ```
    pub fn reason(&self) -> Option<Arc<str>> {
        lock(&self.node.state).reason.clone()
    }

    /// The cancellation as corio's [`Cancelled`](corio_core::Cancelled) error, once
    /// cancelled: handy to return from a task that stops on the token.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = corio_sync::CancelToken::new();
    /// assert!(t.as_error().is_none());
    /// t.cancel_with("bye");
    /// assert_eq!(t.as_error().unwrap().reason(), Some("bye"));
    /// ```
    pub fn as_error(&self) -> Option<corio_core::Cancelled> {
        let st = lock(&self.node.state);
        st.cancelled.then(|| match &st.reason {
            Some(r) => corio_core::Cancelled::with_reason(r.clone()),
            None => corio_core::Cancelled::new(),
        })
    }

    /// Waits until the token is cancelled; returns at once if it already is.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let t = corio_sync::CancelToken::new();
    ///     t.cancel();
    ///     t.cancelled().await;
    /// });
    /// ```
    pub fn cancelled(&self) -> WaitCancelled<'_> {
        WaitCancelled {
            token: self,
            key: None,
        }
    }

    /// A guard that cancels the token when dropped (unless
    /// [disarmed](CancelDropGuard::disarm)): ties the token to a scope.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = corio_sync::CancelToken::new();
    /// {
    ///     let _guard = t.clone().drop_guard();
    /// }
    /// assert!(t.is_cancelled());
    /// ```
    pub fn drop_guard(self) -> CancelDropGuard {
        CancelDropGuard { token: Some(self) }
    }

    /// Waiter entries alive (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::CancelToken::new().waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        lock(&self.node.state).waiters.entries()
    }
}

impl Default for CancelToken {
    fn default() -> Self {
        CancelToken::new()
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.node.state);
        f.debug_struct("CancelToken")
            .field("cancelled", &st.cancelled)
            .field("reason", &st.reason)
            .finish()
    }
}

/// The future of [`CancelToken::cancelled`].
#[must_use = "futures do nothing unless awaited"]
pub struct WaitCancelled<'a> {
    token: &'a CancelToken,
    key: Option<usize>,
}

impl fmt::Debug for WaitCancelled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitCancelled")
            .field("queued", &self.key.is_some())
            .finish()
    }
}

impl Future for WaitCancelled<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut st = lock(&this.token.node.state);
        match this.key {
            None if st.cancelled => Poll::Ready(()),
            None => {
                this.key = Some(st.waiters.push_back(false, cx.waker()));
                Poll::Pending
            }
            Some(key) => {
                if *st.waiters.state(key) {
                    st.waiters.remove(key);
                    this.key = None;
                    Poll::Ready(())
                } else {
                    st.waiters.set_waker(key, cx.waker());
                    Poll::Pending
                }
            }
        }
    }
}

impl Drop for WaitCancelled<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            lock(&self.token.node.state).waiters.remove(key);
        }
    }
}

/// Cancels its [`CancelToken`] when dropped; from [`CancelToken::drop_guard`].
///
/// # Examples
///
/// ```
/// let t = corio_sync::CancelToken::new();
/// let guard = t.clone().drop_guard();
/// let t2 = guard.disarm();
/// assert!(!t2.is_cancelled());
/// ```
#[must_use = "the token is cancelled at once if the guard is not kept"]
pub struct CancelDropGuard {
    token: Option<CancelToken>,
}

impl CancelDropGuard {
    /// Gives the token back without cancelling it.
    ///
    /// # Examples
    ///
    /// ```
    /// let guard = corio_sync::CancelToken::new().drop_guard();
    /// assert!(!guard.disarm().is_cancelled());
    /// ```
    pub fn disarm(mut self) -> CancelToken {
        self.token
            .take()
            .expect("a guard holds its token until disarmed")
    }
}

impl Drop for CancelDropGuard {
    fn drop(&mut self) {
        if let Some(t) = self.token.take() {
            t.cancel();
        }
    }
}

impl fmt::Debug for CancelDropGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelDropGuard")
            .field("token", &self.token)
            .finish()
    }
}
