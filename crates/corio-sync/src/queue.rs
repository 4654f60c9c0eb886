//! [`Queue`]: asyncio.Queue, and the core that [`LifoQueue`](crate::LifoQueue) and
//! [`PriorityQueue`](crate::PriorityQueue) share.
//!
//! This file holds the public API; `raw` holds the state machine under the lock (the
//! counts and the reservation rules), `error` the error types and `futures` the named
//! futures `Put`, `Get` and `Join`.

mod error;
pub(crate) mod futures;
mod raw;

pub use error::{QueueShutDown, TaskDoneError, TryGetError, TryPutError};

use self::futures::{Get, Join, Put};
use self::raw::{State, Waiting};
use crate::queue_storage::Storage;
use crate::sync::{Mutex, lock};
use crate::waiters::{WaitList, WakeList, wake_all};
use std::collections::VecDeque;
use std::fmt;

/// asyncio's `Queue`: a first-in first-out queue for many producers and many consumers,
/// bounded by `maxsize` (0 = unbounded), with `task_done`/`join` and 3.13's `shutdown`.
///
/// [`LifoQueue`](crate::LifoQueue) and [`PriorityQueue`](crate::PriorityQueue) are the
/// same queue with another order; they dereference to `Queue`.
///
/// A queue of `maxsize` n never holds more than n items.
///
/// # Fairness
///
/// Getters are served in the order they started waiting, and so are putters. An item put
/// while getters wait is reserved for the first of them, and a slot freed while putters
/// wait is reserved for the first of them: a later [`get_nowait`](Self::get_nowait) or
/// [`put_nowait`](Self::put_nowait) cannot take it first (no barging). A reserved item
/// stays in the queue (and in [`qsize`](Self::qsize)) until its getter runs, as in asyncio.
///
/// # Cancel safety
///
/// Dropping a [`Get`] at any point loses no item: if an item had been reserved for it, the
/// reservation passes to the next getter (or the item simply stays in the queue). Dropping
/// a [`Put`] drops its item, which was never inserted (a retried `put` inserts it exactly
/// once); a slot reserved for it passes to the next putter. No waiter entry is left
/// behind.
///
/// # Examples
///
/// ```
/// use corio_sync::Queue;
/// use std::sync::Arc;
///
/// corio_executor::run(async {
///     let q = Arc::new(Queue::new(2));
///     let consumer = corio_executor::spawn({
///         let q = q.clone();
///         async move {
///             let mut sum = 0;
///             while let Ok(n) = q.get().await {
///                 sum += n;
///                 q.task_done().unwrap();
///             }
///             sum
///         }
///     });
///     for i in 1..=10 {
///         q.put(i).await.unwrap();
///     }
///     q.join().await; // every item got and task_done-d
///     q.shutdown(false);
///     assert_eq!(consumer.await.unwrap(), 55);
/// });
/// ```
pub struct Queue<T> {
    state: Mutex<State<T>>,
}

impl<T> Queue<T> {
    /// A FIFO queue holding at most `maxsize` items; 0 means unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::<i32>::new(10);
    /// assert_eq!(q.maxsize(), 10);
    /// ```
    pub fn new(maxsize: usize) -> Self {
        Self::with_storage(Storage::Fifo(VecDeque::new()), maxsize)
    }

    pub(crate) fn with_storage(items: Storage<T>, maxsize: usize) -> Self {
        Queue {
            state: Mutex::new(State {
                items,
                maxsize,
                reserved_items: 0,
                reserved_slots: 0,
                unfinished: 0,
                shutdown: false,
                getters: WaitList::new(),
                putters: WaitList::new(),
                joiners: WaitList::new(),
            }),
        }
    }

