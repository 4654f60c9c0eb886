//! The named futures of [`Queue`]'s async methods: [`Put`], [`Get`], [`Join`].

use super::Queue;
use super::error::QueueShutDown;
use super::raw::Waiting;
use crate::sync::lock;
use crate::waiters::{WakeList, wake_all};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future of [`Queue::put`].
///
/// Dropping it drops the item, uninserted, and passes on a slot reserved for it.
///
/// # Examples
///
/// ```
/// use corio_sync::{Queue, futures::Put};
///
/// corio_executor::run(async {
///     let q = Queue::new(1);
///     let put: Put<'_, u8> = q.put(7);
///     put.await.unwrap();
///     assert_eq!(q.qsize(), 1);
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Put<'a, T> {
    queue: &'a Queue<T>,
    item: Option<T>,
    key: Option<usize>,
    slot: corio_core::callgraph::WaitSlot,
}

impl<T> fmt::Debug for Put<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put")
            .field("queued", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

impl<T> Unpin for Put<'_, T> {}

impl<T> Future for Put<'_, T> {
    type Output = Result<(), QueueShutDown<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.key.is_none() && corio_core::coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let mut wakers = WakeList::new();
        let out = {
            let mut st = lock(&this.queue.state);
            let may_insert = match this.key {
                None => st.putters.is_empty() && st.free_slots() > 0,
                Some(key) => match *st.putters.state(key) {
                    Waiting::Queued => {
                        st.putters.set_waker(key, cx.waker());
                        this.slot.pending(|| describe_put(this.queue));
                        return Poll::Pending;
                    }
                    Waiting::Granted => {
                        st.putters.remove(key);
                        this.key = None;
                        st.reserved_slots -= 1;
                        true
                    }
                    Waiting::Recheck => {
                        st.putters.remove(key);
                        this.key = None;
                        st.free_slots() > 0
                    }
                },
            };
            let item = this.item.take().expect("Put polled after completion");
            if st.shutdown {
                Some(Err(QueueShutDown(item)))
            } else if may_insert {
                st.push(item, &mut wakers);
                Some(Ok(()))
            } else {
                this.item = Some(item);
                this.key = Some(st.putters.push_back(Waiting::Queued, cx.waker()));
                this.slot.pending(|| describe_put(this.queue));
                None
            }
        };
        wake_all(wakers);
        match out {
            Some(r) => {
                this.slot.done();
                Poll::Ready(r)
            }
            None => Poll::Pending,
        }
    }
}

impl<T> Drop for Put<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Most futures complete and hold no place in the wait list: keep that check inline.
        if let Some(key) = self.key.take() {
            self.leave(key);
        }
    }
}

impl<'a, T> Put<'a, T> {
    pub(super) fn new(queue: &'a Queue<T>, item: T) -> Self {
        Put {
            queue,
            item: Some(item),
            key: None,
            slot: corio_core::callgraph::WaitSlot::new(),
        }
    }

    /// Gives up a place in the wait list, passing a reservation made for it on.
    #[cold]
    fn leave(&self, key: usize) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.queue.state);
            if st.putters.remove(key) == Waiting::Granted {
                st.reserved_slots -= 1;
                st.grant_putters(&mut wakers);
            }
        }
        wake_all(wakers);
    }
}

/// The future of [`Queue::get`].
///
/// Dropping it loses no item: a reservation made for it passes to the next getter.
///
/// # Examples
///
/// ```
/// use corio_sync::{Queue, futures::Get};
///
/// corio_executor::run(async {
///     let q = Queue::new(0);
///     q.put_nowait("job").unwrap();
///     let get: Get<'_, &str> = q.get();
///     assert_eq!(get.await, Ok("job"));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Get<'a, T> {
    queue: &'a Queue<T>,
    key: Option<usize>,
    done: bool,
    slot: corio_core::callgraph::WaitSlot,
}

impl<'a, T> Get<'a, T> {
    pub(super) fn new(queue: &'a Queue<T>) -> Self {
        Get {
            queue,
            key: None,
            done: false,
            slot: corio_core::callgraph::WaitSlot::new(),
        }
    }
}

impl<T> fmt::Debug for Get<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get")
            .field("queued", &self.key.is_some())
            .finish()
    }
}

