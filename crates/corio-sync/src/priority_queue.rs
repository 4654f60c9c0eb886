//! [`PriorityQueue`]: asyncio.PriorityQueue.

use crate::queue::Queue;
use crate::queue_storage::Storage;
use std::fmt;
use std::ops::Deref;

/// asyncio's `PriorityQueue`: a [`Queue`] that returns the smallest item first.
///
/// Items that compare equal come out in the order they were put (Decision 8: asyncio's
/// heap gives no such promise; here it is guaranteed). Put `(priority, item)` tuples to
/// order by a key, as in asyncio.
///
/// It dereferences to [`Queue`], which has every method, with the same fairness, cancel
/// safety and error policies.
///
/// # Examples
///
/// ```
/// use corio_sync::PriorityQueue;
///
/// corio_executor::run(async {
///     let q = PriorityQueue::new(0);
///     for job in [(2, "write"), (1, "read"), (2, "flush")] {
///         q.put(job).await.unwrap();
///     }
///     assert_eq!(q.get().await, Ok((1, "read")));
///     assert_eq!(q.get().await, Ok((2, "flush")));
///     assert_eq!(q.get().await, Ok((2, "write")));
/// });
/// ```
pub struct PriorityQueue<T> {
    queue: Queue<T>,
}

impl<T: Ord> PriorityQueue<T> {
    /// A priority queue holding at most `maxsize` items; 0 means unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::PriorityQueue::<u8>::new(0);
    /// q.put_nowait(3).unwrap();
    /// q.put_nowait(1).unwrap();
    /// assert_eq!(q.get_nowait(), Ok(1));
    /// ```
    pub fn new(maxsize: usize) -> Self {
        PriorityQueue {
            queue: Queue::with_storage(Storage::priority(), maxsize),
        }
    }
}

impl<T> Deref for PriorityQueue<T> {
    type Target = Queue<T>;
    fn deref(&self) -> &Queue<T> {
        &self.queue
    }
}

impl<T> fmt::Debug for PriorityQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.queue.fmt(f)
    }
}
