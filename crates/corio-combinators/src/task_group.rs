//! `task_group`, the `TaskGroup` handle, its future and its errors.
//!
//! Children are real tasks, spawned through corio-core's [`Spawn`](corio_core::Spawn)
//! hook ([`corio_core::context::spawn_local`]), not futures polled inside the group's own
//! future. Why: a child then runs with its own cooperative budget and its own wake-ups (a
//! busy child cannot starve its siblings or the body), shows up in the executor's task
//! introspection, and can be aborted individually; a panic in one child unwinds that task
//! only. The cost, one task allocation per child, is what asyncio's TaskGroup pays too.
//!
//! Bookkeeping is linear: a child reports its own end (value, error, panic, or being
//! dropped) into the shared state, and the group's future is woken only when a failure
//! happens or the last child ends, never once per child.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use corio_core::{PanicPayload, SpawnError, SpawnedTask};

use crate::catch_unwind::CatchUnwind;

/// asyncio.TaskGroup: structured concurrency. Runs `body` with a [`TaskGroup`] handle into
/// which it spawns children, and resolves only when the body **and every child** have
/// finished.
///
/// - Every child is joined before the group returns, including children still running
///   when the body returns, and children spawned by other children.
/// - The **first failure** (a child or the body returning `Err`, or panicking) cancels the
///   rest: every child is aborted and the body, if still running, is dropped. A child
///   cancelled explicitly ([`GroupTask::abort`]) is not a failure.
/// - **All failures** are returned together as a [`TaskGroupError`], the body's own error
///   included, in the order they happened (design decision 7). A panic is a failure like
///   an error; its payload is kept so the caller can `resume_unwind` it
///   ([`TaskGroupError::resume_panic`]).
/// - Once the group is cancelling or has finished, [`TaskGroup::spawn`] refuses new
///   children (the future is dropped unrun).
/// - On success the group resolves to the body's value.
///
/// Children run as tasks of the current corio executor (either one), spawned through
/// [`corio_core::context::spawn_local`]; they need not be `Send`. Run the group on a corio
/// executor: elsewhere spawning fails with [`GroupSpawnError::Spawn`]. The group's future
/// and handle are `!Send` (they hold corio-core `SpawnedTask`s): a group lives on the
/// thread of the loop that runs its children.
///
/// # Cancel safety
///
/// Dropping the group's future (cancelling the task that awaits it) aborts every child and
/// drops the body. It does not wait for the children to unwind (a destructor cannot await);
/// the executor drops each one the next time it gets to it. Nothing is reported: the
/// caller was cancelled.
///
/// # Examples
///
/// ```
/// use corio_combinators::task_group;
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let total = task_group(|tg| async move {
///         let a = tg.spawn(async { Ok(1) }).unwrap();
///         let b = tg.spawn(async {
///             corio_timer::sleep(Duration::from_millis(5)).await;
///             Ok(2)
///         })
///         .unwrap();
///         Ok::<_, String>(a.await.unwrap() + b.await.unwrap())
///     })
///     .await;
///     assert_eq!(total.unwrap(), 3);
///
///     let failed = task_group(|tg| async move {
///         tg.spawn(async { Err::<(), _>("child failed".to_string()) }).unwrap();
///         tg.spawn(std::future::pending::<Result<(), _>>()).unwrap(); // cancelled by the failure
///         Ok(())
///     })
///     .await;
///     let err = failed.unwrap_err();
///     assert_eq!(err.errors().collect::<Vec<_>>(), vec!["child failed"]);
/// });
/// ```
pub fn task_group<E, R, B, Fut>(body: B) -> TaskGroupFuture<Fut, E>
where
    B: FnOnce(TaskGroup<E>) -> Fut,
    Fut: Future<Output = Result<R, E>>,
    E: 'static,
{
    let group = TaskGroup {
        inner: Arc::new(Group {
            state: Mutex::new(State {
                phase: Phase::Open,
                children: HashMap::new(),
                next_id: 0,
                active: 0,
                failures: Vec::new(),
                waker: None,
            }),
        }),
    };
    let inner = group.inner.clone();
    let body = body(group);
    TaskGroupFuture {
        body: Some(Box::pin(CatchUnwind::new(body))),
        group: inner,
        value: None,
        done: false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Open,
    /// A failure happened (or the group's future was dropped): children are being aborted.
    Aborting,
    /// The group's future resolved.
    Closed,
}

struct State<E> {
    phase: Phase,
    /// Children that have not ended, by id. `None` while the spawn call is in progress.
    children: HashMap<usize, Option<SpawnedTask>>,
    next_id: usize,
    active: usize,
    failures: Vec<Failure<E>>,
    waker: Option<Waker>,
}

struct Group<E> {
    state: Mutex<State<E>>,
}

impl<E> Group<E> {
    fn lock(&self) -> MutexGuard<'_, State<E>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<E> State<E> {
    /// Records a failure; the first one starts the cancellation of every child. Returns
    /// the waker of the group's future, to wake after unlocking.
    fn fail(&mut self, failure: Failure<E>) -> Option<Waker> {
        self.failures.push(failure);
        if self.phase == Phase::Open {
            self.abort_all(Phase::Aborting);
        }
        self.waker.take()
    }

    fn abort_all(&mut self, phase: Phase) {
        self.phase = phase;
        // `abort` only flags the task and schedules it; no task runs inside this call.
        for t in self.children.values().flatten() {
            t.abort();
        }
    }
}

/// Aborting a child by id, with the group's error type erased.
trait AbortChild {
    fn abort_child(&self, id: usize);
}

impl<E> AbortChild for Group<E> {
    fn abort_child(&self, id: usize) {
        if let Some(Some(t)) = self.lock().children.get(&id) {
            t.abort();
        }
    }
}

/// The handle of a [`task_group`]: spawns children into the group. Cloneable; children
/// may hold a clone to spawn siblings.
///
/// # Examples
///
/// See [`task_group`].
pub struct TaskGroup<E> {
    inner: Arc<Group<E>>,
}

impl<E> Clone for TaskGroup<E> {
    fn clone(&self) -> Self {
        TaskGroup {
            inner: self.inner.clone(),
        }
    }
}

impl<E: 'static> TaskGroup<E> {
    /// asyncio's `tg.create_task`: spawns `future` as a child of the group, on the current
    /// corio executor, and returns its handle.
    ///
    /// The child's `Err` (or panic) is a failure of the group: it goes into the group's
    /// [`TaskGroupError`] and cancels the siblings. The handle resolves to the child's value,
    /// or says how it ended otherwise. Dropping the handle does not detach the child from
    /// the group: the group still joins it.
    ///
    /// # Errors
    ///
    /// [`GroupSpawnError::Closed`] when the group is cancelling (after a failure) or has
    /// finished; [`GroupSpawnError::Spawn`] when the executor refuses (none running on this
    /// thread, or shutting down). The future is dropped unrun in both cases.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::{GroupSpawnError, TaskGroup, task_group};
    ///
    /// corio_executor::run(async {
    ///     let mut escaped: Option<TaskGroup<()>> = None;
    ///     let r = task_group(|tg| {
    ///         escaped = Some(tg.clone());
    ///         async move {
    ///             let h = tg.spawn(async { Ok(5) }).unwrap();
    ///             Ok::<_, ()>(h.await.unwrap())
    ///         }
    ///     });
    ///     let r = r.await;
    ///     assert_eq!(r.unwrap(), 5);
    ///     let late = escaped.unwrap().spawn(async { Ok(()) });
    ///     assert!(matches!(late, Err(GroupSpawnError::Closed)));
    /// });
    /// ```
    pub fn spawn<T, F>(&self, future: F) -> Result<GroupTask<T>, GroupSpawnError>
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: 'static,
    {
        let id = {
            let mut st = self.inner.lock();
            if st.phase != Phase::Open {
                return Err(GroupSpawnError::Closed);
            }
            let id = st.next_id;
            st.next_id += 1;
            st.active += 1;
            st.children.insert(id, None);
            id
        };
        let slot = Arc::new(Slot {
            inner: Mutex::new((ChildState::Running, None)),
        });
        // The guard is captured by the child's future, so it is dropped with it even if the
        // future is never polled (aborted before it ran, or refused by the executor).
        let guard = ChildGuard {
            group: self.inner.clone(),
            slot: slot.clone(),
            id,
            ended: false,
        };
        let child = async move {
            let mut guard = guard;
            let out = CatchUnwind::new(future).await;
            guard.end(out);
        };
        match corio_core::context::spawn_local(Box::pin(child)) {
            Ok(task) => {
                let mut st = self.inner.lock();
                let phase = st.phase;
                if let Some(entry) = st.children.get_mut(&id) {
                    if phase != Phase::Open {
                        task.abort(); // a failure raced with this spawn
                    }
                    *entry = Some(task);
                }
                // else: the child already ended (eager start); its handle just detaches.
                Ok(GroupTask {
                    slot,
                    id,
                    group: self.inner.clone(),
                })
            }
            // The refused future was dropped, and its guard with it: bookkeeping is undone.
            Err(e) => Err(GroupSpawnError::Spawn(e)),
        }
    }

    /// How many children have not ended yet (asyncio's internal task count: finished
    /// children are released from the group's bookkeeping at once).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     corio_combinators::task_group(|tg| async move {
    ///         let h = tg.spawn(async { Ok(()) })?;
    ///         assert_eq!(tg.len(), 1);
    ///         h.await.unwrap();
    ///         assert_eq!(tg.len(), 0);
    ///         Ok::<_, corio_combinators::GroupSpawnError>(())
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.inner.lock().active
    }

    /// Whether no child is running.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     corio_combinators::task_group(|tg| async move {
    ///         assert!(tg.is_empty());
    ///         Ok::<_, ()>(())
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the group is cancelling (a failure happened, or its future was dropped) or
    /// has finished: [`spawn`](Self::spawn) then refuses.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let _ = corio_combinators::task_group(|tg| async move {
    ///         assert!(!tg.is_closed());
    ///         Err::<(), _>("fail")
    ///     })
    ///     .await;
    /// });
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.lock().phase != Phase::Open
    }
}

