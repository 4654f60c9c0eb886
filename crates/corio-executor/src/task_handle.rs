//! The [`Task`] handle: awaiting a task's result, cancelling it, and asking about it.

use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use corio_core::{Cancelled, JoinError, TaskControl};

use crate::meta::{TaskId, TaskMeta, TaskStatus};

use crate::wrapper::Outcome;

type RawTask<T> = async_task::Task<Outcome<T>, TaskMeta>;

/// A handle to a spawned task (asyncio's `Task`): await it for the task's result.
///
/// `task.await` gives `Ok(value)`, or a [`JoinError`] that says whether the task was
/// cancelled (with the reason given) or panicked (with the payload). A panic inside a task
/// never takes the loop down.
///
/// **Dropping a `Task` detaches it: the task keeps running.** asyncio users expect a task
/// to run whether or not anyone holds it, and corio never cancels work silently. Cancel
/// explicitly with [`cancel`](Self::cancel) (waits until the task has unwound) or
/// [`abort`](Self::abort) (does not wait).
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let task = corio_executor::spawn(async { 6 * 7 });
///     assert_eq!(task.await.unwrap(), 42);
///
///     let mut sleeper = corio_executor::spawn(std::future::pending::<()>());
///     assert!(sleeper.cancel_with("not needed").await); // it was cancelled
///     let err = sleeper.await.unwrap_err();
///     assert_eq!(err.cancelled().unwrap().reason(), Some("not needed"));
/// });
/// ```
#[must_use = "a Task does nothing when dropped but detach; await it, or call .detach() to say so"]
pub struct Task<T> {
    // One pointer, like the handles of tokio and async-task: everything else a handle
    // needs (the task's waker, to cancel it; the call graph's record of a wait on it) is
    // in the task's metadata. A program that keeps 10 000 handles in a `Vec` keeps 80 KB:
    // at the 320 KB that four-word handles took, glibc's malloc mapped the `Vec` apart,
    // then returned the heap's top to the kernel every round of a spawn-and-join loop,
    // which paid for it again in page faults.
    // `ManuallyDrop`, taken out only in `drop`: an `Option` here would make
    // `Option<Task<T>>` two words.
    raw: ManuallyDrop<RawTask<T>>,
}

impl<T> Task<T> {
    /// `waker` is a waker of the task, recorded in its metadata for [`abort`](Self::abort).
    pub(crate) fn new(raw: RawTask<T>, waker: Waker) -> Self {
        raw.metadata().set_waker(&waker);
        Self::registered(raw)
    }

    /// For a task whose waker its metadata has recorded already (the local loop's
    /// registry at spawn; the multi-thread executor's spawn, before the first poll
    /// registers the task).
    pub(crate) fn registered(raw: RawTask<T>) -> Self {
        Task {
            raw: ManuallyDrop::new(raw),
        }
    }

    fn meta(&self) -> &TaskMeta {
        self.raw.metadata()
    }

    /// The task's id.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let a = corio_executor::spawn(async {});
    ///     let b = corio_executor::spawn(async {});
    ///     assert_ne!(a.id(), b.id());
    /// # a.await.unwrap(); b.await.unwrap();
    /// });
    /// ```
    pub fn id(&self) -> TaskId {
        self.meta().id
    }

