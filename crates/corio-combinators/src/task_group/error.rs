//! How a task group and its children fail: the group's error, its failures, and the
//! errors of spawning into a group and of awaiting a child.

use std::fmt;

use corio_core::{PanicPayload, SpawnError};

/// How a group child ended, when not with a value: what its [`GroupTask`](crate::GroupTask) resolves to.
///
/// # Examples
///
/// ```
/// assert_eq!(corio_combinators::GroupTaskError::Failed.to_string(),
///            "the child failed; its error is in the group's TaskGroupError");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GroupTaskError {
    /// The child returned `Err`; the error is in the group's [`TaskGroupError`].
    Failed,
    /// The child panicked; the payload is in the group's [`TaskGroupError`].
    Panicked,
    /// The child was cancelled: aborted by its handle, by a sibling's failure, or because
    /// the group's future was dropped.
    Cancelled,
}

impl fmt::Display for GroupTaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GroupTaskError::Failed => {
                "the child failed; its error is in the group's TaskGroupError"
            }
            GroupTaskError::Panicked => {
                "the child panicked; the payload is in the group's TaskGroupError"
            }
            GroupTaskError::Cancelled => "the child was cancelled",
        })
    }
}

impl std::error::Error for GroupTaskError {}

/// Spawning into a [`TaskGroup`](crate::TaskGroup) failed.
///
/// # Examples
///
/// See [`TaskGroup::spawn`](crate::TaskGroup::spawn).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GroupSpawnError {
    /// The group is cancelling after a failure, or has finished.
    Closed,
    /// The executor refused the task.
    Spawn(SpawnError),
}

impl fmt::Display for GroupSpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupSpawnError::Closed => {
                f.write_str("the task group is shutting down or finished and takes no new tasks")
            }
            GroupSpawnError::Spawn(e) => write!(f, "cannot spawn a task group child: {e}"),
        }
    }
}

impl std::error::Error for GroupSpawnError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GroupSpawnError::Spawn(e) => Some(e),
            GroupSpawnError::Closed => None,
        }
    }
}

/// Where a [`Failure`] of a task group came from.
///
/// # Examples
///
/// ```
/// use corio_combinators::FailureSource;
/// assert_ne!(FailureSource::Body, FailureSource::Child(0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureSource {
    /// The group's body (the closure given to [`task_group`](crate::task_group)).
    Body,
    /// The child with this [`GroupTask::id`](crate::GroupTask::id) (spawn order).
    Child(usize),
}

/// What went wrong in one [`Failure`].
///
/// # Examples
///
/// ```
/// use corio_combinators::FailureKind;
/// let k: FailureKind<&str> = FailureKind::Error("bad");
/// assert!(matches!(k, FailureKind::Error("bad")));
/// ```
pub enum FailureKind<E> {
    /// An `Err` returned by the body or a child.
    Error(E),
    /// A panic; the payload can be given to [`std::panic::resume_unwind`].
    Panicked(PanicPayload),
}

impl<E: fmt::Debug> fmt::Debug for FailureKind<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureKind::Error(e) => f.debug_tuple("Error").field(e).finish(),
            FailureKind::Panicked(p) => f
                .debug_tuple("Panicked")
                .field(&corio_core::panic_message(&**p).unwrap_or("<non-string payload>"))
                .finish(),
        }
    }
}

/// One failure in a [`TaskGroupError`]: where it came from and what it was.
///
/// # Examples
///
/// ```
/// use corio_combinators::{FailureKind, FailureSource, task_group};
/// corio_executor::run(async {
///     let err = task_group(|_tg| async { Err::<(), _>(7) }).await.unwrap_err();
///     let f = &err.failures()[0];
///     assert_eq!(f.source(), FailureSource::Body);
///     assert_eq!(f.error(), Some(&7));
/// });
/// ```
pub struct Failure<E> {
    source: FailureSource,
    kind: FailureKind<E>,
}

impl<E> Failure<E> {
    pub(super) fn new(source: FailureSource, kind: FailureKind<E>) -> Self {
        Failure { source, kind }
    }

    /// Where it came from.
    ///
    /// # Examples
    ///
    /// See [`Failure`].
    pub fn source(&self) -> FailureSource {
        self.source
    }

    /// What it was.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::{FailureKind, task_group};
    /// corio_executor::run(async {
    ///     let err = task_group(|_tg| async { Err::<(), _>(7) }).await.unwrap_err();
    ///     assert!(matches!(err.failures()[0].kind(), FailureKind::Error(7)));
    /// });
    /// ```
    pub fn kind(&self) -> &FailureKind<E> {
        &self.kind
    }

    /// The error, if it was an `Err` rather than a panic.
    ///
    /// # Examples
    ///
    /// See [`Failure`].
    pub fn error(&self) -> Option<&E> {
        match &self.kind {
            FailureKind::Error(e) => Some(e),
            FailureKind::Panicked(_) => None,
        }
    }

