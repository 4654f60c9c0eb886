//! Spawning a task with options.

use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use corio_core::SpawnError;

use crate::local::LocalExecutor;
use crate::task_handle::Task;

/// Spawns a task with options: a name, shown by [`Task::name`], in
/// [`current_task`](crate::current_task) and in failure reports.
///
/// # Examples
///
/// ```
/// use corio_executor::task::Builder;
///
/// corio_executor::run(async {
///     let t = Builder::new().name("downloader").spawn(async { 1 });
///     assert_eq!(t.name(), Some("downloader"));
///     assert_eq!(t.await.unwrap(), 1);
/// });
/// ```
#[derive(Debug, Default, Clone)]
#[must_use = "a Builder does nothing until .spawn() is called"]
pub struct Builder {
    name: Option<Arc<str>>,
}

impl Builder {
    /// A builder with no options set.
    pub fn new() -> Self {
        Builder { name: None }
    }

    /// Names the task.
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Spawns on the loop running on this thread.
    ///
    /// # Panics
    ///
    /// As [`spawn`](crate::spawn): when no loop runs here.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        match crate::entry::spawn_at(future, self.name, Location::caller()) {
            Ok(t) => t,
            Err(e) => panic!("task::Builder::spawn: {e}"),
        }
    }

    /// Spawns on the loop running on this thread.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when no loop runs here or it has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = corio_executor::task::Builder::new().name("x").try_spawn(async {});
    /// assert!(r.is_err()); // no loop on this thread
    /// ```
    #[track_caller]
    pub fn try_spawn<F>(self, future: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        crate::entry::spawn_at(future, self.name, Location::caller())
    }

    /// Spawns on `executor`, from inside or outside it.
    ///
    /// # Panics
    ///
    /// When `executor` has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let t = corio_executor::task::Builder::new().name("bg").spawn_on(&ex, async { 2 });
    /// assert_eq!(ex.block_on(t).unwrap(), 2);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(self, executor: &LocalExecutor, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        match executor
            .local()
            .spawn(future, self.name, Location::caller())
        {
            Ok(t) => t,
            Err(e) => panic!("task::Builder::spawn_on: {e}"),
        }
    }
}
