//! asyncio's ways of awaiting many things at once, for any futures under any executor.
//!
//! | asyncio | corio-combinators |
//! |---|---|
//! | `gather(*aws)` | [`gather!`] (a tuple, mixed types) / [`gather()`] (a `Vec`, input order) |
//! | `gather(..., return_exceptions=True)` | [`gather_settled`] |
//! | `gather` failing at the first error | [`try_gather()`] / [`try_gather!`] (the rest are dropped) |
//! | `wait(aws, return_when=...)` | [`wait`] / [`wait_timeout`] with [`ReturnWhen`]: `(done, pending)`; [`wait_first_err`] for `FIRST_EXCEPTION` over tasks that return `Err` |
//! | `wait_for(aw, timeout)` | [`wait_for`] (drops the future), [`wait_for_task`] (cancels a task and awaits its unwinding) |
//! | `as_completed(aws)` | [`as_completed`] / [`as_completed_timeout`]: a [`Stream`](futures_core::Stream) |
//! | `shield(aw)` | [`shield`] / [`try_shield`] |
//! | (`FIRST_COMPLETED` of two) | [`race()`] / [`race!`] (same type), [`select`] ([`Either`]) |
//! | `TaskGroup` | [`task_group`] with [`TaskGroup`], failures in [`TaskGroupError`] |
//! | (cancel a task when its handle is dropped) | [`abort_on_drop`] |
//!
//! Everything but [`shield`] and [`task_group`] runs its children inside its own future:
//! no task is spawned, so they work under corio, tokio, smol or `futures::executor`, on
//! plain futures and corio `Task` handles alike. `shield` and `task_group` spawn tasks
//! through corio-core's [`Spawn`](corio_core::Spawn) hook, so they need a corio executor
//! (either one) on the current thread.
//!
//! # Cancellation
//!
//! Cancelling is dropping. Every combinator **drops what it owns** when it is dropped or
//! has its answer: plain futures are thereby cancelled, corio `Task` handles detach (design
//! decisions 2, 3 and 9). Where asyncio cancels a task, say so: [`wait_for_task`],
//! [`abort_on_drop`], or a [`TaskGroup`], which always cancels its children. Each async
//! item documents its cancel safety.
//!
//! # Performance
//!
//! [`gather()`], [`try_gather()`], [`gather_settled`], [`wait`] and [`as_completed`] give
//! every child its own waker and keep a list of the woken ones: a wake-up polls only the
//! child that was woken, so `n` futures cost `O(n)` polls, not `O(n²)` (gathering 100 000
//! futures is tested by counting polls). They yield to their executor after 256 child polls,
//! or once corio's cooperative budget is spent, so a large batch of ready futures cannot
//! starve the loop, and a child that keeps waking itself is not re-polled within the same
//! poll.
//!
//! That engine is the crate [corio-future-set](corio_future_set), which corio-stream's
//! `buffer_unordered` and `buffered` share; these combinators use it with its default
//! limit of 256 child polls per poll.
//!
//! # Examples
//!
//! ```
//! use corio_combinators::{as_completed, gather, try_gather, wait_for};
//! use futures::StreamExt;
//! use std::time::Duration;
//!
//! corio_executor::run(async {
//!     let (a, b) = gather!(async { 1 }, async { "b" }).await;
//!     assert_eq!((a, b), (1, "b"));
//!
//!     let squares = gather((1..=3).map(|n| async move { n * n })).await;
//!     assert_eq!(squares, vec![1, 4, 9]);
//!
//!     let all = try_gather((1..=3).map(|n| async move { Ok::<_, ()>(n) })).await;
//!     assert_eq!(all, Ok(vec![1, 2, 3]));
//!
//!     let first = as_completed([20u64, 5].map(|ms| async move {
//!         corio_timer::sleep(Duration::from_millis(ms)).await;
//!         ms
//!     }))
//!     .next()
//!     .await;
//!     assert_eq!(first, Some(5));
//!
//!     assert!(wait_for(std::future::pending::<()>(), Duration::from_millis(1)).await.is_err());
//! });
//! ```
//!
//! # When not to use this crate
//!
//! For a fixed, small set of futures inside one function, `gather!` or `race!` are all you
//! need; for an open-ended stream of work with a concurrency limit, use corio-stream's
//! concurrency-limited maps instead of gathering everything at once.
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/combinators.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).
#![forbid(unsafe_code)]

mod abort_on_drop;
mod as_completed;
mod catch_unwind;
mod gather;
mod gather_settled;
mod input_set;
mod race;
mod select;
mod shield;
mod task_group;
mod try_gather;
mod tuple;
mod wait;
mod wait_for;
mod wait_for_task;

pub use abort_on_drop::{AbortOnDrop, abort_on_drop};
pub use as_completed::{AsCompleted, AsCompletedTimeout, as_completed, as_completed_timeout};
pub use gather::{Gather, gather};
pub use gather_settled::{GatherSettled, gather_settled};
pub use race::{Race, race};
pub use select::{Either, Select, select};
pub use shield::{Shield, shield, try_shield};
pub use task_group::{
    Failure, FailureKind, FailureSource, GroupSpawnError, GroupTask, GroupTaskError, TaskGroup,
    TaskGroupError, TaskGroupFuture, task_group,
};
pub use try_gather::{TryGather, try_gather};
pub use wait::{Outcome, ReturnWhen, Wait, WaitResult, wait, wait_first_err, wait_timeout};
pub use wait_for::{WaitFor, wait_for};
pub use wait_for_task::{TaskWaitFor, WaitForTask, wait_for_task};

#[doc(hidden)]
pub mod __private {
    pub use crate::tuple::{MaybeDone, TupleWake};
}
