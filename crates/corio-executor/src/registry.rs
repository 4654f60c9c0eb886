//! The live tasks of a loop: a waker to reach each one at shutdown, and a pointer to its
//! metadata for introspection.

use std::task::Waker;
use std::time::Duration;

use crate::meta::TaskMeta;
use crate::snapshot::TaskSnapshot;

pub(crate) struct Entry {
    waker: Waker,
    meta: *const TaskMeta,
}

// SAFETY: `meta` points into the task's allocation, which `waker` keeps alive (a waker
// holds a reference count on the task) for as long as the entry exists. `TaskMeta` is
// `Sync` (atomics, a mutex, a `OnceLock`), so reading it from any thread is sound, and the
// pointer is only ever used for shared access.
unsafe impl Send for Entry {}
// SAFETY: as above; the entry only gives out shared references.
unsafe impl Sync for Entry {}

impl Entry {
    pub(crate) fn new(waker: Waker, meta: &TaskMeta) -> Self {
        Entry {
            waker,
            meta: meta as *const TaskMeta,
        }
    }

    pub(crate) fn waker(&self) -> &Waker {
        &self.waker
    }

    pub(crate) fn meta(&self) -> &TaskMeta {
        // SAFETY: see the `Send` impl: the entry's own waker keeps the pointee alive, and
        // the returned reference is bounded by the borrow of the entry.
        unsafe { &*self.meta }
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
