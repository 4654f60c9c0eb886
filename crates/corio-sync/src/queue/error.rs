//! The errors of [`Queue`](crate::Queue)'s methods.

#[cfg(doc)]
use crate::Queue;
use std::fmt;

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
pub struct TaskDoneError(pub(super) ());

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called too many times")
    }
}

impl std::error::Error for TaskDoneError {}
