//! Why is my program stuck? The task call graph (asyncio 3.14's `capture_call_graph` and
//! `print_call_graph`), in the process and, through a socket, from outside it (`corio-ps`,
//! asyncio's `python -m asyncio ps` / `pstree`).
//!
//! For every live task: what it waits on (another task's handle, a task group and its
//! children, a `gather` / `wait` / `as_completed` / `shield` and what their futures wait
//! on, a semaphore with its permits and the waiter's place in the queue, a lock or an
//! `RwLock` and who holds it, a queue, an event, a barrier, a oneshot, a sleep and its
//! deadline, a socket read or write and its peer, a `to_thread` job and how long it has
//! run), its name, spawn site, state, poll count, busy time and time since its last poll;
//! and the cycles of tasks that wait on each other, named as deadlocks.
//!
//! The bookkeeping is off until something turns it on, and until then costs one relaxed
//! atomic load per wait: [`enable`] before the loop is built, [`Builder::call_graph`], debug
//! mode (`Builder::debug(true)`, `CORIO_DEBUG=1`), the [`Builder::call_graph_socket`]
//! option, or `CORIO_PS=1` in the environment (which also serves snapshots to `corio-ps`). The book's chapter "Why is my program stuck?" walks
//! through an example.
//!
//! [`Builder::call_graph`]: crate::Builder::call_graph
//! [`Builder::call_graph_socket`]: crate::Builder::call_graph_socket
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//!
//! corio::Builder::new().call_graph(true).run(async {
//!     let lock = std::rc::Rc::new(corio::Lock::new(()));
//!     let guard = lock.lock().await;
//!     let l = lock.clone();
//!     let waiter = corio::task::Builder::new()
//!         .name("waiter")
//!         .spawn(async move { drop(l.lock().await) });
//!     corio::sleep(Duration::from_millis(5)).await;
//!     let g = corio::debug::call_graph();
//!     let w = g.task(waiter.id().as_u64()).unwrap();
//!     assert_eq!(w.waits[0].kind, "Lock");
//!     corio::debug::print_call_graph();
//!     drop(guard);
//!     waiter.await.unwrap();
//! });
//! ```
//!
//! Times are measured on the wall clock. Only loops built by the facade record which task
//! is polled (`corio::run`, [`Builder`](crate::Builder)); waits of the future given to
//! `run` itself, which is not a task, are not recorded.

mod graph;
mod render;
#[cfg(unix)]
mod server;

pub use graph::{CallGraph, Cycle, TaskNode, WaitNode};
#[cfg(unix)]
pub use server::{REQUEST, SOCKET_ENV, SnapshotServer, default_socket_path, serve};

/// Turns the call-graph bookkeeping on for the process. Loops built afterwards by
/// `corio::run` or [`Builder`](crate::Builder) record which task each poll is for.
///
/// # Examples
///
/// ```
/// corio::debug::enable();
/// assert!(corio::core::callgraph::enabled());
/// ```
pub fn enable() {
    corio_core::callgraph::set_enabled(true);
}

/// The call graph of every live task in the process (asyncio's `capture_call_graph`, for
/// all tasks at once). Empty while the bookkeeping is off.
///
/// # Examples
///
/// ```
/// let g = corio::debug::call_graph();
/// assert_eq!(g.pid, std::process::id());
/// ```
pub fn call_graph() -> CallGraph {
    CallGraph::capture()
}

/// Prints the await tree ([`CallGraph::pstree`]) of every live task to stdout (asyncio's
/// `print_call_graph`), deadlocks last.
///
/// # Examples
///
/// ```
/// corio::debug::print_call_graph();
/// ```
pub fn print_call_graph() {
    print!("{}", call_graph().pstree());
}

/// The executor hooks that tell the bookkeeping which task each poll is for.
pub(crate) fn install(builder: corio_executor::Builder) -> corio_executor::Builder {
    use corio_core::callgraph;
    builder
        .on_poll_start(|t| callgraph::poll_started(t.id().as_u64(), t.name(), t.location()))
        .on_poll_end(|t| callgraph::poll_ended(t.id().as_u64()))
        .on_complete(|t, _| callgraph::task_ended(t.id().as_u64()))
}

/// Whether a loop being built should record: the bookkeeping is on, or the environment
/// asks for the snapshot socket (which it then starts).
pub(crate) fn wanted_by_env() -> bool {
    #[cfg(unix)]
    server::from_env();
    if debug_mode_from_env() {
        enable();
    }
    corio_core::callgraph::enabled()
}

/// Whether `CORIO_DEBUG` asks for debug mode (the executor's reading of it).
fn debug_mode_from_env() -> bool {
    std::env::var("CORIO_DEBUG")
        .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

/// Starts the snapshot server the builder option asked for.
#[cfg(unix)]
pub(crate) fn serve_detached(path: &std::path::Path) {
    server::start_detached(path);
}
