//! asyncio's synchronisation primitives and queues, for any executor.
#![forbid(unsafe_code)]

mod bounded_semaphore;
mod lock;
mod semaphore;
mod sync;
mod waiters;

pub use bounded_semaphore::{BoundedReleaseError, BoundedSemaphore};
pub use lock::{Lock, LockFuture, LockGuard, OwnedLockFuture, OwnedLockGuard, TryLockError};
pub use semaphore::{
    Acquire, AcquireError, AcquireOwned, OwnedSemaphorePermit, Semaphore, SemaphorePermit,
    TryAcquireError,
};
