//! The small, stable middle of corio: the traits and error types its crates share.
//!
//! It sits at the bottom of the crates' dependency graph: `corio-sync`, `corio-timer`,
//! `corio-executor` and `corio-net` depend on it and on no other corio crate, so that a
//! user can take `corio-sync` or `corio-timer` alone and still have them cooperate with
//! whatever loop is running (the executor drives timers and I/O through [`Driver`] without
//! naming those crates). `corio-combinators` and `corio-stream` add `corio-timer` (and
//! `corio-stream`'s default `sync` feature `corio-sync`), `corio-hyper` adds `corio-net`
//! and `corio-timer`, and the `corio` facade depends on all of them; `corio-macros`
//! depends on no corio crate. It holds:
//!
//! - [`Driver`] and [`Unpark`]: how an event loop waits. The loop owns a stack of drivers
//!   (a timer wheel on top of an I/O reactor on top of a [`ThreadParker`]) and turns it
//!   when it has nothing to run, without naming the crates that provide the layers.
//! - [`Spawn`] and [`context`]: how a leaf crate (a task group, say) spawns onto whatever
//!   loop is current, again without naming the executor crate; [`SharedTask`] runs a
//!   [`LocalTask`] that the spawner shares with the executor, unboxed.
//! - [`callgraph`]: the hooks by which futures record what the current task waits on
//!   (`corio::debug::call_graph()`), one atomic load each while unused.
//! - [`coop`]: the cooperative poll budget that keeps one busy task from starving the rest.
//! - The shared error types: [`Cancelled`], [`Elapsed`], [`JoinError`].
//! - Re-exports of the ecosystem's traits rather than new ones: [`Stream`] is the async
//!   iterator, [`AsyncRead`] and [`AsyncWrite`] are the byte streams.
//!
//! # Examples
//!
//! ```
//! use corio_core::{Cancelled, JoinError};
//!
//! let err = JoinError::Cancelled(Cancelled::with_reason("shutting down"));
//! assert!(err.is_cancelled());
//! assert_eq!(err.to_string(), "task was cancelled: shutting down");
//! ```
//!
//! # When not to use this crate
//!
//! Applications want the `corio` facade; this crate is for code that must stay independent
//! of which corio crates are linked in.
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/decisions.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).
#![forbid(unsafe_code)]

pub mod callgraph;
pub mod context;
pub mod coop;
mod driver;
mod error;
#[cfg(corio_loom)]
#[doc(hidden)]
pub mod mutation;
mod park;
mod spawn;
pub mod time;

pub use driver::{Driver, Enter, Entry, Unpark, Unparker};
pub use error::{Cancelled, Elapsed, JoinError, PanicPayload, panic_message};
pub use park::ThreadParker;
pub use spawn::{
    Abort, BoxFuture, LocalBoxFuture, LocalTask, SharedTask, Spawn, SpawnError, SpawnedTask,
    TaskControl,
};

#[doc(no_inline)]
pub use futures_core::Stream;
#[doc(no_inline)]
pub use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};
