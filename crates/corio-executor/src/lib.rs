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
//! Each task poll gets a budget ([`corio_core::coop::task_poll`]) of operations on
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

// The modules form a ladder: each imports only from its own rung or the rungs below it
// (doc links aside), and the imports within one rung have no cycle.
// `scripts/check_ladder.py` reads the `// rung` lines below and checks both in CI.

// rung 1, leaves: seeded randomness, loom-only mutation switches, `yield_now`, task
// locals.
mod chaos;
#[cfg(corio_loom)]
mod mutation;
mod task_local;
mod yield_now;
// rung 2, a task's identity and settings: id, name, state, cancellation and callbacks;
// what introspection reports; unobserved failures; an executor's settings and hooks;
// slow-poll reports.
mod config;
mod debug;
mod meta;
mod report;
mod snapshot;
// rung 3, the thread-local context: what a task needs of its executor (a trait), which
// executor and task run on this thread (knowing neither executor), and the questions
// asked of it (`current_task`, `all_tasks`, `in_loop`).
mod context;
mod current;
mod owner;
// rung 4, the task: the future async-task runs around the user's, waiting on a plain
// thread, the abort handle, the `Task` handle, a queued task and what to do with one its
// executor cannot run.
mod abort_handle;
mod block_on_thread;
mod job;
mod task_handle;
mod wrapper;
// rung 5, machinery both executors use: the registry of live tasks, eager start, the
// gate spawns race shutdown through, a loop's inbox, parked workers, run queues, the
// blocking pool.
mod blocking;
mod eager;
mod gate;
mod inbox;
mod queues;
mod registry;
mod sleepers;
// rung 6, the single-thread loop.
mod local;
// rung 7, the multi-thread executor (its `block_on` runs a rung-6 loop).
mod multi;
// rung 8, above both executors: spawning from any thread, `run`/`spawn`, the builders,
// the loop cache.
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