impl<E> fmt::Debug for TaskGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.lock();
        f.debug_struct("TaskGroup")
            .field("phase", &st.phase)
            .field("children", &st.active)
            .field("failures", &st.failures.len())
            .finish()
    }
}

enum ChildState<T> {
    Running,
    Done(T),
    Failed,
    Panicked,
    Cancelled,
    Taken,
}

struct Slot<T> {
    inner: Mutex<(ChildState<T>, Option<Waker>)>,
}

struct ChildGuard<T, E> {
    group: Arc<Group<E>>,
    slot: Arc<Slot<T>>,
    id: usize,
    ended: bool,
}

impl<T, E> ChildGuard<T, E> {
    fn end(&mut self, out: Result<Result<T, E>, PanicPayload>) {
        self.ended = true;
        let source = FailureSource::Child(self.id);
        let (state, failure) = match out {
            Ok(Ok(v)) => (ChildState::Done(v), None),
            Ok(Err(e)) => (
                ChildState::Failed,
                Some(Failure {
                    source,
                    kind: FailureKind::Error(e),
                }),
            ),
            Err(p) => (
                ChildState::Panicked,
                Some(Failure {
                    source,
                    kind: FailureKind::Panicked(p),
                }),
            ),
        };
        self.finish(state, failure);
    }

