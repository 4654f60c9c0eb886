//! [`Queue`]: asyncio.Queue, and the core that [`LifoQueue`](crate::LifoQueue) and
//! [`PriorityQueue`](crate::PriorityQueue) share.

use crate::queue_storage::Storage;
use crate::sync::{Mutex, lock};
use crate::waiters::{WaitList, WakeList, wake_all};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Queued,
    /// An item (for a getter) or a slot (for a putter) is reserved for it.
    Granted,
    /// The queue shut down: look again.
    Recheck,
}

struct State<T> {
    items: Storage<T>,
    maxsize: usize,
    /// Items reserved for granted getters that have not run yet.
    reserved_items: usize,
    /// Slots reserved for granted putters that have not run yet.
    reserved_slots: usize,
    unfinished: usize,
    shutdown: bool,
    getters: WaitList<Waiting>,
    putters: WaitList<Waiting>,
    /// Each joiner's state: whether the count reached zero.
    joiners: WaitList<bool>,
}

impl<T> State<T> {
    fn free_slots(&self) -> usize {
        if self.maxsize == 0 {
            usize::MAX
        } else {
            self.maxsize
                .saturating_sub(self.items.len() + self.reserved_slots)
        }
    }

    fn available_items(&self) -> usize {
        self.items.len() - self.reserved_items
    }

    #[inline]
    fn grant_getters(&mut self, wakers: &mut WakeList) {
        while self.available_items() > 0 {
            match self.getters.grant_front(Waiting::Granted) {
                Some(w) => {
                    self.reserved_items += 1;
                    wakers.extend(w);
                }
                None => break,
            }
        }
    }

    #[inline]
    fn grant_putters(&mut self, wakers: &mut WakeList) {
        while self.free_slots() > 0 {
            match self.putters.grant_front(Waiting::Granted) {
                Some(w) => {
                    self.reserved_slots += 1;
                    wakers.extend(w);
                }
                None => break,
            }
        }
    }

    fn push(&mut self, item: T, wakers: &mut WakeList) {
        self.items.push(item);
        self.unfinished += 1;
        self.grant_getters(wakers);
    }

    fn pop(&mut self, wakers: &mut WakeList) -> T {
        let item = self.items.pop().expect("an available item");
        self.grant_putters(wakers);
        item
    }

    fn finish_joiners(&mut self, wakers: &mut WakeList) {
        if self.unfinished == 0 {
            self.joiners.grant_all(wakers, |done| *done = true);
        }
    }
}

/// Why [`Queue::put_nowait`] failed; the item comes back in either case.
///
/// # Examples
///
/// ```
/// use corio_sync::{Queue, TryPutError};
///
/// let q = Queue::new(1);
/// q.put_nowait(1).unwrap();
/// assert_eq!(q.put_nowait(2), Err(TryPutError::Full(2))); // asyncio's QueueFull
/// q.shutdown(false);
/// assert_eq!(q.put_nowait(3), Err(TryPutError::ShutDown(3)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TryPutError<T> {
    /// The queue is full (asyncio's `QueueFull`).
    Full(T),
    /// The queue was shut down (asyncio's `QueueShutDown`).
    ShutDown(T),
}

impl<T> TryPutError<T> {
    /// The item that was not put.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::new(1);
    /// q.put_nowait('a').unwrap();
    /// assert_eq!(q.put_nowait('b').unwrap_err().into_inner(), 'b');
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TryPutError::Full(t) | TryPutError::ShutDown(t) => t,
        }
    }

    /// Whether the queue was full.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::Queue::new(1);
    /// q.put_nowait(1).unwrap();
    /// assert!(q.put_nowait(2).unwrap_err().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, TryPutError::Full(_))
    }
}

impl<T> fmt::Debug for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("Full(..)"),
            TryPutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<T> fmt::Display for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("queue is full"),
            TryPutError::ShutDown(_) => f.write_str("queue is shut down"),
        }
    }
}

impl<T> std::error::Error for TryPutError<T> {}

/// Why [`Queue::get_nowait`] failed.
///
/// # Examples
///
/// ```
/// use corio_sync::{Queue, TryGetError};
///
/// let q = Queue::<u8>::new(0);
/// assert_eq!(q.get_nowait(), Err(TryGetError::Empty)); // asyncio's QueueEmpty
/// q.shutdown(false);
/// assert_eq!(q.get_nowait(), Err(TryGetError::ShutDown));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryGetError {
    /// No item is available (asyncio's `QueueEmpty`).
    Empty,
    /// The queue was shut down and is drained (asyncio's `QueueShutDown`).
    ShutDown,
}

impl fmt::Display for TryGetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryGetError::Empty => f.write_str("queue is empty"),
            TryGetError::ShutDown => f.write_str("queue is shut down"),
        }
    }
}

impl std::error::Error for TryGetError {}

/// The queue was shut down (asyncio's `QueueShutDown`). From [`Queue::put`] it carries the
/// item back; from [`Queue::get`] it carries `()`.
///
/// # Examples
///
/// ```
/// use corio_sync::{Queue, QueueShutDown};
///
/// corio_executor::run(async {
///     let q = Queue::new(0);
///     q.shutdown(false);
///     assert_eq!(q.put(5).await, Err(QueueShutDown(5)));
///     assert_eq!(q.get().await, Err(QueueShutDown(())));
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueShutDown<T = ()>(pub T);

impl<T> fmt::Debug for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueShutDown(..)")
    }
}

impl<T> fmt::Display for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

impl<T> std::error::Error for QueueShutDown<T> {}

/// [`Queue::task_done`] was called more times than items were put (asyncio's
/// `ValueError`).
///
/// # Examples
///
/// ```
/// let q = corio_sync::Queue::<()>::new(0);
/// assert_eq!(q.task_done().unwrap_err().to_string(), "task_done() called too many times");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDoneError(());

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called too many times")
    }
}

impl std::error::Error for TaskDoneError {}

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
        Put {
            queue: self,
            item: Some(item),
            key: None,
        }
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
        Get {
            queue: self,
            key: None,
            done: false,
        }
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
        Join {
            queue: self,
            key: None,
            done: false,
        }
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

/// The future of [`Queue::put`].
///
/// Dropping it drops the item, uninserted, and passes on a slot reserved for it.
#[must_use = "futures do nothing unless awaited"]
pub struct Put<'a, T> {
    queue: &'a Queue<T>,
    item: Option<T>,
    key: Option<usize>,
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
                None
            }
        };
        wake_all(wakers);
        match out {
            Some(r) => Poll::Ready(r),
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

impl<T> Put<'_, T> {
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
#[must_use = "futures do nothing unless awaited"]
pub struct Get<'a, T> {
    queue: &'a Queue<T>,
    key: Option<usize>,
    done: bool,
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
                None
            }
        };
        wake_all(wakers);
        match out {
            Some(r) => {
                this.done = true;
                Poll::Ready(r)
            }
            None => Poll::Pending,
        }
    }
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
#[must_use = "futures do nothing unless awaited"]
pub struct Join<'a, T> {
    queue: &'a Queue<T>,
    key: Option<usize>,
    done: bool,
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
