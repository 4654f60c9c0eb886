//! `shield`, `try_shield` and their handle, `Shield`.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use corio_core::{JoinError, SpawnError, SpawnedTask};

/// asyncio.shield: runs `future` as a task of its own, so that it **keeps running when the
/// waiter is cancelled**; returns a handle that resolves to its output.
///
/// In asyncio, cancelling `await shield(x)` cancels the wait but not `x`. In corio,
/// cancelling is dropping: `shield` spawns `future` on the current corio executor (through
/// [`corio_core::context::spawn_local`], so `!Send` futures are fine and either corio
/// executor works) and returns a [`Shield`]. Dropping the `Shield`, directly or by
/// dropping whatever awaits it (a `wait_for` that timed out, a cancelled task, a `gather`
/// that failed), only **detaches** the task: it runs on to completion, and its output is
/// dropped when it finishes. Awaiting the `Shield` gives `Ok(output)`, or a [`JoinError`]
/// if the inner task panicked or was cancelled explicitly ([`Shield::abort`]).
///
/// `shield` runs the future's first step at once, before it returns (asyncio 3.12's eager
/// tasks): a future that is already done (a finished `Task`, a ready value) is not
/// spawned at all, and its `Shield` is ready at its first poll, so even a zero timeout
/// around it succeeds. Otherwise the rest runs as a task.
///
/// A corio `Task` handle already behaves this way (dropping it detaches, design decision
/// 2): `shield(task)` is only needed for plain futures, or to say so explicitly.
///
/// # Panics
///
/// When no corio executor runs on this thread; [`try_shield`] returns the error instead.
///
/// # Cancel safety
///
/// Cancel-safe by design: dropping the `Shield` loses nothing but the output, which the
/// task still computes.
///
/// # Examples
///
/// ```
/// use corio_combinators::{shield, wait_for};
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(corio_timer::TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let saved = Rc::new(Cell::new(false));
///     let s = saved.clone();
///     let save = shield(async move {
///         corio_timer::sleep(Duration::from_secs(5)).await;
///         s.set(true);
///     });
///     assert!(wait_for(save, Duration::from_secs(1)).await.is_err()); // the wait gave up..
///     corio_timer::sleep(Duration::from_secs(10)).await;
///     assert!(saved.get()); // ..but the shielded work finished
/// });
/// ```
#[track_caller]
pub fn shield<F>(future: F) -> Shield<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match try_shield(future) {
        Ok(s) => s,
        Err(e) => panic!("corio_combinators::shield: {e}"),
    }
}

/// [`shield`], returning the error when the future cannot be spawned (no corio executor
/// on this thread, or it is shutting down) instead of panicking. The future is dropped
/// after its first step in that case; a future done at its first step needs no executor.
///
/// # Cancel safety
///
/// As [`shield`].
///
/// # Examples
///
/// ```
/// // Outside any corio executor there is nothing to spawn a pending future onto:
/// assert!(corio_combinators::try_shield(std::future::pending::<()>()).is_err());
/// // A future done at its first step is not spawned:
/// assert!(corio_combinators::try_shield(async { 1 }).is_ok());
/// corio_executor::run(async {
///     let s = corio_combinators::try_shield(async { 1 }).unwrap();
///     assert_eq!(s.await.unwrap(), 1);
/// });
/// ```
pub fn try_shield<F>(future: F) -> Result<Shield<F::Output>, SpawnError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    // The first step runs here, so that shielding what is already done (a finished task,
    // a ready value) gives a Shield that is ready at its first poll (asyncio's shield
    // returns such a future itself) and spawns nothing. Polled with a no-op waker: if it
    // is pending, the task spawned below polls it again at once with its own.
    let mut future = Box::pin(future);
    let waker = Waker::from(Arc::new(NoWake));
    match catch_unwind(AssertUnwindSafe(|| {
        future.as_mut().poll(&mut Context::from_waker(&waker))
    })) {
        Ok(Poll::Ready(v)) => return Ok(Shield::done(Ok(v))),
        Err(p) => return Ok(Shield::done(Err(JoinError::Panicked(p)))),
        Ok(Poll::Pending) => {}
    }
    let slot = Arc::new(Mutex::new(None));
    let out = slot.clone();
    let task = corio_core::context::spawn_local(Box::pin(async move {
        let v = future.await;
        *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
    }))?;
    Ok(Shield {
        inner: Inner::Task { task, slot },
        wait: corio_core::callgraph::WaitSlot::new(),
    })
}

struct NoWake;

impl Wake for NoWake {
    fn wake(self: Arc<Self>) {}
}

/// The handle of [`shield`]: await it for the output; dropping it detaches the task.
///
/// # Examples
///
/// See [`shield`].
#[must_use = "dropping a Shield detaches the task; await it for its output"]
pub struct Shield<T> {
    inner: Inner<T>,
    /// The call graph's record: the shielded task's handle nests under it.
    wait: corio_core::callgraph::WaitSlot,
}

enum Inner<T> {
    /// Done at its first step: no task was spawned. `None` once taken.
    Done(Option<Result<T, JoinError>>),
    Task {
        task: SpawnedTask,
        slot: Arc<Mutex<Option<T>>>,
    },
}

impl<T> Shield<T> {
    fn done(out: Result<T, JoinError>) -> Self {
        Shield {
            inner: Inner::Done(Some(out)),
            wait: corio_core::callgraph::WaitSlot::new(),
        }
    }

    /// Cancels the shielded task (asyncio: cancelling the inner future). The `Shield`
    /// then resolves to a cancelled [`JoinError`], unless the task had already finished.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let s = corio_combinators::shield(std::future::pending::<()>());
    ///     s.abort();
    ///     assert!(s.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        if let Inner::Task { task, .. } = &self.inner {
            task.abort()
        }
    }

    /// Whether the shielded task has finished.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let s = corio_combinators::shield(async {
    ///         corio_executor::yield_now().await;
    ///         1
    ///     });
    ///     assert!(!s.is_finished());
    ///     corio_executor::yield_now().await;
    ///     assert!(s.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            Inner::Done(_) => true,
            Inner::Task { task, .. } => task.is_finished(),
        }
    }

    /// Lets the task run on unobserved: what dropping the `Shield` does, said out loud.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     corio_combinators::shield(async { println!("in the background") }).detach();
    /// });
    /// ```
    pub fn detach(self) {}
}

// The output is only ever moved out, never pinned.
impl<T> Unpin for Shield<T> {}

impl<T> Future for Shield<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let _frame = this
            .wait
            .frame(|| corio_core::callgraph::WaitOn::new("shield"));
        let out = Self::poll_inner(&mut this.inner, cx);
        if out.is_ready() {
            this.wait.done();
        }
        out
    }
}

impl<T> Shield<T> {
    fn poll_inner(inner: &mut Inner<T>, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
        match inner {
            Inner::Done(out) => Poll::Ready(out.take().expect("shield: polled after completion")),
            Inner::Task { task, slot } => match std::task::ready!(Pin::new(task).poll(cx)) {
                Ok(()) => {
                    let v = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                    Poll::Ready(Ok(v.expect("shield: the output was already taken")))
                }
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }
}

impl<T> fmt::Debug for Shield<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shield")
            .field("finished", &self.is_finished())
            .finish()
    }
}
