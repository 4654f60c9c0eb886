//! [`LifoQueue`]: asyncio.LifoQueue.

use crate::queue::Queue;
use crate::queue_storage::Storage;
use std::fmt;
use std::ops::Deref;

/// asyncio's `LifoQueue`: a [`Queue`] that returns the item put last first (a stack).
///
/// It dereferences to [`Queue`], which has every method (`put`, `get`, `put_nowait`,
/// `get_nowait`, `task_done`, `join`, `shutdown`, ...), with the same fairness, cancel
/// safety and error policies; only the order of the items differs. Waiting getters and
/// putters are still served first come, first served.
///
/// # Examples
///
/// ```
/// use corio_sync::LifoQueue;
///
/// corio_executor::run(async {
///     let q = LifoQueue::new(0);
///     for i in [1, 3, 2] {
///         q.put(i).await.unwrap();
///     }
///     assert_eq!(q.get().await, Ok(2));
///     assert_eq!(q.get().await, Ok(3));
///     assert_eq!(q.get().await, Ok(1));
/// });
/// ```
pub struct LifoQueue<T> {
    queue: Queue<T>,
}

impl<T> LifoQueue<T> {
    /// A LIFO queue holding at most `maxsize` items; 0 means unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = corio_sync::LifoQueue::<u8>::new(4);
    /// assert_eq!(q.maxsize(), 4);
    /// ```
    pub fn new(maxsize: usize) -> Self {
        LifoQueue {
            queue: Queue::with_storage(Storage::Lifo(Vec::new()), maxsize),
        }
    }
}

impl<T> Deref for LifoQueue<T> {
    type Target = Queue<T>;
    fn deref(&self) -> &Queue<T> {
        &self.queue
    }
}

impl<T> fmt::Debug for LifoQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.queue.fmt(f)
    }
}
