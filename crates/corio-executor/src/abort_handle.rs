//! [`AbortHandle`]: a cloneable, cancel-only handle to a task.

use std::fmt;
use std::ptr::NonNull;
use std::task::Waker;

use corio_core::Cancelled;

use crate::meta::{TaskId, TaskMeta, TaskStatus};

/// A handle that can cancel a task and ask whether it finished, and nothing else: it
/// cannot await the task or take its result. Cheap to clone, `Send` and `Sync` whatever the
/// task's output, so it can be handed to whoever may need to stop the task (a supervisor,
/// a signal handler, a timeout on another thread) while the [`Task`](crate::Task) handle
/// stays with whoever awaits the result. tokio calls it the same.
///
/// Dropping it does nothing to the task.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let task = corio_executor::spawn(std::future::pending::<()>());
///     let stop = task.abort_handle();
///     let other = stop.clone();
///     assert_eq!(other.id(), task.id());
///     std::thread::spawn(move || other.abort()).join().unwrap();
///     assert!(task.await.unwrap_err().is_cancelled());
///     assert!(stop.is_finished());
/// });
/// ```
pub struct AbortHandle {
    /// Keeps the task's allocation (and so its metadata) alive: async-task frees a task
    /// only once every waker, the runnable and the handle are gone.
    waker: Waker,
    meta: NonNull<TaskMeta>,
}

// SAFETY: `meta` points into the task's allocation, which `waker` keeps alive for as long
// as this handle exists; `TaskMeta` is `Sync` (its state is atomic, its extras set once),
// and the handle only calls its `&self` methods, which are safe from any thread (the same
// ones a `Task` handle of a `Send` output calls from any thread). `Waker` is `Send + Sync`.
unsafe impl Send for AbortHandle {}
// SAFETY: as above: only shared access to `TaskMeta`, which is `Sync`.
unsafe impl Sync for AbortHandle {}

impl AbortHandle {
    pub(crate) fn new(meta: &TaskMeta, waker: Waker) -> Self {
        AbortHandle {
            waker,
            meta: NonNull::from(meta),
        }
    }

    fn meta(&self) -> &TaskMeta {
        // SAFETY: see the `Send` impl: the allocation outlives `self` through `waker`.
        unsafe { self.meta.as_ref() }
    }

    /// Asks the task to stop, as [`Task::abort`](crate::Task::abort) does: its future is
    /// dropped at its current await point the next time its loop gets to it, and the
    /// [`Task`](crate::Task) handle then gives `Err(JoinError::Cancelled)`. If the task
    /// finishes first, its result is kept (D1). Idempotent.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let task = corio_executor::spawn(std::future::pending::<()>());
    ///     task.abort_handle().abort();
    ///     assert!(task.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        self.meta().request_cancel(Cancelled::new());
        self.waker.wake_by_ref();
    }

    /// Whether the task has ended (completed, cancelled or panicked).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let task = corio_executor::spawn(async {});
    ///     let h = task.abort_handle();
    ///     assert!(!h.is_finished());
    ///     task.await.unwrap();
    ///     assert!(h.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.meta().status().is_some()
    }

    /// How the task ended, or `None` while it runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_executor::TaskStatus;
    /// corio_executor::run(async {
    ///     let task = corio_executor::spawn(std::future::pending::<()>());
    ///     let h = task.abort_handle();
    ///     h.abort();
    ///     let _ = task.await;
    ///     assert_eq!(h.status(), Some(TaskStatus::Cancelled));
    /// });
    /// ```
    pub fn status(&self) -> Option<TaskStatus> {
        self.meta().status()
    }

    /// The task's id.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let task = corio_executor::spawn(async {});
    ///     assert_eq!(task.abort_handle().id(), task.id());
    /// # task.await.unwrap();
    /// });
    /// ```
    pub fn id(&self) -> TaskId {
        self.meta().id
    }
}

impl corio_core::Abort for AbortHandle {
    fn abort(&self) {
        AbortHandle::abort(self)
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> Self {
        AbortHandle {
            waker: self.waker.clone(),
            meta: self.meta,
        }
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .field("status", &self.status())
            .finish()
    }
}
