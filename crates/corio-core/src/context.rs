//! The thread-local runtime context: which spawner is current on this thread.
//!
//! Why this lives in core: leaf crates (task groups, servers) need "the loop I am running
//! on" without depending on the executor crate. Executors install themselves with
//! [`enter_spawner`] while they run.
//!
//! # Examples
//!
//! ```
//! assert!(corio_core::context::current_spawner().is_none()); // no loop on this thread
//! ```

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::{BoxFuture, LocalBoxFuture, SharedTask, Spawn, SpawnError, SpawnedTask};

thread_local! {
    static SPAWNER: RefCell<Option<Rc<dyn Spawn>>> = const { RefCell::new(None) };
}

/// Makes `spawner` current on this thread until the guard is dropped (the previous one is
/// then restored).
///
/// # Examples
///
/// ```
/// # use corio_core::{BoxFuture, LocalBoxFuture, Spawn, SpawnError, SpawnedTask};
/// struct Refuse;
/// impl Spawn for Refuse {
///     fn spawn_boxed(&self, _: BoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
///         Err(SpawnError::shutdown())
///     }
///     fn spawn_local_boxed(&self, _: LocalBoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
///         Err(SpawnError::shutdown())
///     }
/// }
/// let guard = corio_core::context::enter_spawner(std::rc::Rc::new(Refuse));
/// let err = corio_core::context::spawn(Box::pin(async {})).unwrap_err();
/// assert!(err.is_shutdown());
/// drop(guard);
/// assert!(corio_core::context::current_spawner().is_none());
/// ```
pub fn enter_spawner(spawner: Rc<dyn Spawn>) -> SpawnerGuard {
    let prev = SPAWNER.with(|s| s.borrow_mut().replace(spawner));
    SpawnerGuard { prev }
}

/// Restores the previous spawner when dropped; see [`enter_spawner`].
#[must_use = "dropping the guard immediately uninstalls the spawner"]
pub struct SpawnerGuard {
    prev: Option<Rc<dyn Spawn>>,
}

impl Drop for SpawnerGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        // The thread may be tearing down its locals; then there is nothing to restore.
        let _ = SPAWNER.try_with(|s| *s.borrow_mut() = prev);
    }
}

impl fmt::Debug for SpawnerGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpawnerGuard").finish_non_exhaustive()
    }
}

/// The spawner current on this thread, if an executor is running here.
pub fn current_spawner() -> Option<Rc<dyn Spawn>> {
    SPAWNER.try_with(|s| s.borrow().clone()).ok().flatten()
}

/// Spawns a `Send` future on the current executor.
///
/// # Errors
///
/// [`SpawnError`] when no executor runs on this thread or it refuses new tasks.
pub fn spawn(future: BoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
    match current_spawner() {
        Some(s) => s.spawn_boxed(future),
        None => Err(SpawnError::no_executor()),
    }
}

/// Spawns a `!Send` future on the current executor, on this thread.
///
/// # Errors
///
/// [`SpawnError`] when no executor runs on this thread or it refuses new tasks.
///
/// # Examples
///
/// ```
/// let err = corio_core::context::spawn_local(Box::pin(async {})).unwrap_err();
/// assert_eq!(err, corio_core::SpawnError::no_executor());
/// ```
pub fn spawn_local(future: LocalBoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
    match current_spawner() {
        Some(s) => s.spawn_local_boxed(future),
        None => Err(SpawnError::no_executor()),
    }
}

/// [`spawn_local`], detached at once: no handle is built (see
/// [`Spawn::spawn_local_detached`]).
///
/// # Errors
///
/// [`SpawnError`] when no executor runs on this thread or it refuses new tasks.
///
/// # Examples
///
/// ```
/// let err = corio_core::context::spawn_local_detached(Box::pin(async {})).unwrap_err();
/// assert_eq!(err, corio_core::SpawnError::no_executor());
/// ```
pub fn spawn_local_detached(future: LocalBoxFuture<()>) -> Result<(), SpawnError> {
    match current_spawner() {
        Some(s) => s.spawn_local_detached(future),
        None => Err(SpawnError::no_executor()),
    }
}

/// Spawns a [`SharedTask`] on the current executor, on this thread, detached (see
/// [`Spawn::spawn_local_shared`]).
///
/// # Errors
///
/// [`SpawnError`] when no executor runs on this thread or it refuses new tasks.
///
/// # Examples
///
/// ```
/// use corio_core::{LocalTask, SharedTask};
/// use std::rc::Rc;
/// use std::task::{Context, Poll};
///
/// struct Done;
/// impl LocalTask for Done {
///     fn poll_task(&self, _: &mut Context<'_>) -> Poll<()> { Poll::Ready(()) }
///     fn task_dropped(&self) {}
/// }
///
/// let err = corio_core::context::spawn_local_shared(SharedTask::new(Rc::new(Done)));
/// assert_eq!(err.unwrap_err(), corio_core::SpawnError::no_executor());
/// ```
pub fn spawn_local_shared(task: SharedTask) -> Result<(), SpawnError> {
    match current_spawner() {
        Some(s) => s.spawn_local_shared(task),
        None => Err(SpawnError::no_executor()),
    }
}
