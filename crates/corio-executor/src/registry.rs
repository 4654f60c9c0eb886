//! The live tasks of a loop: a waker to reach each one at shutdown, and a pointer to its
//! metadata for introspection.

use std::ptr::NonNull;
use std::task::Waker;
use std::time::Duration;

use crate::meta::TaskMeta;
use crate::snapshot::TaskSnapshot;

/// One live task: a pointer to its metadata, and a reference count on the task that keeps
/// it alive (as holding one of its wakers would) until the entry is dropped.
///
/// The count is that of the waker given to [`new`](Self::new), kept without the waker
/// itself: its data and vtable are recorded in the task's metadata (the handle's
/// [`abort`](crate::Task::abort) wakes the task through them too), so an entry is one
/// pointer instead of three.
pub(crate) struct Entry {
    meta: NonNull<TaskMeta>,
}

// SAFETY: `meta` points into the task's allocation, which the entry's reference count
// keeps alive for as long as the entry exists. `TaskMeta` is `Sync` (atomics, a mutex, a
// once-set box), so reading it from any thread is sound, and the pointer is only ever used
// for shared access. Dropping the entry drops a waker of the task, which async-task allows
// on any thread.
unsafe impl Send for Entry {}
// SAFETY: as above; the entry only gives out shared references.
unsafe impl Sync for Entry {}

impl Entry {
    /// `waker` is a waker of the task whose metadata `meta` is; the entry keeps its count.
    pub(crate) fn new(waker: Waker, meta: &TaskMeta) -> Self {
        meta.set_waker(&waker);
        std::mem::forget(waker);
        Entry {
            meta: NonNull::from(meta),
        }
    }

    /// A waker of the task (a counted one, from the recorded parts).
    pub(crate) fn waker(&self) -> Waker {
        self.meta()
            .waker()
            .expect("a registered task has its waker recorded")
    }

    pub(crate) fn meta(&self) -> &TaskMeta {
        // SAFETY: see the `Send` impl: the entry's count keeps the pointee alive, and the
        // returned reference is bounded by the borrow of the entry.
        unsafe { self.meta.as_ref() }
    }

    pub(crate) fn snapshot(&self, now_nanos: Option<u64>) -> TaskSnapshot {
        let m = self.meta();
        let since_last_poll = match (now_nanos, m.last_poll_nanos()) {
            (Some(now), Some(then)) => Some(Duration::from_nanos(now.saturating_sub(then))),
            _ => None,
        };
        TaskSnapshot {
            id: m.id,
            name: m.name_shared(),
            location: m.location,
            state: m.state(),
            polls: m.polls(),
            since_last_poll,
        }
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        // SAFETY: the entry holds the count of the waker given to `new`, whose parts the
        // metadata recorded; this gives it back, once. The metadata is not touched after
        // the waker is dropped (which may free the task).
        unsafe { self.meta.as_ref().release_waker() }
    }
}
