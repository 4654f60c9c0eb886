//! What a task's wrapper future needs from the executor that runs it, whichever executor
//! that is: the single-thread loop and the multi-thread executor each implement [`Owner`],
//! so the task layer below them names neither.
//!
//! Every poll reads the shutdown flag and the configuration, so [`OwnerRef`] carries
//! direct pointers to them (and to the poll counter) next to the trait object: measured
//! with callgrind, calling through the trait object on every poll cost about 8 more
//! instructions per `yield_now` than the enum of both executors it replaced.

use std::cell::Cell;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Waker;

use crate::config::Config;
use crate::meta::TaskMeta;
use crate::snapshot::TaskSnapshot;

/// Slot value of a task not yet in its owner's registry (it registers at its first poll).
pub(crate) const UNREGISTERED: usize = usize::MAX;

/// The executor that owns the tasks polled on a thread, as those tasks see it.
pub(crate) trait Owner {
    /// Set once shutdown begins: a task polled from then on is cancelled instead.
    fn shutting_down_flag(&self) -> &AtomicBool;
    /// The executor's configuration (debug mode, hooks, failure reporter, chaos).
    fn config(&self) -> &Config;
    /// The counter of task polls, if the executor counts them per poll (the multi-thread
    /// executor counts them per worker instead).
    fn poll_counter(&self) -> Option<&Cell<u64>>;
    /// Enters a task into the registry of live tasks; returns its slot.
    fn register(&self, waker: &Waker, meta: &TaskMeta) -> usize;
    /// Removes the task in `slot` from the registry: it has finished.
    fn finished(&self, slot: usize);
    /// Every live task, for `all_tasks`.
    fn snapshot(&self) -> Vec<TaskSnapshot>;
}

/// A pointer to an [`Owner`], with its hot fields resolved once, when the thread's context
/// is entered.
#[derive(Clone, Copy)]
pub(crate) struct OwnerRef {
    owner: NonNull<dyn Owner>,
    shutting_down: NonNull<AtomicBool>,
    config: NonNull<Config>,
    polls: Option<NonNull<Cell<u64>>>,
}

impl OwnerRef {
    /// Resolves `owner`'s hot fields. The result is only valid while `owner` is: the
    /// context that stores it guarantees that.
    pub(crate) fn new(owner: &(dyn Owner + 'static)) -> Self {
        OwnerRef {
            owner: NonNull::from(owner),
            shutting_down: NonNull::from(owner.shutting_down_flag()),
            config: NonNull::from(owner.config()),
            polls: owner.poll_counter().map(NonNull::from),
        }
    }

    /// Borrows the owner for `'a`.
    ///
    /// # Safety
    ///
    /// The owner this was made from must be alive for `'a`.
    #[inline]
    pub(crate) unsafe fn borrow<'a>(self) -> OwnerView<'a> {
        // SAFETY: the caller guarantees the owner (and so the fields it lent) outlive `'a`.
        unsafe {
            OwnerView {
                owner: self.owner.as_ref(),
                shutting_down: self.shutting_down.as_ref(),
                config: self.config.as_ref(),
                polls: self.polls.map(|p| p.as_ref()),
            }
        }
    }
}

/// A borrowed [`Owner`], as `context::with_owner` hands it out.
#[derive(Clone, Copy)]
pub(crate) struct OwnerView<'a> {
    owner: &'a dyn Owner,
    shutting_down: &'a AtomicBool,
    config: &'a Config,
    polls: Option<&'a Cell<u64>>,
}

impl<'a> OwnerView<'a> {
    /// Whether shutdown has begun.
    #[inline]
    pub(crate) fn shutting_down(self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    #[inline]
    pub(crate) fn config(self) -> &'a Config {
        self.config
    }

    #[inline]
    pub(crate) fn count_poll(self) {
        if let Some(p) = self.polls {
            p.set(p.get().wrapping_add(1));
        }
    }

    pub(crate) fn register(self, waker: &Waker, meta: &TaskMeta) -> usize {
        self.owner.register(waker, meta)
    }

    pub(crate) fn finished(self, slot: usize) {
        self.owner.finished(slot);
    }

    pub(crate) fn snapshot(self) -> Vec<TaskSnapshot> {
        self.owner.snapshot()
    }
}