impl<T> Future for Get<'_, T> {
    type Output = Result<T, QueueShutDown>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.done, "Get polled after completion");
        if this.key.is_none() && corio_core::coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let mut wakers = WakeList::new();
        let out = {
            let mut st = lock(&this.queue.state);
            let may_take = match this.key {
                None => st.getters.is_empty() && st.available_items() > 0,
                Some(key) => match *st.getters.state(key) {
                    Waiting::Queued => {
                        st.getters.set_waker(key, cx.waker());
                        this.slot.pending(|| describe_get(this.queue, &st));
                        return Poll::Pending;
                    }
                    Waiting::Granted => {
                        st.getters.remove(key);
                        this.key = None;
                        st.reserved_items -= 1;
                        true
                    }
                    Waiting::Recheck => {
                        st.getters.remove(key);
                        this.key = None;
                        st.available_items() > 0
                    }
                },
            };
            if may_take {
                Some(Ok(st.pop(&mut wakers)))
            } else if st.shutdown {
                Some(Err(QueueShutDown(())))
            } else {
                this.key = Some(st.getters.push_back(Waiting::Queued, cx.waker()));
                this.slot.pending(|| describe_get(this.queue, &st));
                None
            }
        };
        wake_all(wakers);
        match out {
            Some(r) => {
                this.done = true;
                this.slot.done();
                Poll::Ready(r)
            }
            None => Poll::Pending,
        }
    }
}

/// What a waiting `put()` waits on, for the task call graph.
fn describe_put<T>(queue: &Queue<T>) -> corio_core::callgraph::WaitOn {
    corio_core::callgraph::WaitOn::new("Queue.put")
        .object(queue)
        .queued()
        .detail("full")
}

/// What a waiting `get()` waits on, for the task call graph.
fn describe_get<T>(queue: &Queue<T>, st: &super::raw::State<T>) -> corio_core::callgraph::WaitOn {
    corio_core::callgraph::WaitOn::new("Queue.get")
        .object(queue)
        .queued()
        .detail(if st.available_items() == 0 {
            "empty"
        } else {
            "items reserved for getters ahead"
        })
}

impl<T> Drop for Get<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Most futures complete and hold no place in the wait list: keep that check inline.
        if let Some(key) = self.key.take() {
            self.leave(key);
        }
    }
}

impl<T> Get<'_, T> {
    /// Gives up a place in the wait list, passing a reservation made for it on.
    #[cold]
    fn leave(&self, key: usize) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.queue.state);
            if st.getters.remove(key) == Waiting::Granted {
                #[cfg(corio_loom)]
                if crate::mutation::active(crate::mutation::Mutation::QueueCancelLosesItem) {
                    return;
                }
                st.reserved_items -= 1;
                st.grant_getters(&mut wakers);
            }
        }
        wake_all(wakers);
    }
}

/// The future of [`Queue::join`].
///
/// # Examples
///
/// ```
/// use corio_sync::{Queue, futures::Join};
///
/// corio_executor::run(async {
///     let q = Queue::<u8>::new(0);
///     let join: Join<'_, u8> = q.join();
///     join.await; // nothing was put: returns at once
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Join<'a, T> {
    queue: &'a Queue<T>,
    key: Option<usize>,
    done: bool,
}

impl<'a, T> Join<'a, T> {
    pub(super) fn new(queue: &'a Queue<T>) -> Self {
        Join {
            queue,
            key: None,
            done: false,
        }
    }
}

impl<T> fmt::Debug for Join<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("queued", &self.key.is_some())
            .finish()
    }
}

impl<T> Future for Join<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        assert!(!this.done, "Join polled after completion");
        let mut st = lock(&this.queue.state);
        let ready = match this.key {
            None => st.unfinished == 0,
            Some(key) => {
                if *st.joiners.state(key) {
                    st.joiners.remove(key);
                    this.key = None;
                    true
                } else {
                    st.joiners.set_waker(key, cx.waker());
                    return Poll::Pending;
                }
            }
        };
        if ready {
            this.done = true;
            Poll::Ready(())
        } else {
            this.key = Some(st.joiners.push_back(false, cx.waker()));
            Poll::Pending
        }
    }
}

impl<T> Drop for Join<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            lock(&self.queue.state).joiners.remove(key);
        }
    }
}
