//! Why this lives in core: the executor turns timer wheels and I/O reactors through this
//! trait, so neither it nor they have to name each other's crates.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Something an event loop turns when it has no task ready to run.
///
/// A loop owns one `Driver`, usually a stack: the timer wheel wraps the I/O reactor, which
/// wraps a [`ThreadParker`](crate::ThreadParker). [`park`](Driver::park) waits for the next
/// event (a timer deadline, a readable socket, an [`Unparker::unpark`] from another thread)
/// for at most `timeout`, processes what happened (waking the tasks concerned) and returns.
///
/// The loop calls `park(Some(Duration::ZERO))` every so many polls, so that timers and I/O
/// are processed even while tasks are always ready.
///
/// # Examples
///
/// A driver that counts how often the loop went idle, stacked on a thread parker:
///
/// ```
/// use corio_core::{Driver, ThreadParker, Unparker};
/// use std::time::Duration;
///
/// struct Counting { inner: ThreadParker, parks: u32 }
///
/// impl Driver for Counting {
///     fn park(&mut self, timeout: Option<Duration>) {
///         self.parks += 1;
///         self.inner.park(timeout);
///     }
///     fn unparker(&self) -> Unparker {
///         self.inner.unparker()
///     }
/// }
///
/// let mut d = Counting { inner: ThreadParker::new(), parks: 0 };
/// d.unparker().unpark(); // a wake-up before the park is not lost
/// d.park(None);          // returns at once
/// d.park(Some(Duration::from_millis(1)));
/// assert_eq!(d.parks, 2);
/// ```
pub trait Driver {
    /// Waits for events for at most `timeout` (`None`: until one arrives or an
    /// [`Unparker`] fires), processes them, and returns.
    ///
    /// A call to [`Unparker::unpark`] made before `park` is not lost: the next `park`
    /// returns promptly. Spurious returns are allowed; the loop re-checks its queues.
    fn park(&mut self, timeout: Option<Duration>);

    /// A handle that wakes this driver's `park` from any thread.
    fn unparker(&self) -> Unparker;

    /// Called by the loop on the thread that runs it, before it polls anything; the guard
    /// is dropped when the loop stops running there.
    ///
    /// Drivers use it to install a thread-local handle (the current timer wheel, say) so
    /// that the futures polled on this thread can find it. The default installs nothing.
    fn enter(&self) -> DriverGuard {
        DriverGuard::none()
    }

    /// Whether the last [`park`](Self::park) woke a task (an I/O event it dispatched, a
    /// timer it fired). A driver stacked on top uses it: a paused virtual clock must not
    /// jump to the next deadline while tasks woken by the layer below are waiting to run.
    /// The default says no (a plain parker wakes no task itself).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::{Driver, ThreadParker};
    /// let mut p = ThreadParker::new();
    /// p.park(Some(std::time::Duration::ZERO));
    /// assert!(!p.woke_tasks());
    /// ```
    fn woke_tasks(&self) -> bool {
        false
    }
}

impl<D: Driver + ?Sized> Driver for Box<D> {
    fn park(&mut self, timeout: Option<Duration>) {
        (**self).park(timeout)
    }
    fn unparker(&self) -> Unparker {
        (**self).unparker()
    }
    fn enter(&self) -> DriverGuard {
        (**self).enter()
    }
    fn woke_tasks(&self) -> bool {
        (**self).woke_tasks()
    }
}

/// What [`Driver::enter`] returns: dropping it undoes what `enter` installed.
///
/// # Examples
///
/// ```
/// use corio_core::DriverGuard;
/// use std::cell::Cell;
///
/// thread_local!(static ENTERED: Cell<bool> = Cell::new(false));
///
/// struct Exit;
/// impl Drop for Exit {
///     fn drop(&mut self) { ENTERED.with(|e| e.set(false)); }
/// }
///
/// ENTERED.with(|e| e.set(true));
/// let guard = DriverGuard::new(Exit);
/// drop(guard);
/// assert!(!ENTERED.with(|e| e.get()));
/// ```
#[must_use = "dropping the guard immediately undoes the driver's enter"]
pub struct DriverGuard(Option<Box<dyn Any>>);

impl DriverGuard {
    /// A guard that holds `value` until it is dropped.
    pub fn new<T: 'static>(value: T) -> Self {
        DriverGuard(Some(Box::new(value)))
    }

    /// A guard that does nothing.
    pub fn none() -> Self {
        DriverGuard(None)
    }
}

impl fmt::Debug for DriverGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DriverGuard")
            .field("active", &self.0.is_some())
            .finish()
    }
}

/// Wakes a parked [`Driver`] from any thread.
///
/// # Examples
///
/// ```
/// use corio_core::{Unpark, Unparker};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// struct Count(AtomicUsize);
/// impl Unpark for Count {
///     fn unpark(&self) { self.0.fetch_add(1, Ordering::Relaxed); }
/// }
///
/// let count = Arc::new(Count(AtomicUsize::new(0)));
/// let unparker = Unparker::new(count.clone());
/// unparker.unpark();
/// assert_eq!(count.0.load(Ordering::Relaxed), 1);
/// ```
pub trait Unpark: Send + Sync + 'static {
    /// Makes the driver's current or next `park` return.
    fn unpark(&self);
}

/// A cloneable, thread-safe handle to an [`Unpark`] implementation.
///
/// # Examples
///
/// ```
/// use corio_core::{Driver, ThreadParker};
///
/// let parker = ThreadParker::new();
/// let unparker = parker.unparker();
/// std::thread::spawn(move || unparker.unpark()).join().unwrap();
/// ```
#[derive(Clone)]
pub struct Unparker(Arc<dyn Unpark>);

impl Unparker {
    /// Wraps an [`Unpark`] implementation.
    pub fn new(inner: Arc<dyn Unpark>) -> Self {
        Unparker(inner)
    }

    /// Makes the driver's current or next `park` return.
    pub fn unpark(&self) {
        self.0.unpark()
    }
}

impl fmt::Debug for Unparker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unparker").finish_non_exhaustive()
    }
}
