//! Why this lives in core: a task group (corio-combinators) reports the `JoinError` of a
//! task spawned by corio-executor, and `wait_for` (corio-combinators) returns the `Elapsed`
//! of corio-timer. Errors that cross crates must be defined below all of them.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A task or operation was cancelled, optionally with a reason (asyncio's `CancelledError`
/// and the `msg` of `Task.cancel(msg)`).
///
/// # Examples
///
/// ```
/// use corio_core::Cancelled;
///
/// let plain = Cancelled::new();
/// assert_eq!(plain.reason(), None);
/// let why = Cancelled::with_reason("deadline moved");
/// assert_eq!(why.reason(), Some("deadline moved"));
/// assert_eq!(why.to_string(), "cancelled: deadline moved");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Cancelled {
    reason: Option<Arc<str>>,
}

impl Cancelled {
    /// A cancellation without a reason.
    pub const fn new() -> Self {
        Cancelled { reason: None }
    }

    /// A cancellation that carries `reason` to whoever observes it.
    pub fn with_reason(reason: impl Into<Arc<str>>) -> Self {
        Cancelled {
            reason: Some(reason.into()),
        }
    }

    /// The reason given when cancelling, if any.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }
}

impl fmt::Debug for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Some(r) => f.debug_tuple("Cancelled").field(&&**r).finish(),
            None => f.write_str("Cancelled"),
        }
    }
}

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Some(r) => write!(f, "cancelled: {r}"),
            None => f.write_str("cancelled"),
        }
    }
}

impl std::error::Error for Cancelled {}

/// A deadline passed before the operation finished (asyncio's `TimeoutError`).
///
/// # Examples
///
/// ```
/// use corio_core::Elapsed;
///
/// let e = Elapsed::new();
/// assert_eq!(e.to_string(), "deadline has elapsed");
/// let as_io: std::io::Error = e.into();
/// assert_eq!(as_io.kind(), std::io::ErrorKind::TimedOut);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub struct Elapsed;

impl Elapsed {
    /// The error value.
    pub const fn new() -> Self {
        Elapsed
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(e: Elapsed) -> Self {
        std::io::Error::new(std::io::ErrorKind::TimedOut, e)
    }
}

/// The payload of a caught panic, as `std::panic::catch_unwind` returns it.
pub type PanicPayload = Box<dyn Any + Send + 'static>;

/// Why a task did not produce its value: it was cancelled, or it panicked.
///
/// A panic inside a task never takes the loop down: it is caught and handed to whoever
/// awaits the task, as `JoinError::Panicked` with the payload, which they may inspect or
/// re-raise with [`std::panic::resume_unwind`].
///
/// # Examples
///
/// ```
/// use corio_core::JoinError;
///
/// let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
/// let err = JoinError::Panicked(payload);
/// assert!(err.is_panic());
/// assert_eq!(err.panic_message(), Some("boom"));
/// assert_eq!(err.to_string(), "task panicked: boom");
/// ```
#[non_exhaustive]
pub enum JoinError {
    /// The task was cancelled before it finished; its future was dropped.
    Cancelled(Cancelled),
    /// The task panicked; the payload is the value given to `panic!`.
    Panicked(PanicPayload),
}

impl JoinError {
    /// Whether the task was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, JoinError::Cancelled(_))
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, JoinError::Panicked(_))
    }

    /// The cancellation, if the task was cancelled.
    pub fn cancelled(&self) -> Option<&Cancelled> {
        match self {
            JoinError::Cancelled(c) => Some(c),
            JoinError::Panicked(_) => None,
        }
    }

    /// The panic message when the payload is a string (the common `panic!("..")` case).
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            JoinError::Panicked(p) => panic_message(&**p),
            JoinError::Cancelled(_) => None,
        }
    }

    /// The panic payload.
    ///
    /// # Panics
    ///
    /// Panics, saying so, when the task was cancelled rather than panicked; check with
    /// [`is_panic`](Self::is_panic) or use [`try_into_panic`](Self::try_into_panic).
    pub fn into_panic(self) -> PanicPayload {
        match self.try_into_panic() {
            Ok(p) => p,
            Err(e) => panic!("JoinError::into_panic called on a task that did not panic: {e}"),
        }
    }

    /// The panic payload, or the error itself when the task was cancelled.
    ///
    /// # Errors
    ///
    /// Gives back `self` when the task was cancelled.
    pub fn try_into_panic(self) -> Result<PanicPayload, JoinError> {
        match self {
            JoinError::Panicked(p) => Ok(p),
            other => Err(other),
        }
    }
}

/// The message of a panic payload, when it is a `&str` or a `String` (what `panic!` with a
/// literal or a format string produces).
///
/// # Examples
///
/// ```
/// let p = std::panic::catch_unwind(|| panic!("code {}", 7)).unwrap_err();
/// assert_eq!(corio_core::panic_message(&*p), Some("code 7"));
/// ```
pub fn panic_message(p: &(dyn Any + Send)) -> Option<&str> {
    if let Some(s) = p.downcast_ref::<&'static str>() {
        Some(s)
    } else {
        p.downcast_ref::<String>().map(|s| s.as_str())
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Cancelled(c) => f.debug_tuple("Cancelled").field(c).finish(),
            JoinError::Panicked(p) => match panic_message(&**p) {
                Some(m) => f.debug_tuple("Panicked").field(&m).finish(),
                None => f
                    .debug_tuple("Panicked")
                    .field(&"<non-string payload>")
                    .finish(),
            },
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Cancelled(c) => match c.reason() {
                Some(r) => write!(f, "task was cancelled: {r}"),
                None => f.write_str("task was cancelled"),
            },
            JoinError::Panicked(p) => match panic_message(&**p) {
                Some(m) => write!(f, "task panicked: {m}"),
                None => f.write_str("task panicked"),
            },
        }
    }
}

impl std::error::Error for JoinError {}

impl From<Cancelled> for JoinError {
    fn from(c: Cancelled) -> Self {
        JoinError::Cancelled(c)
    }
}

impl From<JoinError> for std::io::Error {
    fn from(e: JoinError) -> Self {
        std::io::Error::other(e.to_string())
    }
}
