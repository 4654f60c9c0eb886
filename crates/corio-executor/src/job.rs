//! A queued task as the run queues hold it, and what an executor does with one it cannot
//! run the normal way: cancel it and run it to its end on this thread, or, when its loop
//! is gone, do that only if the task may leave its thread.

use async_task::Runnable;
use corio_core::Cancelled;

use crate::context;
use crate::meta::TaskMeta;

/// A task ready to be polled, as the run queues hold it.
pub(crate) type Job = Runnable<TaskMeta>;

/// Cancels a queued task and runs it on this thread (its owner's), so its future is
/// dropped and its handle reports `Cancelled`.
pub(crate) fn cancel_and_run(runnable: Job, why: &'static str) {
    runnable
        .metadata()
        .request_cancel(Cancelled::with_reason(why));
    runnable.run();
}

/// A runnable whose loop is gone. A `Send` task is cancelled and run here, so its handle
/// reports `Cancelled` instead of waiting forever; a `!Send` one must not be run or
/// dropped on this thread, so it is leaked.
pub(crate) fn orphan(runnable: Job, why: &'static str) {
    if runnable.metadata().is_send() {
        runnable
            .metadata()
            .request_cancel(Cancelled::with_reason(why));
        let _aside = context::set_aside_loop();
        runnable.run();
    } else {
        std::mem::forget(runnable);
    }
}
