//! corio's event loop: asyncio's `run`, `create_task` and `Task`, in Rust.
//!
//! - [`run`]: asyncio.run. Builds a loop on this thread, runs the future to completion,
//!   then cancels and drains every task still alive, and returns the future's output.
//! - [`spawn`] (alias [`create_task`]): starts a task on the running loop and returns its
//!   [`Task`] handle. `task.await` gives `Result<T, JoinError>`; a panic in a task becomes
//!   [`JoinError::Panicked`] and the loop goes on. **A dropped handle detaches the task.**
//! - [`Task::cancel`] / [`Task::cancel_with`] (wait until unwound), [`Task::abort`] (don't),
//!   [`Task::on_done`], [`Task::is_finished`], ids, names and spawn locations.
//! - [`yield_now`]: exactly one turn of the loop. The ready queue is FIFO, so the order in
//!   which tasks run is the order in which they were woken, as in asyncio.
//! - [`LocalExecutor`]: the single-thread loop itself, for `!Send` futures and for tests
//!   ([`LocalExecutor::run_until_stalled`]). [`Builder`] configures it.
//! - [`Executor`]: the multi-thread work-stealing executor ([`Builder::multi_thread`]),
//!   with [`spawn_send`] for tasks that may run on any worker.
//! - [`to_thread`] / [`spawn_blocking`]: blocking code on a bounded [`BlockingPool`].
//! - [`Handle`]: spawn onto a loop from any thread ([`Handle::spawn`],
//!   [`Handle::call_soon`]); [`Task::join_blocking`] waits on a plain thread.
//! - Debug mode, [`current_task`], [`all_tasks`], [`dump`], [`Metrics`], hooks, and
//!   [`TaskLocal`] values (asyncio's contextvars).
//!
//! # Examples
//!
//! ```
//! use corio_executor::{run, spawn, yield_now};
//!
//! let total = run(async {
//!     let tasks: Vec<_> = (1..=3)
//!         .map(|i| spawn(async move {
//!             yield_now().await;
//!             i * 10
//!         }))
//!         .collect();
//!     let mut sum = 0;
//!     for t in tasks {
//!         sum += t.await.unwrap();
//!     }
//!     sum
//! });
//! assert_eq!(total, 60);
//! ```
//!
//! # `spawn` and `spawn_send`
//!
//! [`spawn`] never moves a future to another thread, so it accepts `!Send` futures: on the
//! single-thread loop (and in [`Executor::block_on`]) the task runs on the loop's thread;
//! **on a worker of the multi-thread executor it stays on that worker** and is never
//! stolen. [`spawn_send`] takes `Send` futures and, on the multi-thread executor, lets any
//! worker run them: use it there for work that should spread across cores. On the
//! single-thread loop the two are the same.
//!
//! # Features
//!
//! - `tracing`: every task poll runs inside a `corio.task` span carrying the task's id,
//!   name and spawn site.
//!
//! # Fairness and the cooperative budget
//!
//! Each task poll gets a budget of [`corio_core::coop::DEFAULT_BUDGET`] operations on
//! corio's primitives; a task that spends it is sent to the back of the queue. Every 61
//! polls the loop also looks at its driver (timers, I/O) and at wake-ups from other threads.
//!
//! # When not to use this crate
//!
//! Use the `corio` facade unless you need the loop without timers, sockets or the rest.
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/tasks.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).

// The modules form a ladder: each imports only from the rungs below it (doc links
// aside), never from above.
//
// 1. Leaves: `chaos` (seeded randomness), `mutation` (loom-only switches), `yield_now`,
//    `task_local`.
// 2. A task's identity and settings: `meta` (id, name, state, cancellation, callbacks),
//    `snapshot` (what introspection reports), `report` (unobserved failures), `config`
//    (an executor's settings and hooks), `debug` (slow-poll reports).
// 3. The thread-local context: `owner` (what a task needs of its executor, as a trait),
//    `context` (which executor and task run on this thread, knowing neither executor),
//    `current` (`current_task`, `all_tasks`, `in_loop`).
// 4. The task: `wrapper` (the future async-task runs around the user's), `block_on_thread`
//    (waiting on a plain thread), `abort_handle`, `task` (the `Task` handle), `job` (a
//    queued task, and cancelling one its executor cannot run).
// 5. Machinery both executors use: `registry` (live tasks), `eager` (eager start), `gate`
//    (spawns racing shutdown), `sleepers` (parked workers), `queues` (run queues),
//    `blocking` (the blocking pool).
// 6. `local`: the single-thread loop.
// 7. `multi`: the multi-thread executor (its `block_on` runs a `local` loop).
// 8. Above both: `handle` (spawning from any thread), `entry` (`run`, `spawn`, ...),
//    `builder`, `task_builder`, `loop_cache`.

// 1
mod chaos;
#[cfg(corio_loom)]
mod mutation;
mod task_local;
mod yield_now;
// 2
mod config;
mod debug;
mod meta;
mod report;
mod snapshot;
// 3
mod context;
mod current;
mod owner;
// 4
mod abort_handle;
mod block_on_thread;
mod job;
mod task_handle;
mod wrapper;
// 5
mod blocking;
mod eager;
mod gate;
mod queues;
mod registry;
mod sleepers;
// 6, 7
mod local;
mod multi;
// 8
mod builder;
mod entry;
mod handle;
mod loop_cache;
mod task_builder;

pub use abort_handle::AbortHandle;
pub use blocking::{
    BlockingPool, CancelFlag, PoolStats, spawn_blocking, spawn_blocking_with, to_thread,
};
pub use builder::Builder;
pub use config::TaskView;
pub use corio_core::{Cancelled, JoinError, SpawnError};
pub use current::{CurrentTask, all_tasks, current_task, in_loop};
pub use debug::slow_polls_reported;
pub use entry::{create_task, run, spawn, spawn_send, try_spawn, try_spawn_send};
pub use handle::Handle;
pub use local::LocalExecutor;
pub use loop_cache::LoopCache;
pub use meta::{TaskId, TaskState, TaskStatus};
pub use multi::{Executor, ShutdownReport};
pub use report::UnobservedFailure;
pub use snapshot::{Metrics, TaskSnapshot, dump};
pub use task_local::{Inherit, Scope, TaskLocal};
pub use yield_now::{YieldNow, yield_now};

/// Tasks: the [`Task`] handle, its cancellation, and spawning with options.
pub mod task {
    pub use crate::meta::TaskStatus as Status;
    pub use crate::task_builder::Builder;
    pub use crate::task_handle::{Cancel, CancelOnDrop, Task};
}
pub use task::{Cancel, CancelOnDrop, Task};
