//! asyncio's synchronisation primitives and queues, for any executor.
//!
//! Every type here works under corio's loop, tokio, smol or `futures::executor` alike: the
//! crate depends on `corio-core` only, keeps its state under short-lived `std` mutexes and
//! wakes tasks through their `Waker`s.
//!
//! | asyncio | corio-sync |
//! |---|---|
//! | `Semaphore`, `BoundedSemaphore` | [`Semaphore`] ([`SemaphorePermit`], [`OwnedSemaphorePermit`]), [`BoundedSemaphore`] |
//! | `Lock` | [`Lock<T>`](Lock) ([`LockGuard`], [`OwnedLockGuard`]); and [`RwLock`] |
//! | `Event` | [`Event`] |
//! | `Condition` | [`Condition`], used with a [`Lock`] |
//! | `Barrier` | [`Barrier`] ([`BarrierWaitResult`], [`BrokenBarrier`]) |
//! | `Queue`, `PriorityQueue`, `LifoQueue` | [`Queue`], [`PriorityQueue`], [`LifoQueue`] |
//! | `Future` + `set_result` | [`oneshot`] |
//! | `Task.cancel(msg)`, cooperatively | [`CancelToken`] |
//! | (built by hand in asyncio) | [`broadcast`], [`watch`] |
//!
//! # Guarantees
//!
//! - **Fairness.** [`Semaphore`], [`Lock`], [`RwLock`] and the queues serve waiters in
//!   FIFO order, and hand what they release straight to the first waiter: a `try_*` or
//!   `*_nowait` call never takes it first. Each type documents its policy.
//! - **Cancel safety.** Cancelling is dropping the future. Every `acquire`, `lock`,
//!   `get` and `put` can be dropped at any moment, even after it was woken with a permit,
//!   the lock or an item reserved for it: what it was handed passes to the next waiter.
//!   Nothing is lost, nothing leaks, no waiter entry is left behind. Every async method
//!   has a `# Cancel safety` section.
//! - **Cooperation.** The fast paths of `acquire`, `lock`, `get`, `put` and `recv` spend
//!   corio's [cooperative budget](corio_core::coop), so a task looping on an always-ready
//!   queue still yields to the loop. Outside corio the budget is unlimited.
//! - `unsafe` code in one place only: [`Lock`] keeps its value inline in an `UnsafeCell`
//!   (`lock.rs`, each block with its `SAFETY` argument, run under miri); every other
//!   module is free of it (`#![deny(unsafe_code)]` at the crate root).
//!
//! Where corio differs from asyncio on purpose: a notification consumed by a cancelled
//! [`Condition`] waiter passes to the next waiter (Decision 6); [`PriorityQueue`] is FIFO
//! among equal items (Decision 8); errors are typed values, not exceptions.
//!
//! # Examples
//!
//! asyncio's "limit concurrency" pattern:
//!
//! ```
//! use corio_sync::Semaphore;
//! use std::sync::Arc;
//!
//! corio_executor::run(async {
//!     let sem = Arc::new(Semaphore::new(3));
//!     let tasks: Vec<_> = (0..10)
//!         .map(|i| {
//!             let sem = sem.clone();
//!             corio_executor::spawn(async move {
//!                 let _permit = sem.acquire().await.unwrap(); // async with sem:
//!                 corio_executor::yield_now().await;
//!                 i
//!             })
//!         })
//!         .collect();
//!     let mut total = 0;
//!     for t in tasks {
//!         total += t.await.unwrap();
//!     }
//!     assert_eq!(total, 45);
//! });
//! ```
//!
//! # Why the waiter lists are corio's own
//!
//! Every primitive queues its waiters in one slab-backed list (`waiters.rs`) whose
//! entries carry a state next to the waker. The hand-over primitives need that state:
//! [`Semaphore`], [`Lock`], [`RwLock`], the queues and [`Condition`] give what they release
//! (a permit, the lock, an item, a notification) to one particular waiter at release time
//! and record it in that waiter's entry, so a `try_*` call cannot take it first (FIFO,
//! no barging) and a waiter dropped after being woken hands it to the next one (cancel
//! safety, Decision 6). A wake-only list such as `event-listener` says "look again", not
//! "this is yours": the reservation would need a second structure and a hand-back
//! protocol beside it. The same list also gives `waiter_count()` (feature `testing`) and
//! runs under the loom models through this crate's `sync` shim.
//!
//! [`Event`], [`CancelToken`] and [`Barrier`] only broadcast, so `event-listener` could
//! serve them. Measured with `cargo bench -p corio-benches --bench sync_primitives --
//! event_fanout` (1 000 waiters released by one `set`, 2-core VM, medians of three runs):
//! `Event` on the waiter list 250 µs, `Event` rebuilt on `event-listener` 5.4 (an atomic
//! flag plus `Event::notify`) 271 µs; a bare `event_listener::Event` without the flag,
//! 232-240 µs. Not faster, and its internals would be invisible to the loom models, so
//! the three keep the waiter list.
//!
//! # Features
//!
//! - `testing`: `waiter_count()` on every type that queues waiters, so tests can check
//!   that no waiter entry is left behind.
//!
//! # When not to use this crate
//!
//! - To protect data only touched between awaits (no `.await` while holding it), a
//!   `std::sync::Mutex` is simpler and faster.
//! - Within one thread with `!Send` data, `RefCell`s and `Rc`s beat any lock.
//! - For high-throughput channels without asyncio's `task_done`/`join` and `maxsize`
//!   semantics, a dedicated channel crate may be faster than [`Queue`].
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/primitives.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).
#![deny(unsafe_code)]

