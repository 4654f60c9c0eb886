//! `task_group`, the `TaskGroup` handle and the group's future.
//!
//! Children are real tasks, spawned through corio-core's [`Spawn`](corio_core::Spawn)
//! hook ([`corio_core::context::spawn_local_shared`]) or a spawner the caller gives,
//! not futures polled inside the group's own future. Why: a child then runs with its own
//! cooperative budget and its own wake-ups (a busy child cannot starve its siblings or the
//! body), shows up in the executor's task introspection under its own name, and a panic
//! in one child unwinds that task only. The cost, one task allocation per child, is what
//! asyncio's TaskGroup pays too.
//!
//! The group keeps each child's future itself (the executor's task polls it from there),
//! so that dropping the group drops every child's future before the drop returns, nested
//! groups included (D7).
//!
//! Bookkeeping is linear: a child reports its own end (value, error, panic, or being
//! dropped) into the shared state, and the group's future is woken only when a failure
//! happens or the last child ends, never once per child. The live children sit in a slab
//! (`group::Children`): registering and leaving it is O(1) and allocates nothing once it
//! has grown.
//!
//! Allocations per child, five, each for a reason this crate cannot drop without `unsafe`
//! (it forbids it) or without a bound asyncio does not have: the executor's task, which
//! runs the child's cell directly ([`SharedTask`](corio_core::SharedTask), spawned with
//! [`spawn_local_shared`](corio_core::context::spawn_local_shared): no box between the two);
//! the cell the group and the task share (`Rc`: the group drops the future from there);
//! the child's future, boxed to stay pinned while the cell lends it out; the handle's slot
//! (`Arc`, so that a [`GroupTask`] is `Send` when its output is); and the child's waker
//! (`Arc`, `Send + Sync` whatever the output, recording wake-ups for TG-05). The task's
//! handle is dropped, never boxed. [`TaskGroup::spawn_with`] adds one box: its spawner
//! takes a [`LocalBoxFuture`](corio_core::LocalBoxFuture).

mod child;
mod error;
mod group;
mod signal;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use corio_core::{LocalBoxFuture, SharedTask, SpawnError};

use crate::catch_unwind::CatchUnwind;
use child::ChildCell;
pub use child::GroupTask;
pub use error::{
    Failure, FailureKind, FailureSource, GroupSpawnError, GroupTaskError, TaskGroupError,
};
use group::{ChildOps, Group, Phase};
use signal::Step;

/// asyncio.TaskGroup: structured concurrency. Runs `body` with a [`TaskGroup`] handle into
/// which it spawns children, and resolves only when the body **and every child** have
/// finished.
///
/// - Every child is joined before the group returns, including children still running
///   when the body returns, and children spawned by other children.
/// - The **first failure** (a child or the body returning `Err`, or panicking) cancels the
///   rest: the body and every child are dropped. As in asyncio, the cancellation takes
///   effect after the steps already scheduled: a child (or the body) that was woken, or
///   spawned and not yet started, before the first failure runs that one step first, and
///   is dropped if it does not finish in it. So failures of the same turn are all
///   reported (design decision 7), whichever ran first. A child cancelled explicitly
///   ([`GroupTask::abort`]) is not a failure.
/// - **All failures** are returned together as a [`TaskGroupError`], the body's own error
///   included, in the order they happened (D7). A panic is a failure like an error; its
///   payload is kept so the caller can `resume_unwind` it
///   ([`TaskGroupError::resume_panic`]).
/// - When the group's future resolves or is dropped, every child's future has been
///   dropped, and with them the children of groups nested in them (D7): no child's
///   destructor runs after the caller moved on.
/// - Once the group is cancelling or has finished, [`TaskGroup::spawn`] refuses new
///   children (the future is dropped unrun).
/// - On success the group resolves to the body's value.
///
/// Children run as tasks of the current corio executor (either one), spawned through
/// [`corio_core::context::spawn_local_shared`], or through the spawner given to
/// [`TaskGroup::spawn_with`] (to name them); they need not be `Send`. Run the group on a
/// corio executor: elsewhere spawning fails with [`GroupSpawnError::Spawn`]. The group's
/// future and its [`TaskGroup`] handle are `!Send`: the group owns its children's futures,
/// so it lives on the thread of the loop that runs them (on the multi-thread executor:
/// in `block_on`, or in a task started with `corio::spawn`, which stays on its worker).
/// A child's [`GroupTask`] handle is `Send` when its output is.
///
/// # Cancel safety
///
/// Dropping the group's future (cancelling the task that awaits it) drops the body, then
/// every child's future, in spawn order, before the drop returns. Nothing is reported:
/// the caller was cancelled.
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
    let group = Rc::new(Group::new());
    let body_waker = Waker::from(group.body.clone());
    let body = body(TaskGroup {
        inner: group.clone(),
    });
    TaskGroupFuture {
        body: Some(Box::pin(CatchUnwind::new(body))),
        group,
        body_waker,
        value: None,
        done: false,
        wait: corio_core::callgraph::WaitSlot::new(),
    }
}