    fn finish(&mut self, state: ChildState<T>, failure: Option<Failure<E>>) {
        let waker = {
            let mut s = self.slot.inner.lock().unwrap_or_else(|e| e.into_inner());
            s.0 = state;
            s.1.take()
        };
        let (task, group_waker) = {
            let mut st = self.group.lock();
            let task = st.children.remove(&self.id).flatten();
            st.active -= 1;
            let mut w = match failure {
                Some(f) => st.fail(f),
                None => None,
            };
            if st.active == 0 && w.is_none() {
                w = st.waker.take();
            }
            (task, w)
        };
        drop(task); // our own handle: detaching it is all that is left
        if let Some(w) = waker {
            w.wake();
        }
        if let Some(w) = group_waker {
            w.wake();
        }
    }
}

impl<T, E> Drop for ChildGuard<T, E> {
    fn drop(&mut self) {
        if !self.ended {
            self.ended = true;
            self.finish(ChildState::Cancelled, None);
        }
    }
}

/// The handle of a child spawned with [`TaskGroup::spawn`]: resolves to the child's value,
/// or to a [`GroupTaskError`] saying how else it ended (its error or panic itself goes to
/// the group's [`TaskGroupError`]).
///
/// Dropping the handle changes nothing: the group still joins the child (so, unlike a
/// corio `Task`, it is not `#[must_use]`: spawning and forgetting is the normal use).
///
/// # Examples
///
/// See [`task_group`].
pub struct GroupTask<T> {
    slot: Arc<Slot<T>>,
    id: usize,
    group: Arc<dyn AbortChild>,
}

