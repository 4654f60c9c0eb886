//! Why this lives in core: corio-combinators' `TaskGroup` and corio-net's `start_server`
//! spawn children onto whichever executor is running them, without depending on the
//! executor crate.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::JoinError;

/// A boxed future that may move between threads.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A boxed future that stays on the thread that made it.
pub type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T> + 'static>>;

/// Something that can spawn tasks: implemented by corio's executors and installed in the
/// thread-local [`context`](crate::context) while they run.
///
/// # Examples
///
/// A toy spawner that runs each future to completion inline (real executors queue it):
///
/// ```
/// use corio_core::{BoxFuture, JoinError, LocalBoxFuture, Spawn, SpawnError, SpawnedTask, TaskControl};
/// use std::pin::Pin;
/// use std::task::{Context, Poll};
///
/// struct Done;
/// impl TaskControl for Done {
///     fn abort(&self) {}
///     fn is_finished(&self) -> bool { true }
///     fn poll_join(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), JoinError>> {
///         Poll::Ready(Ok(()))
///     }
/// }
///
/// struct Inline;
/// impl Spawn for Inline {
///     fn spawn_boxed(&self, fut: BoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
///         self.spawn_local_boxed(fut)
///     }
///     fn spawn_local_boxed(&self, fut: LocalBoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
///         futures::executor::block_on(fut);
///         Ok(SpawnedTask::new(Done))
///     }
/// }
///
/// let t = Inline.spawn_boxed(Box::pin(async {})).unwrap();
/// assert!(t.is_finished());
/// ```
pub trait Spawn {
    /// Spawns a `Send` future; the task may run on any of the executor's threads.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when the executor is shutting down.
    fn spawn_boxed(&self, future: BoxFuture<()>) -> Result<SpawnedTask, SpawnError>;

    /// Spawns a future that must stay on the current thread.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when the executor is shutting down or cannot run `!Send` futures on
    /// this thread.
    fn spawn_local_boxed(&self, future: LocalBoxFuture<()>) -> Result<SpawnedTask, SpawnError>;

    /// [`spawn_local_boxed`](Self::spawn_local_boxed), detaching the task at once: for
    /// callers that track the task's end themselves (the default
    /// [`spawn_local_shared`](Self::spawn_local_shared)).
    /// Why a method of its own: a [`SpawnedTask`] is a boxed handle, an allocation per
    /// spawn that such a caller would only drop; executors override this to skip it.
    ///
    /// # Errors
    ///
    /// As [`spawn_local_boxed`](Self::spawn_local_boxed).
    fn spawn_local_detached(&self, future: LocalBoxFuture<()>) -> Result<(), SpawnError> {
        self.spawn_local_boxed(future).map(drop)
    }

    /// Spawns a [`SharedTask`] on the current thread, detached.
    ///
    /// Why: the task's body is an `Rc` that its spawner keeps a clone of; an executor that
    /// overrides this stores the [`SharedTask`] in its own task, where the default boxes
    /// it into a [`LocalBoxFuture`] first (an allocation per spawn).
    ///
    /// # Errors
    ///
    /// As [`spawn_local_boxed`](Self::spawn_local_boxed).
    fn spawn_local_shared(&self, task: SharedTask) -> Result<(), SpawnError> {
        self.spawn_local_detached(Box::pin(task))
    }
}

/// The body of a task that its spawner shares with the executor (through an `Rc`): the
/// spawner can reach the task's state, and drop what it owns, while the executor runs it.
/// corio-combinators' `TaskGroup` children are such tasks.
///
/// # Examples
///
/// See [`SharedTask`].
pub trait LocalTask {
    /// Polls the task: `Ready` ends it.
    fn poll_task(&self, cx: &mut Context<'_>) -> Poll<()>;

    /// The executor dropped the task: after it returned `Ready`, or before (the
    /// executor shut down, or the task was aborted from outside).
    fn task_dropped(&self);
}

/// The future an executor runs for a [`LocalTask`]: polls it, and tells it when it is
/// dropped. Spawn it with [`Spawn::spawn_local_shared`]
/// ([`context::spawn_local_shared`](crate::context::spawn_local_shared)).
///
/// # Examples
///
/// ```
/// use corio_core::{LocalTask, SharedTask};
/// use std::cell::Cell;
/// use std::future::Future;
/// use std::rc::Rc;
/// use std::task::{Context, Poll};
///
/// #[derive(Default)]
/// struct Count {
///     polls: Cell<u32>,
///     dropped: Cell<bool>,
/// }
/// impl LocalTask for Count {
///     fn poll_task(&self, _: &mut Context<'_>) -> Poll<()> {
///         self.polls.set(self.polls.get() + 1);
///         Poll::Ready(())
///     }
///     fn task_dropped(&self) {
///         self.dropped.set(true);
///     }
/// }
///
/// let count = Rc::new(Count::default());
/// let task = SharedTask::new(count.clone());
/// futures::executor::block_on(task);
/// assert_eq!(count.polls.get(), 1);
/// assert!(count.dropped.get());
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct SharedTask(Rc<dyn LocalTask>);

impl SharedTask {
    /// Wraps the task's body.
    pub fn new(task: Rc<dyn LocalTask>) -> Self {
        SharedTask(task)
    }
}

impl Future for SharedTask {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.poll_task(cx)
    }
}

