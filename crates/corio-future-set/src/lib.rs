//! A set of futures, each with its own waker, polled only when woken: the one engine under
//! corio's [`gather`], `try_gather`, `gather_settled`, `wait` and `as_completed`
//! (corio-combinators) and under `buffered`, `buffer_unordered` and `for_each_concurrent`
//! (corio-stream).
//!
//! - [`FutureSet`]: the set; [`push`](FutureSet::push) a future, then from the owner's
//!   poll call [`begin_poll`](FutureSet::begin_poll) and
//!   [`poll_next`](FutureSet::poll_next), which yields `(slot, output)` pairs in
//!   completion order.
//! - [`DEFAULT_YIELD_AFTER`]: the yield limit of [`FutureSet::new`].
//!
//! [`gather`]: https://docs.python.org/3/library/asyncio-task.html#asyncio.gather
//!
//! # How it works
//!
//! Every slot has one waker, made when the slot is first used and reused by every future
//! that later occupies it. Waking it pushes the slot's index on a list shared with the
//! set (once, however often it is woken before it is polled) and wakes the owner only when
//! that list goes from empty to non-empty. A poll of the set polls just the listed slots,
//! so a wake costs O(1) whatever the number of futures: `n` futures cost `O(n)` polls in
//! all, never the `O(n²)` of a `join_all` that re-polls every child on each wake
//! (futures-rs #2201). The futures live in pinned boxes that slots keep and reuse: once a
//! set has reached its peak size, pushing allocates nothing.
//!
//! Two limits keep an owner with many ready children from starving its executor: at most
//! [`yield_after`](FutureSet::yield_after) child polls per owner poll (the owner marks its
//! polls with `begin_poll`; corio-combinators keep the default of 256 per poll of a
//! `gather`, corio-stream's adapters 64 per item they produce), and no more once a child
//! returned `Pending` with corio's cooperative budget spent (a child that completes is not
//! held up by the check). Either way `poll_next` wakes the owner and returns
//! `Pending`. The shared list is taken once per owner poll, so a child that wakes itself
//! (out of budget, say) is polled again at the owner's next poll, not in a spin within
//! this one (the trap FuturesUnordered fell into, which STYLE.md's pitfalls list).
//!
//! # Where it sits
//!
//! corio-combinators and corio-stream each kept a copy of this engine, differing only in
//! their yield limits and in whether the set could grow. The two crates sit side by side
//! on core and timer (DESIGN.md's crate graph), so the one engine has to live below both.
//! corio-core is not the place: it stays a shim of shared traits and error types, and a
//! future set is a combinator, which STYLE.md keeps out of it. So it is this small crate,
//! on corio-core only (for the cooperative budget); `scripts/check_dag.py` holds the edge.
//! Users who want asyncio's names reach it through `corio::gather` and friends; depend on
//! it directly only to build a combinator of your own.
//!
//! # Examples
//!
//! A `join_all` that returns the outputs in input order:
//!
//! ```
//! use corio_future_set::FutureSet;
//! use std::future::{Future, poll_fn};
//! use std::task::Poll;
//!
//! async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
//!     let mut set = FutureSet::new();
//!     let mut outputs: Vec<Option<F::Output>> = futures.into_iter().map(|f| {
//!         set.push(f);
//!         None
//!     }).collect();
//!     poll_fn(|cx| {
//!         set.begin_poll(cx);
//!         loop {
//!             match set.poll_next(cx) {
//!                 Poll::Ready(Some((slot, out))) => outputs[slot] = Some(out),
//!                 Poll::Ready(None) => return Poll::Ready(()),
//!                 Poll::Pending => return Poll::Pending,
//!             }
//!         }
//!     })
//!     .await;
//!     outputs.into_iter().map(Option::unwrap).collect()
//! }
//!
//! let out = futures::executor::block_on(join_all(vec![
//!     Box::pin(async { 1 }) as std::pin::Pin<Box<dyn Future<Output = i32>>>,
//!     Box::pin(async { 2 }),
//! ]));
//! assert_eq!(out, vec![1, 2]);
//! ```
//!
//! # When not to use this crate
//!
//! To await many futures, use corio-combinators (`gather`, `as_completed`, `wait`) or
//! corio-stream's `buffer_unordered`: they are built on this set and add the
//! bookkeeping (outputs in input order, timeouts, the call graph). For two or three
//! futures of different types, `gather!` polls them without any set.
#![forbid(unsafe_code)]

// rung 0
mod ready;
// rung 1
mod set;

pub use set::{DEFAULT_YIELD_AFTER, FutureSet};

#[cfg(test)]
mod tests;
