//! [`BoundedSemaphore`]: asyncio.BoundedSemaphore.

use crate::semaphore::{Acquire, Semaphore, SemaphorePermit, TryAcquireError};
use std::fmt;

/// A [`Semaphore`] that refuses to hold more permits than it started with: asyncio's
/// `BoundedSemaphore`.
///
/// Permits acquired from it are returned on drop as usual, which can never go over the
/// bound. The asyncio style of a bare `acquire()` with a later `release()` is written
/// `sem.acquire().await?.forget()` then [`release`](Self::release), which checks the bound
/// (asyncio's `ValueError`).
///
/// # Fairness
///
/// FIFO with no barging, as [`Semaphore`].
///
/// # Cancel safety
///
/// As [`Semaphore`]: a dropped [`Acquire`] passes on any permit it was handed.
///
/// # Examples
///
/// ```
/// use corio_sync::BoundedSemaphore;
///
/// corio_executor::run(async {
///     let sem = BoundedSemaphore::new(1);
///     assert!(sem.release().is_err()); // would exceed the initial value
///     sem.acquire().await.unwrap().forget();
///     assert!(sem.release().is_ok());
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
pub struct BoundedSemaphore {
    sem: Semaphore,
    max: usize,
}

/// Why [`BoundedSemaphore::release`] failed: it would have exceeded the initial value.
///
/// # Examples
///
/// ```
/// let sem = corio_sync::BoundedSemaphore::new(2);
/// let err = sem.release().unwrap_err();
/// assert_eq!(err.to_string(), "BoundedSemaphore released too many times");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundedReleaseError(());

impl fmt::Display for BoundedReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BoundedSemaphore released too many times")
    }
}

impl std::error::Error for BoundedReleaseError {}

impl BoundedSemaphore {
    /// A bounded semaphore with `permits` permits, which is also its upper bound.
    ///
    /// # Panics
    ///
    /// As [`Semaphore::new`]: if `permits` exceeds `usize::MAX >> 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::BoundedSemaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Self {
        BoundedSemaphore {
            sem: Semaphore::new(permits),
            max: permits,
        }
    }

    /// Waits for a permit, as [`Semaphore::acquire`].
    ///
    /// # Errors
    ///
    /// [`AcquireError`](crate::AcquireError) once [closed](Self::close).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`Semaphore::acquire`].
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let sem = corio_sync::BoundedSemaphore::new(1);
    ///     let _p = sem.acquire().await.unwrap();
    ///     assert!(sem.is_locked());
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        self.sem.acquire()
    }

    /// Takes a permit if one is free and nobody waits, as [`Semaphore::try_acquire`].
    ///
    /// # Errors
    ///
    /// As [`Semaphore::try_acquire`].
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::BoundedSemaphore::new(1);
    /// assert!(sem.try_acquire().is_ok());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.sem.try_acquire()
    }

    /// Returns one permit that was [forgotten](SemaphorePermit::forget), waking the first
    /// waiter if any.
    ///
    /// # Errors
    ///
    /// [`BoundedReleaseError`] if the semaphore would then hold more permits (free and
    /// held together) than its initial value; nothing changes then.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::BoundedSemaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// sem.release().unwrap();
    /// assert!(sem.release().is_err());
    /// ```
    pub fn release(&self) -> Result<(), BoundedReleaseError> {
        if self.sem.release_bounded(self.max) {
            Ok(())
        } else {
            Err(BoundedReleaseError(()))
        }
    }

    /// Free permits right now.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::BoundedSemaphore::new(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.sem.available_permits()
    }

    /// asyncio's `locked()`, as [`Semaphore::is_locked`].
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::BoundedSemaphore::new(0);
    /// assert!(sem.is_locked());
    /// ```
    pub fn is_locked(&self) -> bool {
        self.sem.is_locked()
    }

    /// Closes the semaphore, as [`Semaphore::close`].
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = corio_sync::BoundedSemaphore::new(1);
    /// sem.close();
    /// assert!(sem.try_acquire().is_err());
    /// ```
    pub fn close(&self) {
        self.sem.close()
    }

    /// The initial value, which is also the bound.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::BoundedSemaphore::new(4).bound(), 4);
    /// ```
    pub fn bound(&self) -> usize {
        self.max
    }

    /// Waiter entries alive (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::BoundedSemaphore::new(1).waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        self.sem.waiter_count()
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("bound", &self.max)
            .field("semaphore", &self.sem)
            .finish()
    }
}