    /// The task's name, if it was spawned with one (see [`task::Builder`](crate::task::Builder)).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let t = corio_executor::task::Builder::new().name("fetcher").spawn(async {});
    ///     assert_eq!(t.name(), Some("fetcher"));
    /// # t.await.unwrap();
    /// });
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.meta().name()
    }

    /// Where the task was spawned (the caller of `spawn`).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let t = corio_executor::spawn(async {});
    ///     assert_eq!(t.location().line(), line!() - 1);
    /// # t.await.unwrap();
    /// });
    /// ```
    pub fn location(&self) -> &'static Location<'static> {
        self.meta().location
    }

    /// Whether the task has finished: completed, panicked or been cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let t = corio_executor::spawn(async {});
    ///     assert!(!t.is_finished()); // spawned, not yet run
    ///     corio_executor::yield_now().await;
    ///     assert!(t.is_finished());
    /// # t.await.unwrap();
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        // The status is set before the result can leave the task.
        self.meta().status().is_some()
    }

    /// How the task ended, or `None` while it runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_executor::TaskStatus;
    /// corio_executor::run(async {
    ///     let t = corio_executor::spawn(async {});
    ///     corio_executor::yield_now().await;
    ///     assert_eq!(t.status(), Some(TaskStatus::Completed));
    /// # t.await.unwrap();
    /// });
    /// ```
    pub fn status(&self) -> Option<TaskStatus> {
        self.meta().status()
    }

    /// A cloneable, cancel-only handle to this task, for whoever may need to stop it
    /// while this handle stays with whoever awaits the result.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let task = corio_executor::spawn(std::future::pending::<()>());
    ///     let stop = task.abort_handle();
    ///     corio_executor::spawn(async move { stop.abort() }).detach();
    ///     assert!(task.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_handle(&self) -> crate::abort_handle::AbortHandle {
        let waker = self
            .meta()
            .waker()
            .expect("a task with a handle has its waker");
        crate::abort_handle::AbortHandle::new(self.meta(), waker)
    }

    /// Asks the task to stop, without waiting: its future is dropped at its current await
    /// point the next time the loop gets to it, and awaiting the handle then gives
    /// `Err(JoinError::Cancelled)`. If the task finishes first, its result is kept.
    /// Calling it again, or after the task finished, changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let t = corio_executor::spawn(std::future::pending::<()>());
    ///     t.abort();
    ///     assert!(t.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        self.request(Cancelled::new());
    }

    fn request(&self, reason: Cancelled) {
        self.meta().request_cancel(reason);
        self.meta().wake();
    }

    /// Cancels the task and waits until it has unwound (its future dropped, destructors
    /// run). Resolves to `true` if the task ended cancelled, `false` if it had already
    /// finished, in which case its result is kept: await the handle to get it.
    ///
    /// The request is made when `cancel` is called, even if the returned future is never
    /// awaited.
    ///
    /// # Cancel safety
    ///
    /// Dropping the returned future stops the waiting, not the cancellation.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut done = corio_executor::spawn(async { 5 });
    ///     corio_executor::yield_now().await; // let it finish
    ///     assert!(!done.cancel().await);     // too late: the result is kept
    ///     assert_eq!(done.await.unwrap(), 5);
    /// });
    /// ```
    pub fn cancel(&mut self) -> Cancel<'_, T> {
        self.cancel_with_reason(Cancelled::new())
    }

    /// [`cancel`](Self::cancel) with a reason, which reaches whoever awaits the task in its
    /// [`JoinError::Cancelled`] (asyncio's `Task.cancel(msg)`).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut t = corio_executor::spawn(std::future::pending::<()>());
    ///     assert!(t.cancel_with("shutting down").await);
    ///     let e = t.await.unwrap_err();
    ///     assert_eq!(e.to_string(), "task was cancelled: shutting down");
    /// });
    /// ```
    pub fn cancel_with(&mut self, reason: impl Into<std::sync::Arc<str>>) -> Cancel<'_, T> {
        self.cancel_with_reason(Cancelled::with_reason(reason))
    }

    fn cancel_with_reason(&mut self, reason: Cancelled) -> Cancel<'_, T> {
        let was_done = self.is_finished();
        if !was_done {
            self.request(reason);
        }
        Cancel {
            task: self,
            was_done,
            registered: None,
        }
    }

    /// Runs `callback` when the task finishes (asyncio's `add_done_callback`), with how it
    /// ended. If it has already finished, `callback` runs now, on this thread; otherwise
    /// it runs on the loop's thread as the task ends. A panicking callback is caught and
    /// reported on stderr; the task's result is unaffected.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use corio_executor::TaskStatus;
    /// corio_executor::run(async {
    ///     let seen = Arc::new(Mutex::new(None));
    ///     let s = seen.clone();
    ///     let t = corio_executor::spawn(async { 1 });
    ///     t.on_done(move |status| *s.lock().unwrap() = Some(status));
    ///     t.await.unwrap();
    ///     assert_eq!(*seen.lock().unwrap(), Some(TaskStatus::Completed));
    /// });
    /// ```
    pub fn on_done(&self, callback: impl FnOnce(TaskStatus) + Send + 'static) {
        self.meta().on_done(Box::new(callback));
    }

    /// Waits for the task on a plain (non-loop) thread, blocking it, and returns the
    /// result: how a thread that submitted work with [`Handle::spawn`](crate::Handle::spawn)
    /// collects it.
    ///
    /// # Panics
    ///
    /// When called on a thread that runs a corio loop or worker: that would block the loop
    /// (and deadlock if the task needs this thread). `.await` the task there instead.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::multi_thread().workers(1).build();
    /// let t = ex.spawn(async { "done" });
    /// assert_eq!(t.join_blocking().unwrap(), "done");
    /// ```
    #[track_caller]
    pub fn join_blocking(self) -> Result<T, JoinError> {
        crate::block_on_thread::block_on_thread("Task::join_blocking", self)
    }

    /// Makes dropping the handle cancel the task (decision D2): for giving a task to
    /// a combinator that drops what it no longer needs (`wait_for`, `race`, `try_gather`),
    /// when that should cancel the task rather than detach it.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let t = corio_executor::spawn(std::future::pending::<()>()).cancel_on_drop();
    ///     let id = t.id();
    ///     drop(t); // aborts the task
    ///     corio_executor::yield_now().await;
    ///     assert!(corio_executor::all_tasks().iter().all(|s| s.id() != id));
    /// });
    /// ```
    pub fn cancel_on_drop(self) -> CancelOnDrop<T> {
        CancelOnDrop { task: Some(self) }
    }

    /// Lets the task run on with nobody holding it: what dropping the handle does, said
    /// out loud.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     corio_executor::spawn(async { println!("in the background") }).detach();
    /// });
    /// ```
    pub fn detach(self) {
        drop(self)
    }
}