    /// Whether it was a panic.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::task_group;
    /// corio_executor::run(async {
    ///     let err = task_group(|_tg| async { panic!("boom"); #[allow(unreachable_code)] Ok::<(), ()>(()) })
    ///         .await
    ///         .unwrap_err();
    ///     assert!(err.failures()[0].is_panic());
    /// });
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.kind, FailureKind::Panicked(_))
    }

    /// Splits it into its parts.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::{FailureKind, FailureSource, task_group};
    /// corio_executor::run(async {
    ///     let err = task_group(|_tg| async { Err::<(), _>(7) }).await.unwrap_err();
    ///     let (src, kind) = err.into_failures().pop().unwrap().into_parts();
    ///     assert_eq!(src, FailureSource::Body);
    ///     assert!(matches!(kind, FailureKind::Error(7)));
    /// });
    /// ```
    pub fn into_parts(self) -> (FailureSource, FailureKind<E>) {
        (self.source, self.kind)
    }
}

impl<E: fmt::Debug> fmt::Debug for Failure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("source", &self.source)
            .field("kind", &self.kind)
            .finish()
    }
}

/// Every failure of a task group (asyncio's `ExceptionGroup`), in the order they happened:
/// children's errors and panics and the body's own error.
///
/// Nested groups nest naturally: an inner group's `TaskGroupError<E>` becomes an error of
/// the outer group when the body (or a child) returns it, mapped into the outer error type.
///
/// # Examples
///
/// ```
/// use corio_combinators::task_group;
///
/// corio_executor::run(async {
///     let err = task_group(|tg| async move {
///         tg.spawn(async { Err::<(), _>("child") }).unwrap();
///         corio_executor::yield_now().await;
///         Err::<(), _>("body")
///     })
///     .await
///     .unwrap_err();
///     // The child failed first. The body had already been woken in that turn, so it ran
///     // that step before its cancellation took effect, and its error is reported too.
///     assert_eq!(err.errors().copied().collect::<Vec<_>>(), vec!["child", "body"]);
///     assert_eq!(err.len(), 2);
/// });
/// ```
pub struct TaskGroupError<E> {
    failures: Vec<Failure<E>>,
}

impl<E> TaskGroupError<E> {
    pub(super) fn new(failures: Vec<Failure<E>>) -> Self {
        TaskGroupError { failures }
    }

    /// Every failure, in the order they happened.
    ///
    /// # Examples
    ///
    /// See [`Failure`].
    pub fn failures(&self) -> &[Failure<E>] {
        &self.failures
    }

    /// Every failure, by value.
    ///
    /// # Examples
    ///
    /// See [`Failure::into_parts`].
    pub fn into_failures(self) -> Vec<Failure<E>> {
        self.failures
    }

    /// The errors (not the panics), in order.
    ///
    /// # Examples
    ///
    /// See [`TaskGroupError`].
    pub fn errors(&self) -> impl Iterator<Item = &E> {
        self.failures.iter().filter_map(Failure::error)
    }

    /// How many failures there were (at least one).
    ///
    /// # Examples
    ///
    /// See [`TaskGroupError`].
    pub fn len(&self) -> usize {
        self.failures.len()
    }

    /// Always false: a group error holds at least one failure.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let err = corio_combinators::task_group(|_tg| async { Err::<(), _>(1) }).await.unwrap_err();
    ///     assert!(!err.is_empty());
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty()
    }

    /// Whether any failure was a panic.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let err = corio_combinators::task_group(|_tg| async { Err::<(), _>(1) }).await.unwrap_err();
    ///     assert!(!err.has_panic());
    /// });
    /// ```
    pub fn has_panic(&self) -> bool {
        self.failures.iter().any(Failure::is_panic)
    }

    /// Resumes unwinding with the first panic's payload, if any failure was a panic
    /// (design decision 7: a panicking child need not be swallowed); otherwise gives the
    /// error back.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::task_group;
    /// corio_executor::run(async {
    ///     let err = task_group(|tg| async move {
    ///         tg.spawn(async { panic!("child panicked"); #[allow(unreachable_code)] Ok(()) }).unwrap();
    ///         Ok::<(), ()>(())
    ///     })
    ///     .await
    ///     .unwrap_err();
    ///     let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| err.resume_panic()));
    ///     let payload = caught.err().unwrap();
    ///     assert_eq!(corio_core::panic_message(&*payload), Some("child panicked"));
    /// });
    /// ```
    pub fn resume_panic(self) -> Self {
        let mut failures = self.failures;
        if let Some(i) = failures.iter().position(Failure::is_panic) {
            if let FailureKind::Panicked(p) = failures.swap_remove(i).kind {
                std::panic::resume_unwind(p);
            }
        }
        TaskGroupError { failures }
    }
}

impl<E: fmt::Debug> fmt::Debug for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroupError")
            .field("failures", &self.failures)
            .finish()
    }
}

impl<E: fmt::Display> fmt::Display for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task group failed ({} failure", self.failures.len())?;
        if self.failures.len() != 1 {
            f.write_str("s")?;
        }
        f.write_str(")")?;
        for (i, fl) in self.failures.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            match fl.source {
                FailureSource::Body => f.write_str("body: ")?,
                FailureSource::Child(id) => write!(f, "child {id}: ")?,
            }
            match &fl.kind {
                FailureKind::Error(e) => write!(f, "{e}")?,
                FailureKind::Panicked(p) => write!(
                    f,
                    "panicked: {}",
                    corio_core::panic_message(&**p).unwrap_or("<non-string payload>")
                )?,
            }
        }
        Ok(())
    }
}

impl<E: std::error::Error> std::error::Error for TaskGroupError<E> {}
