//! [`SignalError`]: a signal that cannot be listened to.

use std::fmt;
use std::io;

use libc::c_int;

/// A signal that corio refuses to listen to: one that cannot be caught (SIGKILL,
/// SIGSTOP) or must not be (SIGSEGV, SIGILL, SIGFPE: the program's state is broken when
/// they arrive, and returning from their handler re-runs the faulting instruction), or a
/// number that is no signal at all.
///
/// It converts into an `io::Error` of kind `InvalidInput` (the `?` in a function that
/// returns `io::Result` does it).
///
/// # Examples
///
/// ```
/// use corio_signal::{SIGKILL, SignalError, Signals};
///
/// let err: SignalError = Signals::check(SIGKILL).unwrap_err();
/// assert!(err.is_forbidden());
/// assert_eq!(err.signal(), SIGKILL);
/// assert!(Signals::check(0).unwrap_err().is_invalid());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignalError {
    signal: c_int,
    forbidden: bool,
}

impl SignalError {
    pub(crate) fn forbidden(signal: c_int) -> SignalError {
        SignalError {
            signal,
            forbidden: true,
        }
    }

    pub(crate) fn invalid(signal: c_int) -> SignalError {
        SignalError {
            signal,
            forbidden: false,
        }
    }

    /// The signal number that was refused.
    ///
    /// # Examples
    ///
    /// See [`SignalError`].
    pub fn signal(&self) -> c_int {
        self.signal
    }

    /// Whether the signal exists but may not be listened to (SIGKILL, SIGSTOP, SIGSEGV,
    /// SIGILL, SIGFPE).
    ///
    /// # Examples
    ///
    /// See [`SignalError`].
    pub fn is_forbidden(&self) -> bool {
        self.forbidden
    }

    /// Whether the number is no signal (zero, negative, past the last real-time signal).
    ///
    /// # Examples
    ///
    /// See [`SignalError`].
    pub fn is_invalid(&self) -> bool {
        !self.forbidden
    }
}

impl fmt::Display for SignalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.forbidden {
            write!(
                f,
                "signal {} cannot be listened to (SIGKILL, SIGSTOP, SIGSEGV, SIGILL and SIGFPE are refused)",
                self.signal
            )
        } else {
            write!(f, "{} is not a signal number", self.signal)
        }
    }
}

impl std::error::Error for SignalError {}

impl From<SignalError> for io::Error {
    fn from(e: SignalError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, e)
    }
}