    /// Puts an item, waiting for a free slot if the queue is full.
    ///
    /// # Errors
    ///
    /// [`QueueShutDown`] with the item, if the queue is shut down (before or while
    /// waiting).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped `Put` was never inserted, its item is dropped with it, and
    /// a slot reserved for it goes to the next putter.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let q = corio_sync::Queue::new(1);
    ///     q.put("a").await.unwrap();
    ///     assert!(q.is_full());
    /// });
    /// ```
    pub fn put(&self, item: T) -> Put<'_, T> {
        Put::new(self, item)
    }

    /// Puts an item if there is a free slot; never waits.
    ///
    /// # Errors
    ///
    /// [`TryPutError::Full`] if the queue is full (or its free slots are reserved for
    /// waiting putters), [`TryPutError::ShutDown`] once shut down; both give the item back.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::new(1);
    /// assert!(q.put_nowait(1).is_ok());
    /// assert!(q.put_nowait(2).is_err());
    /// ```
    pub fn put_nowait(&self, item: T) -> Result<(), TryPutError<T>> {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            if st.shutdown {
                return Err(TryPutError::ShutDown(item));
            }
            if !st.putters.is_empty() || st.free_slots() == 0 {
                return Err(TryPutError::Full(item));
            }
            st.push(item, &mut wakers);
        }
        wake_all(wakers);
        Ok(())
    }

    /// Removes and returns the next item, waiting for one if the queue is empty.
    ///
    /// # Errors
    ///
    /// [`QueueShutDown`] once the queue is shut down and drained (immediately on an
    /// immediate shutdown).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: no item is ever lost by dropping a `Get`, even one that was woken
    /// with an item reserved for it. See the [type docs](Self#cancel-safety).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let q = corio_sync::Queue::new(0);
    ///     q.put_nowait(1).unwrap();
    ///     assert_eq!(q.get().await, Ok(1));
    /// });
    /// ```
    pub fn get(&self) -> Get<'_, T> {
        Get::new(self)
    }

    /// Removes and returns an item if one is available; never waits.
    ///
    /// # Errors
    ///
    /// [`TryGetError::Empty`] if no item is available (or every item is reserved for a
    /// waiting getter), [`TryGetError::ShutDown`] once shut down and drained.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::new(0);
    /// q.put_nowait(7).unwrap();
    /// assert_eq!(q.get_nowait(), Ok(7));
    /// assert!(q.get_nowait().is_err());
    /// ```
    pub fn get_nowait(&self) -> Result<T, TryGetError> {
        let mut wakers = WakeList::new();
        let item = {
            let mut st = lock(&self.state);
            if st.available_items() == 0 {
                return Err(if st.shutdown {
                    TryGetError::ShutDown
                } else {
                    TryGetError::Empty
                });
            }
            st.pop(&mut wakers)
        };
        wake_all(wakers);
        Ok(item)
    }

    /// Marks one item that was got as processed. When every item put so far is processed,
    /// [`join`](Self::join)ers wake.
    ///
    /// # Errors
    ///
    /// [`TaskDoneError`] if called more times than items were put.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::new(0);
    /// q.put_nowait(()).unwrap();
    /// q.get_nowait().unwrap();
    /// assert!(q.task_done().is_ok());
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            if st.unfinished == 0 {
                return Err(TaskDoneError(()));
            }
            st.unfinished -= 1;
            st.finish_joiners(&mut wakers);
        }
        wake_all(wakers);
        Ok(())
    }

    /// Waits until every item put so far has been got and marked
    /// [`task_done`](Self::task_done). Returns at once when none is pending.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped `Join` just stops waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let q = corio_sync::Queue::<u8>::new(0);
    ///     q.join().await; // nothing pending
    /// });
    /// ```
    pub fn join(&self) -> Join<'_, T> {
        Join::new(self)
    }

    /// Shuts the queue down (asyncio 3.13): `put`s fail with [`QueueShutDown`] from now
    /// on, waiting putters too; `get`s go on until the queue is drained, then fail. With
    /// `immediate`, the queue is drained now: its items are dropped, counted as done for
    /// [`join`](Self::join), and every getter fails. Calling it again may upgrade to
    /// `immediate`.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::new(0);
    /// q.put_nowait(1).unwrap();
    /// q.shutdown(false);
    /// assert_eq!(q.get_nowait(), Ok(1)); // still drained
    /// assert!(q.get_nowait().is_err());
    /// ```
    pub fn shutdown(&self, immediate: bool) {
        let mut wakers = WakeList::new();
        let drained;
        {
            let mut st = lock(&self.state);
            st.shutdown = true;
            drained = if immediate {
                let n = st.items.take_all();
                st.unfinished = st.unfinished.saturating_sub(n.len());
                st.reserved_items = 0;
                let mut w = st.getters.for_each_entry(|_, s| {
                    *s = Waiting::Recheck;
                    true
                });
                wakers.append(&mut w);
                st.finish_joiners(&mut wakers);
                n
            } else {
                // Only queued getters wait for items that will never come; granted
                // ones keep their reserved item.
                st.getters.grant_all(&mut wakers, |s| *s = Waiting::Recheck);
                Vec::new()
            };
            st.reserved_slots = 0;
            let mut w = st.putters.for_each_entry(|_, s| {
                *s = Waiting::Recheck;
                true
            });
            wakers.append(&mut w);
        }
        wake_all(wakers);
        drop(drained); // the items' destructors run outside the lock
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::<()>::new(0);
    /// q.shutdown(true);
    /// assert!(q.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        lock(&self.state).shutdown
    }

    /// Number of items in the queue (including those reserved for woken getters).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::new(0);
    /// q.put_nowait(1).unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        lock(&self.state).items.len()
    }

    /// asyncio's `empty()`: whether the queue holds no item.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio_sync::Queue::<u8>::new(0).is_empty());
    /// ```
    #[doc(alias = "empty")]
    pub fn is_empty(&self) -> bool {
        lock(&self.state).items.len() == 0
    }

    /// asyncio's `full()`: whether the queue holds `maxsize` items. An unbounded queue is
    /// never full.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::new(1);
    /// q.put_nowait(1).unwrap();
    /// assert!(q.is_full());
    /// assert!(!corio_sync::Queue::<u8>::new(0).is_full());
    /// ```
    #[doc(alias = "full")]
    pub fn is_full(&self) -> bool {
        let st = lock(&self.state);
        st.maxsize != 0 && st.items.len() >= st.maxsize
    }

    /// The bound given at construction (0 = unbounded).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Queue::<u8>::new(3).maxsize(), 3);
    /// ```
    pub fn maxsize(&self) -> usize {
        lock(&self.state).maxsize
    }

    /// Waiter entries alive: getters, putters and joiners (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Queue::<u8>::new(0).waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        let st = lock(&self.state);
        st.getters.entries() + st.putters.entries() + st.joiners.entries()
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.state);
        f.debug_struct(st.items.kind())
            .field("qsize", &st.items.len())
            .field("maxsize", &st.maxsize)
            .field("getters", &st.getters.queued())
            .field("putters", &st.putters.queued())
            .field("unfinished", &st.unfinished)
            .field("shutdown", &st.shutdown)
            .finish()
    }
}
