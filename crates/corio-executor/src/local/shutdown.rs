//! Ending a loop: cancelling every live task and running it until its future is dropped,
//! closing the queue other threads reach it through, and reopening a drained loop.

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Waker;

use super::event_loop::{Entry, Local};
use crate::context;
use crate::registry::Entry as Registered;

impl Local {
    /// Makes a shut-down loop usable again, if it is fully drained and nothing outside
    /// refers to it (no task handle, waker or unparker from its earlier life).
    pub(crate) fn is_clean(&self) -> bool {
        self.closed.get()
            && Arc::strong_count(&self.shared) == 1
            && self.ready.borrow().is_empty()
            && self.active.borrow().is_empty()
    }

    pub(crate) fn reopen(&self) -> bool {
        let clean = self.is_clean();
        if clean {
            // Both shutdown paths closed the remote queue.
            if self.remote_closed.replace(false) {
                let mut remote = self.shared.inbox.lock();
                remote.closed = false;
                remote.main_woken = false;
            }
            self.shared.spawns_refused.store(false, Ordering::Release);
            self.shared.inbox.forget_posts();
            self.main_queued.set(false);
            self.shutting_down.store(false, Ordering::Relaxed);
            self.closed.set(false);
        }
        clean
    }

    /// Cancels every live task, runs them until their futures are dropped, and closes the
    /// loop for good. Idempotent.
    pub(crate) fn shutdown(self: &Rc<Self>) {
        if self.closed.get() {
            return;
        }
        // Fast path: nothing alive, nothing queued, and no task, waker or unparker left
        // that could queue anything from another thread (the `Arc<Shared>` is ours
        // alone), so there is nothing to cancel and the remote queue needs no closing.
        if self.active.borrow().is_empty()
            && self.ready.borrow().is_empty()
            && Arc::strong_count(&self.shared) == 1
            && !self.shared.inbox.has_posts()
        {
            self.shutting_down.store(true, Ordering::Relaxed);
            self.closed.set(true);
            // A `Handle` made after this point must be refused: spawns are its only way in
            // (nothing else holds the `Arc<Shared>`, so no waker can wake anything here).
            self.shared.spawns_refused.store(true, Ordering::Release);
            return;
        }
        // A loop may be dropped inside a task of another loop on this thread: set that
        // one aside while this one winds down.
        let _aside = context::set_aside_loop();
        let _loop = context::enter_loop(self.clone(), "LocalExecutor::shutdown");
        let _spawner = corio_core::context::enter_spawner(self.clone());
        let entry = self.driver.borrow().entry();
        entry.scope(|| self.shut_down_entered());
    }

    /// The body of `shutdown`, inside the loop's context and its driver's scope.
    fn shut_down_entered(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
        self.shared.spawns_refused.store(true, Ordering::Release);
        // Each pass wakes every live task; a woken task sees the shutdown flag at its
        // next poll and drops its future. Spawns are refused from here on (a destructor
        // that spawns gets `SpawnError::Shutdown`), so the passes end.
        let mut quiet_passes = 0;
        loop {
            let busy = !self.active.borrow().is_empty()
                || !self.ready.borrow().is_empty()
                || self.shared.inbox.has_posts();
            if !busy || quiet_passes >= 3 {
                break;
            }
            let wakers: Vec<Waker> = self
                .active
                .borrow()
                .iter()
                .map(|(_, e)| e.waker())
                .collect();
            for w in wakers {
                w.wake();
            }
            if self.run_ready() == 0 {
                quiet_passes += 1;
            }
        }
        self.closed.set(true);
        self.remote_closed.set(true);
        let leftover = {
            let mut remote = self.shared.inbox.lock();
            remote.closed = true;
            std::mem::take(&mut remote.queue)
        };
        // Whatever is still queued is cancelled and run here, on the loop's own thread as
        // `!Send` futures require, so that every handle gets `Cancelled` rather than a
        // task that silently vanished. The queues keep their capacity for a reopened
        // loop; entries are moved out first, since a destructor may touch the loop.
        for r in leftover {
            crate::job::cancel_and_run(r, "the event loop shut down");
        }
        let ready: Vec<Entry> = self.ready.borrow_mut().drain(..).collect();
        for e in ready {
            if let Entry::Task(r) = e {
                crate::job::cancel_and_run(r, "the event loop shut down");
            }
        }
        let active: Vec<Registered> = self.active.borrow_mut().drain().collect();
        drop(active);
    }
}
