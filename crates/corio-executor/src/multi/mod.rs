//! The multi-thread work-stealing executor.
//!
//! Each worker has a local FIFO run queue (a bounded `concurrent-queue`, which the others
//! can steal half of at a time), a LIFO slot for the task it just woke (message-passing
//! latency: the receiver runs next, while its data is hot in cache), and an inbox of tasks
//! pinned to it (`!Send` tasks spawned on that worker). New work from outside the workers
//! goes to a global injector, which a busy worker looks at every 61 tasks, taking up to 32
//! tasks at a time. An idle worker parks on its own parker at once (no spin); work that
//! appears wakes one parked worker, never all of them.
//!
//! A busy worker still turns its driver (timers and I/O) every `DRIVER_CHECK_INTERVAL`
//! tasks, with a zero wait: otherwise a worker that always has work would never fire a
//! timer or notice a readable socket (a sleep of 20 ms under two spinning tasks once took
//! until the spinners stopped).
//!
//! # Stopping without losing a spawn
//!
//! A task scheduled from outside the workers is pushed to the injector through a gate
//! (`gate.rs`): one atomic word holding a "stopped" bit and a count of pushes in flight.
//! `shutdown` closes the gate, waits for the pushes already past it, and only then drains
//! the injector; a push that finds the gate closed cancels the task on the spot. So every
//! spawn is either run, cancelled (its handle says so), or refused, never left in a queue
//! nobody drains.

//!
//! - `shared`: what every worker and spawner share (queues, registry, gate), and spawning.
//! - `worker`: one worker thread's state and loop.
//! - `executor`: [`Executor`], the public face, with `block_on` and `shutdown`.
//! - `shutdown_report`: [`ShutdownReport`].
//!
//! Below it: the single-thread loop (which `block_on` runs on the calling thread), the
//! task layer and the thread-local context; above it: handles and builders.

mod executor;
mod shared;
mod shutdown_report;
mod worker;

pub use executor::Executor;
pub(crate) use executor::{MakeLoop, MultiOptions};
pub(crate) use shared::Shared;
pub use shutdown_report::ShutdownReport;
pub(crate) use worker::WorkerCtx;

use crate::context;

/// Runs `f` with this thread's worker state, if it is a worker of a multi-thread executor.
#[inline]
pub(crate) fn with_worker<R>(f: impl FnOnce(Option<&WorkerCtx>) -> R) -> R {
    let ptr = context::worker_ptr();
    if ptr.is_null() {
        f(None)
    } else {
        // SAFETY: only `WorkerCtx::run` stores a worker pointer (through
        // `context::enter_worker`), to itself: the worker thread keeps that state on its
        // stack until the guard, dropped first, clears the pointer. Only this thread reads
        // it, and only shared references are made (the state mutates through cells and
        // thread-safe queues).
        f(Some(unsafe { &*ptr.cast::<WorkerCtx>() }))
    }
}

/// Runs `f` with the multi-thread executor reachable from this thread (its workers, and
/// threads in its `block_on`), if any.
#[inline]
pub(crate) fn with_multi<R>(f: impl FnOnce(Option<&Shared>) -> R) -> R {
    context::with_send_target(|t| f(t.and_then(|t| t.as_any().downcast_ref::<Shared>())))
}