impl<T> GroupTask<T> {
    /// Cancels this child (asyncio: `task.cancel()` on a group member). That is not a
    /// failure of the group; the handle resolves to [`GroupTaskError::Cancelled`] unless
    /// the child had already finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::{GroupTaskError, task_group};
    /// corio_executor::run(async {
    ///     let r = task_group(|tg| async move {
    ///         let h = tg.spawn(std::future::pending::<Result<(), ()>>()).unwrap();
    ///         h.abort();
    ///         assert_eq!(h.await.unwrap_err(), GroupTaskError::Cancelled);
    ///         Ok::<_, ()>("fine")
    ///     })
    ///     .await;
    ///     assert_eq!(r.unwrap(), "fine");
    /// });
    /// ```
    pub fn abort(&self) {
        self.group.abort_child(self.id);
    }

    /// Whether the child has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     corio_combinators::task_group(|tg| async move {
    ///         let h = tg.spawn(async { Ok(1) }).unwrap();
    ///         assert!(!h.is_finished());
    ///         corio_executor::yield_now().await;
    ///         assert!(h.is_finished());
    ///         Ok::<_, ()>(())
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        !matches!(
            self.slot.inner.lock().unwrap_or_else(|e| e.into_inner()).0,
            ChildState::Running
        )
    }

    /// The child's position in spawn order in its group (0 for the first child), as used
    /// by [`FailureSource::Child`].
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     corio_combinators::task_group(|tg| async move {
    ///         assert_eq!(tg.spawn(async { Ok(()) }).unwrap().id(), 0);
    ///         assert_eq!(tg.spawn(async { Ok(()) }).unwrap().id(), 1);
    ///         Ok::<_, ()>(())
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// ```
    pub fn id(&self) -> usize {
        self.id
    }
}

impl<T> Future for GroupTask<T> {
    type Output = Result<T, GroupTaskError>;

    /// # Panics
    ///
    /// When polled again after it returned the value.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut s = self.slot.inner.lock().unwrap_or_else(|e| e.into_inner());
        let r = match std::mem::replace(&mut s.0, ChildState::Taken) {
            ChildState::Running => {
                s.0 = ChildState::Running;
                match &s.1 {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => s.1 = Some(cx.waker().clone()),
                }
                return Poll::Pending;
            }
            ChildState::Done(v) => Ok(v),
            ChildState::Failed => {
                s.0 = ChildState::Failed;
                Err(GroupTaskError::Failed)
            }
            ChildState::Panicked => {
                s.0 = ChildState::Panicked;
                Err(GroupTaskError::Panicked)
            }
            ChildState::Cancelled => {
                s.0 = ChildState::Cancelled;
                Err(GroupTaskError::Cancelled)
            }
            ChildState::Taken => panic!("a GroupTask was polled after it returned its value"),
        };
        Poll::Ready(r)
    }
}

