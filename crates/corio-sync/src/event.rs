//! [`Event`]: asyncio.Event.
//!
//! The flag is an atomic beside the waiter list: `wait` on a set event, `set` on a set
//! event, `clear` and `is_set` never take the list's mutex. Only `set` on a cleared event
//! and a `wait` that must queue do, and both re-read the flag under it, so a waiter that
//! queues is always seen by the next `set`.

use crate::sync::{AtomicUsize, Mutex, Ordering, lock};
use crate::waiters::{WaitList, WakeList, wake_all};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// asyncio's `Event`: a level-triggered flag that tasks can wait for.
///
/// [`set`](Self::set) wakes every waiter and lets later [`wait`](Self::wait)s through
/// at once, until [`clear`](Self::clear).
///
/// # Fairness
///
/// `set` releases every waiter at once; they are woken in the order they started waiting.
/// A wakeup is never revoked: a waiter released by `set` completes even if `clear` runs
/// before it is polled again.
///
/// # Cancel safety
///
/// A dropped [`EventWait`] leaves the waiter list at once; nothing else is affected.
///
/// # Examples
///
/// ```
/// use corio_sync::Event;
/// use std::sync::Arc;
///
/// corio_executor::run(async {
///     let ev = Arc::new(Event::new());
///     let waiter = corio_executor::spawn({
///         let ev = ev.clone();
///         async move { ev.wait().await; "woken" }
///     });
///     corio_executor::yield_now().await;
///     ev.set();
///     assert_eq!(waiter.await.unwrap(), "woken");
/// });
/// ```
pub struct Event {
    /// 1 while set. Raised only under the mutex; lowered by `clear` without it.
    flag: AtomicUsize,
    state: Mutex<State>,
}

struct State {
    /// Each waiter's state: whether a `set` released it.
    waiters: WaitList<bool>,
}

impl Event {
    /// A new event, not set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio_sync::Event::new().is_set());
    /// ```
    pub fn new() -> Self {
        Event {
            flag: AtomicUsize::new(0),
            state: Mutex::new(State {
                waiters: WaitList::new(),
            }),
        }
    }

    /// Sets the flag and wakes every waiter. Setting an event that is already set does
    /// nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// let ev = corio_sync::Event::new();
    /// ev.set();
    /// assert!(ev.is_set());
    /// ```
    pub fn set(&self) {
        if self.is_set() {
            return;
        }
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            // Release: what the setter did before `set` happens before a waiter's return.
            if self.flag.swap(1, Ordering::AcqRel) == 1 {
                return;
            }
            st.waiters
                .grant_all(&mut wakers, |released| *released = true);
        }
        wake_all(wakers);
    }

    /// Clears the flag: later `wait`s block again. Waiters already released still
    /// complete.
    ///
    /// # Examples
    ///
    /// ```
    /// let ev = corio_sync::Event::new();
    /// ev.set();
    /// ev.clear();
    /// assert!(!ev.is_set());
    /// ```
    pub fn clear(&self) {
        self.flag.store(0, Ordering::Release);
    }

    /// Whether the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio_sync::Event::new().is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::Acquire) == 1
    }

    /// Waits until the flag is set; returns at once if it already is.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped future just leaves the waiter list.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let ev = corio_sync::Event::new();
    ///     ev.set();
    ///     ev.wait().await; // already set: no waiting
    /// });
    /// ```
    pub fn wait(&self) -> EventWait<'_> {
        EventWait {
            event: self,
            key: None,
            done: false,
            slot: corio_core::callgraph::WaitSlot::new(),
        }
    }

    /// Waiter entries alive (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Event::new().waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        lock(&self.state).waiters.entries()
    }
}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.state);
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .field("waiters", &st.waiters.queued())
            .finish()
    }
}

/// The future of [`Event::wait`].
///
/// # Examples
///
/// ```
/// use corio_sync::{Event, futures::EventWait};
///
/// corio_executor::run(async {
///     let ev = Event::new();
///     ev.set();
///     let wait: EventWait<'_> = ev.wait();
///     wait.await;
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait<'a> {
    event: &'a Event,
    key: Option<usize>,
    done: bool,
    slot: corio_core::callgraph::WaitSlot,
}

impl fmt::Debug for EventWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("queued", &self.key.is_some())
            .finish()
    }
}

impl Future for EventWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        assert!(!this.done, "EventWait polled after completion");
        if this.key.is_none() && this.event.is_set() {
            this.done = true;
            return Poll::Ready(());
        }
        let mut st = lock(&this.event.state);
        match this.key {
            None => {
                // Re-read under the mutex: a `set` raises the flag under it too.
                if this.event.is_set() {
                    this.done = true;
                    return Poll::Ready(());
                }
                this.key = Some(st.waiters.push_back(false, cx.waker()));
                this.slot.pending(|| describe_wait(this.event));
                Poll::Pending
            }
            Some(key) => {
                if *st.waiters.state(key) {
                    st.waiters.remove(key);
                    this.key = None;
                    this.done = true;
                    this.slot.done();
                    Poll::Ready(())
                } else {
                    st.waiters.set_waker(key, cx.waker());
                    this.slot.pending(|| describe_wait(this.event));
                    Poll::Pending
                }
            }
        }
    }
}

/// What a waiting `wait()` waits on, for the task call graph.
fn describe_wait(event: &Event) -> corio_core::callgraph::WaitOn {
    corio_core::callgraph::WaitOn::new("Event")
        .object(event)
        .queued()
        .detail("not set")
}

impl Drop for EventWait<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            lock(&self.event.state).waiters.remove(key);
        }
    }
}