/// The handle of a [`task_group`]: spawns children into the group. Cloneable; children
/// may hold a clone to spawn siblings.
///
/// # Examples
///
/// See [`task_group`].
pub struct TaskGroup<E> {
    inner: Rc<Group<E>>,
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
        self.spawn_child(future, corio_core::context::spawn_local_shared)
    }

    /// [`spawn`](Self::spawn) through a spawner of the caller's choice: the way to give a
    /// child a name (asyncio's `tg.create_task(coro, name=...)`) or any other option of
    /// the executor's task builder.
    ///
    /// `spawn` receives the child's task, a boxed future that must run on this thread, and
    /// spawns it: with corio, `|f| corio_executor::task::Builder::new().name("x").try_spawn(f)`.
    /// Whatever handle it returns is dropped at once, so it must detach on drop, as
    /// corio's `Task` does (a handle that cancels its task on drop would cancel the child).
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn); [`GroupSpawnError::Spawn`] carries the spawner's error.
    /// The future is dropped unrun.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::task_group;
    /// use corio_executor::task::Builder;
    ///
    /// corio_executor::run(async {
    ///     task_group(|tg| async move {
    ///         let named = |f| Builder::new().name("fetcher").try_spawn(f);
    ///         let h = tg.spawn_with(named, async {
    ///             let me = corio_executor::current_task().unwrap();
    ///             Ok(me.name().map(str::to_owned))
    ///         })?;
    ///         assert_eq!(h.await.unwrap().as_deref(), Some("fetcher"));
    ///         Ok::<_, corio_combinators::GroupSpawnError>(())
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// ```
    pub fn spawn_with<T, F, S, H>(
        &self,
        spawn: S,
        future: F,
    ) -> Result<GroupTask<T>, GroupSpawnError>
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: 'static,
        S: FnOnce(LocalBoxFuture<()>) -> Result<H, SpawnError>,
    {
        self.spawn_child(future, |task| spawn(Box::pin(task)).map(drop))
    }

    /// Registers the child, then hands its task to `spawn`.
    fn spawn_child<T, F>(
        &self,
        future: F,
        spawn: impl FnOnce(SharedTask) -> Result<(), SpawnError>,
    ) -> Result<GroupTask<T>, GroupSpawnError>
    where
        F: Future<Output = Result<T, E>> + 'static,
        T: 'static,
    {
        let id = {
            let mut st = self.inner.state();
            if st.phase != Phase::Open {
                return Err(GroupSpawnError::Closed);
            }
            let id = st.next_id;
            st.next_id += 1;
            id
        };
        let cell = Rc::new(ChildCell::new(future, self.inner.clone(), id));
        let handle = cell.handle();
        // Registered before the spawn, so a failure that happens while spawning (an eager
        // executor runs the child inside `spawn`) reaches this child too.
        let key = self
            .inner
            .state()
            .children
            .insert(id, cell.clone() as Rc<dyn ChildOps>);
        cell.set_key(key);
        match spawn(SharedTask::new(cell.clone())) {
            Ok(()) => Ok(handle),
            Err(e) => {
                // The spawner dropped the task, which ended the child; make sure of it.
                cell.drop_now();
                Err(GroupSpawnError::Spawn(e))
            }
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
        self.inner.state().children.len()
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
        self.inner.state().phase != Phase::Open
    }
}