impl<T> fmt::Debug for GroupTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupTask")
            .field("id", &self.id)
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// How a group child ended, when not with a value: what its [`GroupTask`] resolves to.
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

/// Spawning into a [`TaskGroup`] failed.
///
/// # Examples
///
/// See [`TaskGroup::spawn`].
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
    /// The group's body (the closure given to [`task_group`]).
    Body,
    /// The child with this [`GroupTask::id`] (spawn order).
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
///     // The child failed first, which cancelled the body: only the child's error.
///     assert_eq!(err.errors().copied().collect::<Vec<_>>(), vec!["child"]);
///     assert_eq!(err.len(), 1);
/// });
/// ```
pub struct TaskGroupError<E> {
    failures: Vec<Failure<E>>,
}

impl<E> TaskGroupError<E> {
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

type BodyFuture<Fut> = Pin<Box<CatchUnwind<Fut>>>;

/// The future of [`task_group`]: the body's value, or every failure.
///
/// # Examples
///
/// See [`task_group`].
#[must_use = "futures do nothing unless awaited"]
pub struct TaskGroupFuture<Fut: Future, E> {
    body: Option<BodyFuture<Fut>>,
    group: Arc<Group<E>>,
    value: Option<<Fut as Future>::Output>,
    done: bool,
}

impl<Fut: Future, E> Unpin for TaskGroupFuture<Fut, E> {}

impl<R, E, Fut> Future for TaskGroupFuture<Fut, E>
where
    Fut: Future<Output = Result<R, E>>,
{
    type Output = Result<R, TaskGroupError<E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        assert!(!this.done, "TaskGroupFuture polled after completion");
        if let Some(body) = this.body.as_mut() {
            // A child's failure cancels the body as well as the siblings.
            let cancelled = this.group.lock().phase != Phase::Open;
            if cancelled {
                this.body = None;
            } else if let Poll::Ready(out) = body.as_mut().poll(cx) {
                this.body = None;
                match out {
                    Ok(Ok(v)) => this.value = Some(Ok(v)),
                    Ok(Err(e)) => {
                        let w = this.group.lock().fail(Failure {
                            source: FailureSource::Body,
                            kind: FailureKind::Error(e),
                        });
                        drop(w); // that is us
                    }
                    Err(p) => {
                        let w = this.group.lock().fail(Failure {
                            source: FailureSource::Body,
                            kind: FailureKind::Panicked(p),
                        });
                        drop(w);
                    }
                }
            } else if this.group.lock().phase != Phase::Open {
                this.body = None; // a child failed while the body was being polled
            }
        }
        let mut st = this.group.lock();
        if this.body.is_none() && st.active == 0 {
            st.phase = Phase::Closed;
            st.waker = None;
            let failures = std::mem::take(&mut st.failures);
            drop(st);
            this.done = true;
            if failures.is_empty() {
                let v = this.value.take().map(|r| r.ok().expect("no failure"));
                return Poll::Ready(Ok(v.expect("the body's value")));
            }
            this.value = None;
            return Poll::Ready(Err(TaskGroupError { failures }));
        }
        match &st.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => st.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<Fut: Future, E> Drop for TaskGroupFuture<Fut, E> {
    fn drop(&mut self) {
        if !self.done {
            // Cancelled by the awaiter: abort every child. The body is dropped with us.
            let mut st = self.group.lock();
            st.abort_all(Phase::Aborting);
            st.waker = None;
        }
    }
}

impl<Fut: Future, E> fmt::Debug for TaskGroupFuture<Fut, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.group.lock();
        f.debug_struct("TaskGroupFuture")
            .field("body_running", &self.body.is_some())
            .field("phase", &st.phase)
            .field("children", &st.active)
            .field("failures", &st.failures.len())
            .finish()
    }
}