mod barrier;
mod bounded_semaphore;
pub mod broadcast;
mod cancel_token;
mod condition;
mod event;
mod lifo_queue;
mod lock;
#[cfg(corio_loom)]
pub mod mutation;
pub mod oneshot;
mod priority_queue;
mod queue;
mod queue_storage;
mod rwlock;
mod semaphore;
mod sync;
mod waiters;
pub mod watch;

pub use barrier::{Barrier, BarrierWaitResult, BrokenBarrier};
pub use bounded_semaphore::{BoundedReleaseError, BoundedSemaphore};
pub use cancel_token::{CancelDropGuard, CancelToken};
pub use condition::Condition;
pub use event::Event;
pub use lifo_queue::LifoQueue;
pub use lock::{Lock, LockGuard, OwnedLockGuard, TryLockError};
pub use priority_queue::PriorityQueue;
pub use queue::{Queue, QueueShutDown, TaskDoneError, TryGetError, TryPutError};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

/// The named futures the primitives' async methods return (async-lock's shape).
///
/// They live here rather than at the crate root so that `use corio_sync::*` never
/// shadows `std::io::{Read, Write}` or another crate's `Wait`: name them only to store
/// one in a struct field. Each is `#[must_use]`, has a `Debug` impl, and documents on
/// its method what dropping it does (its cancel safety).
///
/// # Examples
///
/// ```
/// use corio_sync::futures::Acquire;
/// use corio_sync::Semaphore;
///
/// let sem = Semaphore::new(1);
/// let pending: Acquire<'_> = sem.acquire(); // a future, not yet polled
/// let permit = corio_executor::run(pending).unwrap();
/// assert_eq!(sem.available_permits(), 0);
/// drop(permit);
/// ```
pub mod futures {
    pub use crate::barrier::BarrierWait;
    pub use crate::cancel_token::WaitCancelled;
    pub use crate::condition::{CondWait, CondWaitFor};
    pub use crate::event::EventWait;
    pub use crate::lock::{LockFuture, OwnedLockFuture};
    pub use crate::queue::futures::{Get, Join, Put};
    pub use crate::rwlock::{Read, Write};
    pub use crate::semaphore::{Acquire, AcquireOwned};
}
