//! Why this lives in core: the executor turns timer wheels and I/O reactors through this
//! trait, so neither it nor they have to name each other's crates.

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

    /// What the loop installs on its thread while it runs (the current timer wheel, the
    /// current reactor, ...), as an [`Entry`] whose [`scope`](Entry::scope) runs a closure
    /// with it installed, and removes it when the closure returns or unwinds: entering
    /// cannot be left unbalanced. The entry is an owned value, so the loop can hold it
    /// while it borrows the driver mutably to [`park`](Self::park). The default installs
    /// nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::{Driver, ThreadParker};
    ///
    /// let mut driver = ThreadParker::new();
    /// let entry = driver.entry();
    /// let turns = entry.scope(|| {
    ///     driver.park(Some(std::time::Duration::ZERO)); // the loop turns its driver
    ///     1
    /// });
    /// assert_eq!(turns, 1);
    /// ```
    fn entry(&self) -> Entry {
        Entry::none()
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
    fn entry(&self) -> Entry {
        (**self).entry()
    }
    fn woke_tasks(&self) -> bool {
        (**self).woke_tasks()
    }
}

/// What a driver installs on its loop's thread for the duration of a closure: the
/// implementation behind an [`Entry`].
///
/// `scope` must call `f` exactly once, with its thread-local state installed, and remove
/// that state before it returns, also when `f` unwinds (hold what must be restored in a
/// local whose `Drop` restores it). A driver stacked on another enters the inner one's
/// [`Entry`] around its own.
///
/// # Examples
///
/// ```
/// use corio_core::{Enter, Entry};
/// use std::cell::Cell;
/// use std::sync::Arc;
///
/// thread_local!(static DEPTH: Cell<u32> = Cell::new(0));
///
/// struct Depth;
/// impl Enter for Depth {
///     fn scope(&self, f: &mut dyn FnMut()) {
///         struct Leave;
///         impl Drop for Leave {
///             fn drop(&mut self) { DEPTH.with(|d| d.set(d.get() - 1)); }
///         }
///         DEPTH.with(|d| d.set(d.get() + 1));
///         let _leave = Leave; // runs even if `f` panics
///         f();
///     }
/// }
///
/// let entry = Entry::new(Arc::new(Depth));
/// assert_eq!(entry.scope(|| entry.scope(|| DEPTH.with(|d| d.get()))), 2);
/// assert_eq!(DEPTH.with(|d| d.get()), 0);
/// ```
pub trait Enter: Send + Sync {
    /// Runs `f` once with this driver's state installed on the current thread.
    fn scope(&self, f: &mut dyn FnMut());
}

/// What [`Driver::entry`] returns: a cheap, cloneable handle whose
/// [`scope`](Entry::scope) runs a closure with the driver entered.
///
/// # Examples
///
/// ```
/// let nothing = corio_core::Entry::none();
/// assert_eq!(nothing.scope(|| 7), 7);
/// ```
#[derive(Clone, Default)]
pub struct Entry(Option<Arc<dyn Enter>>);

impl Entry {
    /// An entry that installs nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio_core::Entry::none().installs_anything());
    /// ```
    pub fn none() -> Self {
        Entry(None)
    }

    /// An entry that enters `inner`.
    ///
    /// # Examples
    ///
    /// See [`Enter`].
    pub fn new(inner: Arc<dyn Enter>) -> Self {
        Entry(Some(inner))
    }

    /// Whether entering does anything.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::{Driver, ThreadParker};
    /// assert!(!ThreadParker::new().entry().installs_anything());
    /// ```
    pub fn installs_anything(&self) -> bool {
        self.0.is_some()
    }

    /// Runs `f` with the driver entered on this thread, and leaves it when `f` returns or
    /// unwinds. Entries nest: an inner scope restores what the outer one installed.
    ///
    /// # Panics
    ///
    /// If the driver's [`Enter::scope`] does not call `f` (a broken implementation).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_core::Entry::none().scope(|| "ran"), "ran");
    /// ```
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        let Some(inner) = &self.0 else {
            return f();
        };
        let mut f = Some(f);
        let mut out = None;
        inner.scope(&mut || {
            if let Some(f) = f.take() {
                out = Some(f());
            }
        });
        out.expect("Enter::scope did not call its closure")
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("installs_anything", &self.0.is_some())
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