impl Drop for SharedTask {
    fn drop(&mut self) {
        self.0.task_dropped();
    }
}

impl fmt::Debug for SharedTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedTask").finish_non_exhaustive()
    }
}

/// The control surface of a spawned task, as a [`Spawn`] implementation provides it.
///
/// Implementors: corio's `Task<()>`; users normally see it only through [`SpawnedTask`].
///
/// # Examples
///
/// See [`Spawn`].
pub trait TaskControl {
    /// Asks the task to stop: its future is dropped at its current await point the next
    /// time the executor gets to it. Does not wait.
    fn abort(&self);

    /// Whether the task has finished (completed, panicked or been cancelled).
    fn is_finished(&self) -> bool;

    /// Polls for the task's end.
    fn poll_join(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), JoinError>>;
}

/// A task spawned through [`Spawn`]: await it for its end; dropping it detaches the task.
///
/// # Examples
///
/// See [`Spawn`].
#[must_use = "a SpawnedTask does nothing unless awaited; dropping it detaches the task"]
pub struct SpawnedTask(Pin<Box<dyn TaskControl + Send>>);

impl SpawnedTask {
    /// Wraps an executor's task handle.
    pub fn new<T: TaskControl + Send + 'static>(task: T) -> Self {
        SpawnedTask(Box::pin(task))
    }

    /// Asks the task to stop (see [`TaskControl::abort`]).
    pub fn abort(&self) {
        self.0.abort()
    }

    /// Whether the task has finished.
    pub fn is_finished(&self) -> bool {
        self.0.is_finished()
    }
}

impl Future for SpawnedTask {
    type Output = Result<(), JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll_join(cx)
    }
}

impl fmt::Debug for SpawnedTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpawnedTask")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Spawning failed.
///
/// # Examples
///
/// ```
/// let err = corio_core::SpawnError::no_executor();
/// assert!(err.to_string().contains("no corio executor"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpawnError {
    kind: SpawnErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SpawnErrorKind {
    NoExecutor,
    Shutdown,
    NotLocal,
}

impl SpawnError {
    /// No executor is running on this thread.
    pub fn no_executor() -> Self {
        SpawnError {
            kind: SpawnErrorKind::NoExecutor,
        }
    }

    /// The executor is shutting down and accepts no new tasks.
    pub fn shutdown() -> Self {
        SpawnError {
            kind: SpawnErrorKind::Shutdown,
        }
    }

    /// The executor cannot run a `!Send` future on this thread.
    pub fn not_local() -> Self {
        SpawnError {
            kind: SpawnErrorKind::NotLocal,
        }
    }

    /// Whether the executor refused because it is shutting down.
    pub fn is_shutdown(&self) -> bool {
        self.kind == SpawnErrorKind::Shutdown
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            SpawnErrorKind::NoExecutor => "no corio executor is running on this thread",
            SpawnErrorKind::Shutdown => "the executor is shutting down and accepts no new tasks",
            SpawnErrorKind::NotLocal => "this executor cannot run !Send futures on this thread",
        })
    }
}

impl std::error::Error for SpawnError {}

/// Something that can ask a task to stop: the one hook combinators need to cancel a task
/// they were handed, whatever executor spawned it. Implemented by corio's `Task<T>`,
/// `AbortHandle` and `CancelOnDrop<T>`, and by [`SpawnedTask`].
///
/// # Examples
///
/// ```
/// use corio_core::Abort;
/// use std::sync::atomic::{AtomicBool, Ordering};
///
/// struct Flag(AtomicBool);
/// impl Abort for Flag {
///     fn abort(&self) { self.0.store(true, Ordering::SeqCst) }
/// }
///
/// let f = Flag(AtomicBool::new(false));
/// Abort::abort(&f);
/// assert!(f.0.load(Ordering::SeqCst));
/// ```
pub trait Abort {
    /// Asks the task to stop: its future is dropped at its current await point the next
    /// time its executor gets to it. Does not wait; idempotent.
    fn abort(&self);
}

impl Abort for SpawnedTask {
    fn abort(&self) {
        self.0.abort()
    }
}
