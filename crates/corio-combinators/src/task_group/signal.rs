//! `Signal`: whether a group member (a child or the body) had a step scheduled when the
//! group's cancellation began, and the waker of the task that polls it.
//!
//! Why: asyncio aborts a group from a callback queued behind the steps already scheduled,
//! so siblings woken in the same turn as the first failure still run that step and report
//! their own failure (TG-05, D7). A corio member's cancellation keeps that order without
//! relying on the executor's queue: each member is polled with a waker that records the
//! wake-up here, and the group's cancellation lets a member that was woken before it run
//! one last step. The same holds on the multi-thread executor, whatever runs first.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Wake, Waker};

/// Woken (or spawned) and not polled since.
const WOKEN: u8 = 1;
/// The group is cancelling this member.
const CANCEL: u8 = 2;
/// It was woken before the cancellation: it runs one more step.
const FINAL: u8 = 4;
/// Cancelled by its own handle: no further step.
const ABORT: u8 = 8;

/// What the member's next poll may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Run,
    /// The step it was woken for before the cancellation; then it is dropped.
    Last,
    Stop,
}

#[derive(Debug)]
pub(super) struct Signal {
    flags: AtomicU8,
    task: Mutex<Option<Waker>>,
}

impl Signal {
    /// A member starts scheduled: a freshly spawned task is in its executor's queue.
    pub(super) fn new() -> Self {
        Signal {
            flags: AtomicU8::new(WOKEN),
            task: Mutex::new(None),
        }
    }

    /// Remembers the waker of the task that polls the member.
    pub(super) fn register(&self, waker: &Waker) {
        let mut t = self.task.lock().unwrap_or_else(|e| e.into_inner());
        match &*t {
            Some(w) if w.will_wake(waker) => {}
            _ => *t = Some(waker.clone()),
        }
    }

    /// Forgets the task's waker (its owner finished).
    pub(super) fn clear(&self) {
        *self.task.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Wakes the polling task without counting it as the member's own wake-up.
    pub(super) fn wake_task(&self) {
        let w = self.task.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(w) = w {
            w.wake();
        }
    }

    /// The group's cancellation reaches this member. Returns whether a step was already
    /// scheduled (it runs, then the member is dropped); `false` means the caller must wake
    /// the task so that it drops the member. Only the first call decides.
    pub(super) fn cancel(&self) -> bool {
        let r = self
            .flags
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |f| {
                if f & CANCEL != 0 {
                    None
                } else if f & WOKEN != 0 {
                    Some(f | CANCEL | FINAL)
                } else {
                    Some(f | CANCEL)
                }
            });
        match r {
            Ok(prev) => prev & WOKEN != 0,
            Err(_) => true,
        }
    }

    /// Explicit cancellation: the member is dropped at its next poll, with no last step.
    pub(super) fn abort(&self) {
        self.flags.fetch_or(ABORT, Ordering::AcqRel);
        self.wake_task();
    }

    /// Called at the start of each poll of the member.
    pub(super) fn begin_step(&self) -> Step {
        let f = self.flags.fetch_and(!(WOKEN | FINAL), Ordering::AcqRel);
        if f & ABORT != 0 {
            Step::Stop
        } else if f & CANCEL != 0 {
            if f & FINAL != 0 {
                Step::Last
            } else {
                Step::Stop
            }
        } else {
            Step::Run
        }
    }
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.flags.fetch_or(WOKEN, Ordering::AcqRel);
        self.wake_task();
    }
}