// The handle never pins its result: `T` is only moved out, so the handle can be `Unpin`
// whatever `T` is.
impl<T> Unpin for Task<T> {}

impl<T> Future for Task<T> {
    type Output = Result<T, JoinError>;

    /// # Panics
    ///
    /// When polled again after it returned the task's result.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        // Polled again after the result left, async-task panics ("Task polled after
        // completion").
        let raw = &mut *this.raw;
        match Pin::new(raw).poll(cx) {
            Poll::Ready(outcome) => {
                this.meta().handle_wait_done();
                Poll::Ready(outcome.take())
            }
            Poll::Pending => {
                if corio_core::callgraph::enabled() {
                    let id = this.id().as_u64();
                    this.meta().with_handle_wait(|w| {
                        w.pending(|| corio_core::callgraph::WaitOn::new("Task").on_task(id))
                    });
                }
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        // SAFETY: `raw` is taken out here only, and `self` is not used again.
        let raw = unsafe { ManuallyDrop::take(&mut self.raw) };
        raw.metadata().handle_wait_done();
        raw.detach();
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let meta = self.meta();
        f.debug_struct("Task")
            .field("id", &meta.id)
            .field("name", &meta.name())
            .field("location", &meta.location)
            .field("status", &meta.status())
            .finish()
    }
}

impl<T> corio_core::Abort for Task<T> {
    fn abort(&self) {
        Task::abort(self)
    }
}

impl<T> corio_core::Abort for CancelOnDrop<T> {
    fn abort(&self) {
        if let Some(t) = &self.task {
            t.abort();
        }
    }
}

impl TaskControl for Task<()> {
    fn abort(&self) {
        Task::abort(self)
    }

    fn is_finished(&self) -> bool {
        Task::is_finished(self)
    }

    fn poll_join(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), JoinError>> {
        self.poll(cx)
    }
}

/// The future of [`Task::cancel`]: resolves once the task has unwound.
///
/// # Examples
///
/// See [`Task::cancel`].
#[must_use = "the cancellation is requested already; await this to wait until the task has unwound"]
pub struct Cancel<'a, T> {
    task: &'a mut Task<T>,
    was_done: bool,
    // The waker the task's done-callback wakes, once registered.
    registered: Option<Waker>,
}

impl<T> Future for Cancel<'_, T> {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        // Finished before the request: nothing to wait for.
        if self.was_done {
            return Poll::Ready(false);
        }
        // The status is set once the future has been dropped (its destructors run), and
        // the result stays in the task for the handle.
        if let Some(status) = self.task.meta().status() {
            return Poll::Ready(status == TaskStatus::Cancelled);
        }
        let stale = self
            .registered
            .as_ref()
            .is_none_or(|w| !w.will_wake(cx.waker()));
        if stale {
            let waker = cx.waker().clone();
            self.registered = Some(waker.clone());
            // Runs at once if the task finished since the check above.
            self.task.on_done(move |_| waker.wake());
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for Cancel<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancel")
            .field("task", &self.task.id())
            .finish()
    }
}

/// A [`Task`] handle whose drop cancels the task: see [`Task::cancel_on_drop`]. Await it
/// like the task itself.
///
/// # Examples
///
/// See [`Task::cancel_on_drop`].
#[must_use = "dropping a CancelOnDrop cancels its task"]
pub struct CancelOnDrop<T> {
    task: Option<Task<T>>,
}

impl<T> CancelOnDrop<T> {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.task.as_ref().expect("present until dropped").id()
    }

    /// Whether the task has finished.
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_some_and(|t| t.is_finished())
    }

    /// Back to a plain handle, whose drop detaches.
    pub fn into_inner(mut self) -> Task<T> {
        self.task.take().expect("present until dropped")
    }
}

impl<T> Future for CancelOnDrop<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let task = self.task.as_mut().expect("present until dropped");
        Pin::new(task).poll(cx)
    }
}

impl<T> Drop for CancelOnDrop<T> {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            if !t.is_finished() {
                t.abort();
            }
        }
    }
}

impl<T> fmt::Debug for CancelOnDrop<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelOnDrop")
            .field("task", &self.task)
            .finish()
    }
}

impl TaskControl for CancelOnDrop<()> {
    fn abort(&self) {
        if let Some(t) = &self.task {
            t.abort();
        }
    }

    fn is_finished(&self) -> bool {
        CancelOnDrop::is_finished(self)
    }

    fn poll_join(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), JoinError>> {
        self.poll(cx)
    }
}

#[cfg(test)]
mod size {
    /// The handle is one pointer whatever `T` is.
    #[test]
    fn a_task_handle_is_one_pointer() {
        let word = std::mem::size_of::<usize>();
        assert_eq!(std::mem::size_of::<super::Task<u8>>(), word);
        assert_eq!(std::mem::size_of::<super::Task<[u64; 32]>>(), word);
        assert_eq!(std::mem::size_of::<Option<super::Task<u8>>>(), word);
    }
}
