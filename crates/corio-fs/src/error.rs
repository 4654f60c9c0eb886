//! Errors that name the path: every `io::Error` this crate returns for a path operation
//! says which path (and which operation) failed, and keeps the original error's kind.

use std::error::Error;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The error inside an `io::Error` returned by a path operation: what was tried, on
/// which path, and the operating system's error.
///
/// The outer `io::Error` has the same [`io::ErrorKind`] as the original; reach this type
/// with [`io::Error::get_ref`] and `downcast_ref`, and the original (with its
/// `raw_os_error`) through [`Error::source`] or [`PathError::os_error`].
///
/// # Examples
///
/// ```
/// use corio_fs::PathError;
/// use std::io::ErrorKind;
///
/// let err = corio_executor::run(corio_fs::read("/no/such/file")).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::NotFound);
/// assert!(err.to_string().contains("/no/such/file"));
/// let inner = err.get_ref().unwrap().downcast_ref::<PathError>().unwrap();
/// assert_eq!(inner.path(), std::path::Path::new("/no/such/file"));
/// assert_eq!(inner.operation(), "read");
/// ```
#[derive(Debug)]
pub struct PathError {
    op: &'static str,
    path: PathBuf,
    target: Option<PathBuf>,
    source: io::Error,
}

impl PathError {
    /// The path the operation was given.
    ///
    /// # Examples
    ///
    /// See [`PathError`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The second path of a two-path operation (`copy`, `rename`, `hard_link`): where to.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_fs::PathError;
    /// let err = corio_executor::run(corio_fs::rename("/no/such/a", "/tmp/b")).unwrap_err();
    /// let inner = err.get_ref().unwrap().downcast_ref::<PathError>().unwrap();
    /// assert_eq!(inner.target(), Some(std::path::Path::new("/tmp/b")));
    /// assert!(err.to_string().starts_with("rename `/no/such/a` to `/tmp/b`: "));
    /// ```
    pub fn target(&self) -> Option<&Path> {
        self.target.as_deref()
    }

    /// The operation that failed (`"open"`, `"read"`, `"rename"`, ...).
    ///
    /// # Examples
    ///
    /// See [`PathError`].
    pub fn operation(&self) -> &'static str {
        self.op
    }

    /// The operating system's error, as std returned it.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_fs::PathError;
    /// let err = corio_executor::run(corio_fs::metadata("/no/such/file")).unwrap_err();
    /// let inner = err.get_ref().unwrap().downcast_ref::<PathError>().unwrap();
    /// assert_eq!(inner.os_error().raw_os_error(), Some(2)); // ENOENT
    /// ```
    pub fn os_error(&self) -> &io::Error {
        &self.source
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.op, self.path.display())?;
        if let Some(target) = &self.target {
            write!(f, " to `{}`", target.display())?;
        }
        write!(f, ": {}", self.source)
    }
}

impl Error for PathError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// Wraps `err` so that its message names `path`, keeping its kind. An error that already
/// names a path (it came through here) is returned as it is.
pub(crate) fn with_path(op: &'static str, path: &Path, err: io::Error) -> io::Error {
    if err.get_ref().is_some_and(|e| e.is::<PathError>()) {
        return err;
    }
    io::Error::new(
        err.kind(),
        PathError {
            op,
            path: path.to_owned(),
            target: None,
            source: err,
        },
    )
}

/// Wraps the error of an operation on two paths (`copy`, `rename`, links): the message
/// names both.
pub(crate) fn with_paths(op: &'static str, from: &Path, to: &Path, err: io::Error) -> io::Error {
    if err.get_ref().is_some_and(|e| e.is::<PathError>()) {
        return err;
    }
    io::Error::new(
        err.kind(),
        PathError {
            op,
            path: from.to_owned(),
            target: Some(to.to_owned()),
            source: err,
        },
    )
}
