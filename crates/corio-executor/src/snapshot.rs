//! What introspection reports: a snapshot of one task, a table of them, and an
//! executor's counters. Plain data, below both executors.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use crate::meta::{TaskId, TaskState};

/// One live task, as [`all_tasks`](crate::all_tasks) and [`Executor::all_tasks`](crate::Executor::all_tasks)
/// report it.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let t = corio_executor::task::Builder::new().name("idle").spawn(std::future::pending::<()>());
///     corio_executor::yield_now().await;
///     let all = corio_executor::all_tasks();
///     assert_eq!(all.len(), 1);
///     assert_eq!(all[0].name(), Some("idle"));
///     assert_eq!(all[0].polls(), 1);
///     t.abort();
/// });
/// ```
#[derive(Clone, Debug)]
pub struct TaskSnapshot {
    pub(crate) id: TaskId,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) state: TaskState,
    pub(crate) polls: u32,
    pub(crate) since_last_poll: Option<Duration>,
}

impl TaskSnapshot {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where it was spawned.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// What it is doing.
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// How many times it has been polled.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// Time since its last poll began; recorded in debug mode only (`None` otherwise).
    pub fn since_last_poll(&self) -> Option<Duration> {
        self.since_last_poll
    }
}

impl fmt::Display for TaskSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<8} {:<20} {:<10} {:>6} polls",
            self.id.to_string(),
            self.name().unwrap_or("-"),
            state_label(self.state),
            self.polls
        )?;
        if let Some(d) = self.since_last_poll {
            write!(f, "  last poll {:.1} ms ago", d.as_secs_f64() * 1e3)?;
        }
        write!(f, "  spawned at {}", self.location)
    }
}

/// A table of `tasks`, one line each, for logs and debugging.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let t = corio_executor::task::Builder::new().name("sleeper").spawn(std::future::pending::<()>());
///     corio_executor::yield_now().await;
///     let table = corio_executor::dump(&corio_executor::all_tasks());
///     assert!(table.contains("sleeper"));
///     println!("{table}");
///     t.abort();
/// });
/// ```
pub fn dump(tasks: &[TaskSnapshot]) -> String {
    let mut out = format!(
        "{:<8} {:<20} {:<10} {:>12}  where\n",
        "id", "name", "state", "polls"
    );
    for t in tasks {
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out
}

/// An executor's counters.
///
/// # Examples
///
/// ```
/// let ex = corio_executor::LocalExecutor::new();
/// ex.block_on(async { corio_executor::spawn(async {}).await.unwrap() });
/// let m = ex.metrics();
/// assert_eq!((m.tasks_spawned, m.tasks_alive), (1, 0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Worker threads (1 for the single-thread loop).
    pub workers: usize,
    /// Tasks alive now (from their first poll until they end).
    pub tasks_alive: usize,
    /// Tasks spawned so far.
    pub tasks_spawned: u64,
    /// Task polls so far.
    pub polls: u64,
    /// Successful steals between workers so far.
    pub steals: u64,
}

pub(crate) fn state_label(s: TaskState) -> &'static str {
    match s {
        TaskState::Idle => "idle",
        TaskState::Running => "running",
        TaskState::Cancelling => "cancelling",
    }
}
