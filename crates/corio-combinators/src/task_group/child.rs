//! A group's child: the state it shares with the group, which the executor also runs as
//! the child's task (`ChildCell`), and the handle the caller gets (`GroupTask`).
//!
//! The child's future lives in the `ChildCell`, not in the executor's task: the group can
//! then drop it at once when its own future is dropped (D7: no destructor of a child runs
//! after its group is gone), while the executor's task is left an empty shell that ends at
//! its next poll.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use corio_core::PanicPayload;

use super::error::{Failure, FailureKind, FailureSource, GroupTaskError};
use super::group::{ChildOps, Group};
use super::signal::{Signal, Step};
use crate::catch_unwind::CatchUnwind;

pub(super) enum ChildState<T> {
    Running,
    Done(T),
    Failed,
    Panicked,
    Cancelled,
    Taken,
}

/// The child's outcome, as its handle sees it: `Send` when `T` is.
pub(super) struct Slot<T> {
    inner: Mutex<(ChildState<T>, Option<Waker>)>,
}

impl<T> Slot<T> {
    pub(super) fn new() -> Self {
        Slot {
            inner: Mutex::new((ChildState::Running, None)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (ChildState<T>, Option<Waker>)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

type ChildFuture<F> = Pin<Box<CatchUnwind<F>>>;

pub(super) struct ChildCell<F, T, E> {
    /// `None` once ended, or while the child's own task polls it.
    future: RefCell<Option<ChildFuture<F>>>,
    slot: Arc<Slot<T>>,
    signal: Arc<Signal>,
    /// Built once from `signal`: the waker the child's future sees.
    waker: Waker,
    group: Rc<Group<E>>,
    id: usize,
    /// Its slot in the group's `children`, set when it is registered there.
    key: Cell<usize>,
    ended: Cell<bool>,
    /// The executor's id of the child's task, once polled with the call graph on (0 before).
    task: Cell<u64>,
}

impl<F, T, E> ChildCell<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    pub(super) fn new(future: F, group: Rc<Group<E>>, id: usize) -> Self {
        let signal = Arc::new(Signal::new());
        ChildCell {
            future: RefCell::new(Some(Box::pin(CatchUnwind::new(future)))),
            slot: Arc::new(Slot::new()),
            waker: Waker::from(signal.clone()),
            signal,
            group,
            id,
            key: Cell::new(usize::MAX),
            ended: Cell::new(false),
            task: Cell::new(0),
        }
    }

    /// Records the child's slot in the group's `children`.
    pub(super) fn set_key(&self, key: usize) {
        self.key.set(key);
    }

    pub(super) fn handle(&self) -> GroupTask<T> {
        GroupTask {
            slot: self.slot.clone(),
            signal: self.signal.clone(),
            id: self.id,
        }
    }

    /// Called once the future is dropped; `None` when it was cancelled.
    fn end(&self, out: Option<Result<Result<T, E>, PanicPayload>>) {
        if self.ended.replace(true) {
            return;
        }
        let source = FailureSource::Child(self.id);
        let (state, failure) = match out {
            None => (ChildState::Cancelled, None),
            Some(Ok(Ok(v))) => (ChildState::Done(v), None),
            Some(Ok(Err(e))) => (
                ChildState::Failed,
                Some(Failure::new(source, FailureKind::Error(e))),
            ),
            Some(Err(p)) => (
                ChildState::Panicked,
                Some(Failure::new(source, FailureKind::Panicked(p))),
            ),
        };
        // One lock: once the state is set, a poll of the handle finds it and registers no
        // waker, so the waker taken here is the last one.
        let waiter = {
            let mut s = self.slot.lock();
            s.0 = state;
            s.1.take()
        };
        // The group hears of a failure before whoever awaits this child is woken, so a
        // sibling (or the body) awaiting it is cancelled rather than given a step: the
        // order of asyncio's done-callbacks (the group's runs first).
        self.group.child_ended(self.key.get(), failure);
        if let Some(w) = waiter {
            w.wake();
        }
    }

    fn stop(&self) {
        let future = self.future.borrow_mut().take();
        drop(future);
        self.end(None);
    }
}

impl<F, T, E> ChildOps for ChildCell<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    fn task_id(&self) -> u64 {
        self.task.get()
    }

    fn cancel(&self) {
        if !self.signal.cancel() {
            self.signal.wake_task();
        }
    }

    fn drop_now(&self) {
        self.stop();
        // The executor's task is now an empty shell: let it end rather than wait for a
        // wake-up that its dropped future can no longer send.
        self.signal.wake_task();
    }
}

/// The executor runs the cell itself, as a [`SharedTask`](corio_core::SharedTask): the
/// group and the executor's task share the one `Rc`, with no box between them.
impl<F, T, E> corio_core::LocalTask for ChildCell<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    fn poll_task(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.ended.get() {
            return Poll::Ready(());
        }
        if let Some(id) = corio_core::callgraph::current_task() {
            if self.task.replace(id) != id {
                if let Some(key) = self.group.wait_key.get() {
                    corio_core::callgraph::add_task(key, id);
                }
            }
        }
        self.signal.register(cx.waker());
        let step = self.signal.begin_step();
        if step == Step::Stop {
            self.stop();
            return Poll::Ready(());
        }
        // Taken out while it runs, so that nothing the child does reaches it through the
        // group (a re-entrant drop finds it gone and only marks the child ended).
        let Some(mut future) = self.future.borrow_mut().take() else {
            return Poll::Ready(());
        };
        match future.as_mut().poll(&mut Context::from_waker(&self.waker)) {
            Poll::Ready(out) => {
                drop(future);
                self.end(Some(out));
                Poll::Ready(())
            }
            Poll::Pending if step == Step::Last || self.ended.get() => {
                drop(future);
                self.end(None);
                Poll::Ready(())
            }
            Poll::Pending => {
                *self.future.borrow_mut() = Some(future);
                Poll::Pending
            }
        }
    }

    fn task_dropped(&self) {
        // Dropped by the executor (shutdown, or an abort from outside the group): the
        // child is cancelled. A no-op once it has ended.
        self.stop();
    }
}

/// The handle of a child spawned with [`TaskGroup::spawn`](crate::TaskGroup::spawn): resolves to the child's value,
/// or to a [`GroupTaskError`] saying how else it ended (its error or panic itself goes to
/// the group's [`TaskGroupError`](crate::TaskGroupError)).
///
/// Dropping the handle changes nothing: the group still joins the child (so, unlike a
/// corio `Task`, it is not `#[must_use]`: spawning and forgetting is the normal use).
///
/// # Examples
///
/// See [`task_group`](crate::task_group).
pub struct GroupTask<T> {
    slot: Arc<Slot<T>>,
    signal: Arc<Signal>,
    id: usize,
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
        self.signal.abort();
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
        !matches!(self.slot.lock().0, ChildState::Running)
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
        let mut s = self.slot.lock();
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
