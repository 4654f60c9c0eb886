//! Which executor a task belongs to, as the task's wrapper future sees it while polled:
//! the loop running on this thread, or the multi-thread executor whose worker this is.

use std::task::Waker;

use crate::config::Config;
use crate::local::Local;
use crate::meta::TaskMeta;
use crate::multi;

#[derive(Clone, Copy)]
pub(crate) enum Owner<'a> {
    Local(&'a Local),
    Multi(&'a multi::Shared),
}

/// Slot value of a task not yet in its owner's registry (it registers at its first poll).
pub(crate) const UNREGISTERED: usize = usize::MAX;

impl<'a> Owner<'a> {
    #[inline]
    pub(crate) fn shutting_down(self) -> bool {
        match self {
            Owner::Local(l) => l.is_shutting_down(),
            Owner::Multi(m) => m.is_shutting_down(),
        }
    }

    #[inline]
    pub(crate) fn config(self) -> &'a Config {
        match self {
            Owner::Local(l) => l.config(),
            Owner::Multi(m) => m.config(),
        }
    }

    pub(crate) fn register(self, waker: &Waker, meta: &TaskMeta) -> usize {
        match self {
            Owner::Local(l) => l.register(waker, meta),
            Owner::Multi(m) => m.register(waker, meta),
        }
    }

    pub(crate) fn finished(self, slot: usize) {
        match self {
            Owner::Local(l) => l.task_finished(slot),
            Owner::Multi(m) => m.task_finished(slot),
        }
    }

    #[inline]
    pub(crate) fn count_poll(self) {
        match self {
            Owner::Local(l) => l.count_poll(),
            Owner::Multi(_) => {} // counted per worker by the worker loop
        }
    }
}
