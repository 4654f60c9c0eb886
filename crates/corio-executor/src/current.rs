//! Asking about the running task and loop: asyncio's `current_task()` and `all_tasks()`.

use std::panic::Location;
use std::sync::Arc;

use crate::context;
use crate::meta::TaskId;
use crate::snapshot::TaskSnapshot;

/// What [`current_task`] tells about the running task.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let t = corio_executor::task::Builder::new().name("worker").spawn(async {
///         let me = corio_executor::current_task().unwrap();
///         (me.id(), me.name().map(str::to_owned))
///     });
///     let id = t.id();
///     assert_eq!(t.await.unwrap(), (id, Some("worker".to_owned())));
/// });
/// ```
#[derive(Clone, Debug)]
pub struct CurrentTask {
    id: TaskId,
    name: Option<Arc<str>>,
    location: &'static Location<'static>,
}

impl CurrentTask {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was spawned.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }
}

/// The task being polled on this thread (asyncio's `current_task()`), or `None` outside
/// any task: in the future given to [`run`](crate::run) itself, or outside any loop.
///
/// # Examples
///
/// ```
/// assert!(corio_executor::current_task().is_none());
/// corio_executor::run(async {
///     assert!(corio_executor::current_task().is_none()); // main is not a task
///     let t = corio_executor::spawn(async { corio_executor::current_task().is_some() });
///     assert!(t.await.unwrap());
/// });
/// ```
pub fn current_task() -> Option<CurrentTask> {
    context::with_current_task(|m| {
        m.map(|m| CurrentTask {
            id: m.id,
            name: m.name_shared(),
            location: m.location,
        })
    })
}

/// Whether a corio loop is running on this thread.
///
/// # Examples
///
/// ```
/// assert!(!corio_executor::in_loop());
/// corio_executor::run(async { assert!(corio_executor::in_loop()) });
/// ```
pub fn in_loop() -> bool {
    context::loop_is_running()
}

/// The live tasks of the loop running on this thread (asyncio's `all_tasks()`); empty
/// outside any loop. On a worker of a multi-thread executor, that executor's tasks.
///
/// A task appears from its first poll until it ends.
///
/// # Examples
///
/// ```
/// assert!(corio_executor::all_tasks().is_empty()); // no loop here
/// ```
pub fn all_tasks() -> Vec<TaskSnapshot> {
    context::with_owner(|o| match o {
        Some(o) => o.snapshot(),
        None => Vec::new(),
    })
}
