//! What a task's wrapper future needs from the executor that runs it, whichever executor
//! that is: the single-thread loop and the multi-thread executor each implement [`Owner`],
//! so the task layer below them names neither.

use std::task::Waker;

use crate::config::Config;
use crate::meta::TaskMeta;
use crate::snapshot::TaskSnapshot;

/// Slot value of a task not yet in its owner's registry (it registers at its first poll).
pub(crate) const UNREGISTERED: usize = usize::MAX;

/// The executor that owns the tasks polled on a thread, as those tasks see it.
pub(crate) trait Owner {
    /// Whether shutdown has begun: a task polled from now on is cancelled instead.
    fn shutting_down(&self) -> bool;
    /// The executor's configuration (debug mode, hooks, failure reporter, chaos).
    fn config(&self) -> &Config;
    /// Enters a task into the registry of live tasks; returns its slot.
    fn register(&self, waker: &Waker, meta: &TaskMeta) -> usize;
    /// Removes the task in `slot` from the registry: it has finished.
    fn finished(&self, slot: usize);
    /// Counts one task poll (the multi-thread executor counts per worker instead).
    fn count_poll(&self);
    /// Every live task, for `all_tasks`.
    fn snapshot(&self) -> Vec<TaskSnapshot>;
}