impl<E> fmt::Debug for TaskGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TaskGroup");
        if let Some(st) = self.inner.try_state() {
            d.field("phase", &st.phase)
                .field("children", &st.children.len())
                .field("failures", &st.failures.len());
        }
        d.finish_non_exhaustive()
    }
}

type BodyFuture<Fut> = Pin<Box<CatchUnwind<Fut>>>;

/// The future of [`task_group`]: the body's value, or every failure.
///
/// # Examples
///
/// See [`task_group`].
#[must_use = "futures do nothing unless awaited"]
pub struct TaskGroupFuture<Fut: Future, E> {
    body: Option<BodyFuture<Fut>>,
    group: Rc<Group<E>>,
    /// The body is polled with this waker, which records its wake-ups in `group.body`.
    body_waker: Waker,
    value: Option<<Fut as Future>::Output>,
    done: bool,
    /// The call graph's record: the group and its children, the body's waits beneath.
    wait: corio_core::callgraph::WaitSlot,
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
        this.group.body.register(cx.waker());
        let group = &this.group;
        this.wait.pending(|| describe_group(group));
        this.group.wait_key.set(this.wait.key());
        let frame = this.wait.enter();
        if let Some(body) = this.body.as_mut() {
            let step = this.group.body.begin_step();
            if step == Step::Stop {
                this.body = None; // cancelled by a failure, not woken before it
            } else {
                match body
                    .as_mut()
                    .poll(&mut Context::from_waker(&this.body_waker))
                {
                    Poll::Ready(out) => {
                        this.body = None;
                        let kind = match out {
                            Ok(Ok(v)) => {
                                this.value = Some(Ok(v));
                                None
                            }
                            Ok(Err(e)) => Some(FailureKind::Error(e)),
                            Err(p) => Some(FailureKind::Panicked(p)),
                        };
                        if let Some(kind) = kind {
                            this.group.fail(Failure::new(FailureSource::Body, kind));
                        }
                    }
                    // The step it was woken for before the cancellation is over.
                    Poll::Pending if step == Step::Last => this.body = None,
                    Poll::Pending => {}
                }
            }
        }
        drop(frame);
        if this.body.is_some() {
            let group = &this.group;
            this.wait.pending(|| describe_group(group));
            return Poll::Pending;
        }
        let mut st = this.group.state();
        if !st.children.is_empty() {
            drop(st);
            let group = &this.group;
            this.wait.pending(|| describe_group(group));
            return Poll::Pending;
        }
        this.wait.done();
        st.phase = Phase::Closed;
        let failures = std::mem::take(&mut st.failures);
        drop(st);
        this.group.body.clear();
        this.done = true;
        if failures.is_empty() {
            let v = this.value.take().map(|r| r.ok().expect("no failure"));
            return Poll::Ready(Ok(v.expect("the body's value")));
        }
        this.value = None;
        Poll::Ready(Err(TaskGroupError::new(failures)))
    }
}

/// What a group's awaiter waits on, for the task call graph: its children's tasks.
fn describe_group<E>(group: &Group<E>) -> corio_core::callgraph::WaitOn {
    let mut on = corio_core::callgraph::WaitOn::new("TaskGroup").object(group);
    let Some(st) = group.try_state() else {
        return on;
    };
    let children = st.children.len();
    for c in st.children.in_spawn_order() {
        match c.task_id() {
            0 => {}
            id => on = on.on_task(id),
        }
    }
    on.detail(format!("{children} children running"))
}

impl<Fut: Future, E> Drop for TaskGroupFuture<Fut, E> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // Cancelled by the awaiter. The state is never borrowed while a future is
        // dropped: their destructors may reach the group (a refused spawn, say).
        self.group.state().phase = Phase::Closed;
        self.body = None;
        let children = self.group.state().children.in_spawn_order();
        for c in children {
            c.drop_now();
        }
        self.group.body.clear();
    }
}

impl<Fut: Future, E> fmt::Debug for TaskGroupFuture<Fut, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TaskGroupFuture");
        d.field("body_running", &self.body.is_some());
        if let Some(st) = self.group.try_state() {
            d.field("phase", &st.phase)
                .field("children", &st.children.len())
                .field("failures", &st.failures.len());
        }
        d.finish_non_exhaustive()
    }
}
