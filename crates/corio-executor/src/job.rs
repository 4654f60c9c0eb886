//! A queued task as the run queues hold it, and what an executor does with one it cannot
//! run the normal way: cancel it and run it to its end on this thread, or, when its loop
//! is gone, do that only if the task may leave its thread.

use std::cell::Cell;
use std::ptr;

use async_task::Runnable;
use corio_core::Cancelled;

use crate::context;
use crate::meta::TaskMeta;

/// A task ready to be polled, as the run queues hold it.
pub(crate) type Job = Runnable<TaskMeta>;

thread_local! {
    // The metadata of the task `run` is running on this thread, so that the future
    // async-task polls (`wrapper::TaskFuture`) need not keep a pointer to it: one word
    // less in every task.
    static RUNNING: Cell<*const TaskMeta> = const { Cell::new(ptr::null()) };
}

/// Runs a task: polls its future once, or drops it if it was cancelled by async-task.
/// Every task of this crate is run through here, never by `Runnable::run` directly, so
/// that [`running_meta`] is right while its future is polled.
#[inline]
pub(crate) fn run(job: Job) -> bool {
    struct Restore(*const TaskMeta);
    impl Drop for Restore {
        fn drop(&mut self) {
            RUNNING.with(|r| r.set(self.0));
        }
    }
    let _restore = Restore(RUNNING.with(|r| r.replace(job.metadata())));
    job.run()
}

/// The metadata of the task whose future this thread is polling: for
/// `wrapper::TaskFuture::poll`, which only async-task calls, inside [`run`].
///
/// # Panics
///
/// When no task is being run on this thread (a future polled outside [`run`]).
#[inline]
pub(crate) fn running_meta<'a>() -> &'a TaskMeta {
    let meta = RUNNING.with(Cell::get);
    assert!(!meta.is_null(), "a corio task was polled outside job::run");
    // SAFETY: `run` set the pointer to the metadata of the task it runs and restores the
    // previous one when it returns (or unwinds), so while a task's future is being polled
    // (async-task polls it only inside `Runnable::run`) the pointer is that task's
    // metadata. async-task keeps the metadata alive as long as the task's allocation,
    // which outlives every poll of its future, and the caller uses the reference only
    // during that poll.
    unsafe { &*meta }
}

/// Cancels a queued task and runs it on this thread (its owner's), so its future is
/// dropped and its handle reports `Cancelled`.
pub(crate) fn cancel_and_run(runnable: Job, why: &'static str) {
    runnable
        .metadata()
        .request_cancel(Cancelled::with_reason(why));
    run(runnable);
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
        run(runnable);
    } else {
        std::mem::forget(runnable);
    }
}
