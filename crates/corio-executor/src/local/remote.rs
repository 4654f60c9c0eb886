//! The part of a loop other threads touch: the queue their wake-ups and spawns land in,
//! and the waker of the future given to `block_on`.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Wake;

use async_task::Runnable;
use corio_core::{SpawnError, Unparker};

use super::event_loop::Entry;
use crate::config::Config;
use crate::inbox::{Inbox, Posted};
use crate::meta::TaskMeta;
use crate::task_handle::Task;
use crate::wrapper::TaskFuture;

/// The part of a loop other threads touch: the queue their wake-ups land in.
pub(crate) struct Shared {
    pub(super) inbox: Inbox<Remote>,
    pub(super) unparker: Unparker,
    pub(super) config: Config,
    /// No more spawns from other threads are taken: set when shutdown begins (a spawn then
    /// is refused rather than queued behind the shutdown) and by the fast path, which
    /// closes nothing else; cleared by `reopen`. An atomic, so that closing a loop nobody
    /// else refers to costs no lock.
    pub(super) spawns_refused: AtomicBool,
}

pub(super) struct Remote {
    pub(super) queue: VecDeque<Runnable<TaskMeta>>,
    pub(super) main_woken: bool,
    /// No more wake-ups are taken: what arrives is cancelled (a `Send` task) or leaked.
    pub(super) closed: bool,
}

impl Shared {
    /// Spawns a `Send` future from any thread; it joins the loop's registry at its first
    /// poll, on the loop's thread.
    pub(crate) fn spawn_remote<F>(
        self: &Arc<Self>,
        future: F,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
    ) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        if self.spawns_refused.load(Ordering::Acquire) || self.inbox.lock().closed {
            return Err(SpawnError::shutdown());
        }
        let meta = TaskMeta::new(name, location);
        meta.mark_send();
        let shared = self.clone();
        // SAFETY: the conditions of `spawn_unchecked`: the future is `Send`, so its
        // runnable may be run or dropped on any thread; it is `'static` and borrows
        // nothing; the schedule function is `Send + Sync + 'static`.
        let (runnable, task) = unsafe {
            async_task::Builder::new().metadata(meta).spawn_unchecked(
                move |_: &TaskMeta| TaskFuture::new(future),
                move |r| shared.schedule(r),
            )
        };
        let waker = runnable.waker();
        runnable.schedule();
        Ok(Task::new(task, waker))
    }

    pub(super) fn schedule(self: &Arc<Self>, runnable: Runnable<TaskMeta>) {
        let mut runnable = Some(runnable);
        super::with_loop(|l| {
            if let Some(l) = l {
                if Arc::ptr_eq(&l.shared, self) {
                    if let Some(r) = runnable.take() {
                        l.ready.borrow_mut().push_back(Entry::Task(r));
                    }
                }
            }
        });
        if let Some(r) = runnable {
            self.push_remote(r);
        }
    }

    pub(super) fn push_remote(&self, runnable: Runnable<TaskMeta>) {
        let mut runnable = Some(runnable);
        let posted = self.inbox.post(|remote| {
            if remote.closed {
                return false;
            }
            remote.queue.extend(runnable.take());
            true
        });
        match posted {
            Posted::Unpark => self.unparker.unpark(),
            Posted::Queued => {}
            Posted::Refused => {
                if let Some(r) = runnable {
                    crate::job::orphan(r, "the event loop is closed");
                }
            }
        }
    }

    pub(super) fn wake_main(self: &Arc<Self>) {
        let queued_locally = super::with_loop(|l| match l {
            Some(l) if Arc::ptr_eq(&l.shared, self) => {
                l.queue_main();
                true
            }
            _ => false,
        });
        if !queued_locally {
            let posted = self.inbox.post(|remote| {
                remote.main_woken = true;
                true
            });
            if posted == Posted::Unpark {
                self.unparker.unpark();
            }
        }
    }
}

/// The waker of the future given to `block_on`.
impl Wake for Shared {
    fn wake(self: Arc<Self>) {
        self.wake_main();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_main();
    }
}
