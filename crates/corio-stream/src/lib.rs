//! asyncio's async iterators and async generators for Rust: `async for` is
//! `while let Some(x) = s.next().await` over a [`Stream`], and `async def` with `yield` is
//! [`generate`], no macro needed.
//!
//! The iterator trait is the ecosystem's [`futures_core::Stream`], so everything here
//! works with other crates' streams and under any executor (corio's, tokio, smol).
//!
//! - Async generators: [`generate`] → [`Generator`], [`try_generate`] → [`TryGenerator`];
//!   the body yields through a [`Co`] handle with [`Co::yield_`]. These run on the
//!   consumer's thread (the fast form, the one the `corio` facade's `generate` names);
//!   [`generate_send`] and [`try_generate_send`] build `Send` generators for streams that
//!   cross threads (multi-thread executors).
//! - Sources: [`iter`], [`repeat_with`], [`unfold`], `from_queue` (a corio-sync
//!   `Queue`, drained until shut down; feature `sync`, off by default),
//!   [`interval_stream`] (timer ticks).
//! - Adapters, on [`StreamExt`] (implemented for every stream):
//!   [`next`](StreamExt::next), [`map`](StreamExt::map), [`filter`](StreamExt::filter),
//!   [`then`](StreamExt::then), [`take`](StreamExt::take),
//!   [`take_while`](StreamExt::take_while), [`skip`](StreamExt::skip),
//!   [`enumerate`](StreamExt::enumerate), [`zip`](StreamExt::zip),
//!   [`merge`](StreamExt::merge), [`flatten`](StreamExt::flatten),
//!   [`chunks`](StreamExt::chunks), [`chunks_timeout`](StreamExt::chunks_timeout),
//!   [`throttle`](StreamExt::throttle), [`timeout`](StreamExt::timeout),
//!   [`buffered`](StreamExt::buffered), [`buffer_unordered`](StreamExt::buffer_unordered),
//!   [`for_each_concurrent`](StreamExt::for_each_concurrent),
//!   [`collect`](StreamExt::collect), [`fold`](StreamExt::fold).
//!
//! Each adapter documents its ordering guarantee. The time-aware ones
//! ([`chunks_timeout`](StreamExt::chunks_timeout), [`throttle`](StreamExt::throttle),
//! [`timeout`](StreamExt::timeout), [`interval_stream`]) use corio-timer, so they run on
//! virtual time in a loop with a paused timer driver.
//!
//! # Examples
//!
//! An async generator producing a paginated API's results as they arrive, consumed with
//! `async for`; pages are fetched only as the consumer needs them:
//!
//! ```
//! use corio_stream::{StreamExt, generate};
//! use std::pin::pin;
//!
//! async fn fetch_page(n: u32) -> Vec<u32> {
//!     corio_executor::yield_now().await; // the network
//!     if n < 3 { vec![n * 10, n * 10 + 1] } else { vec![] }
//! }
//!
//! corio_executor::run(async {
//!     // A generator is not `Unpin`: pin it (on the stack) to call `next()`.
//!     let mut items = pin!(generate(|co| async move {
//!         for n in 0.. {
//!             let page = fetch_page(n).await;
//!             if page.is_empty() {
//!                 break;
//!             }
//!             for item in page {
//!                 co.yield_(item).await;
//!             }
//!         }
//!     }));
//!     let mut total = 0;
//!     while let Some(item) = items.next().await {
//!         total += item;
//!     }
//!     assert_eq!(total, 0 + 1 + 10 + 11 + 20 + 21);
//! });
//! ```
//!
//! The web-scraping pattern: fetch many URLs with at most 4 requests in flight, handling
//! each response as it completes:
//!
//! ```
//! use corio_stream::{StreamExt, iter};
//!
//! async fn fetch(url: String) -> usize {
//!     corio_executor::yield_now().await;
//!     url.len()
//! }
//!
//! corio_executor::run(async {
//!     let urls = (0..20).map(|i| format!("https://example.com/{i}"));
//!     let sizes: Vec<usize> = iter(urls).map(fetch).buffer_unordered(4).collect().await;
//!     assert_eq!(sizes.len(), 20);
//! });
//! ```
//!
//! A real-time feed consumed as it arrives, batched for a database by size or time:
//!
//! ```
//! use corio_stream::{StreamExt, generate_send};
//! use corio_timer::{TimerDriver, sleep};
//! use std::pin::pin;
//! use std::time::Duration;
//!
//! let ex = corio_executor::Builder::new()
//!     .driver(|p| Box::new(TimerDriver::new_paused(p)))
//!     .build_local();
//! ex.run(async {
//!     let feed = generate_send(|co| async move {
//!         for price in [10, 11, 12, 13, 14] {
//!             sleep(Duration::from_millis(40)).await; // a quote every 40 ms
//!             co.yield_(price).await;
//!         }
//!     });
//!     // Write at most 100 ms late, or as soon as 10 quotes have arrived.
//!     let mut batches = pin!(feed.chunks_timeout(10, Duration::from_millis(100)));
//!     let mut written = Vec::new();
//!     while let Some(batch) = batches.next().await {
//!         written.push(batch);
//!     }
//!     assert_eq!(written, [vec![10, 11, 12], vec![13, 14]]);
//! });
//! ```
//!
//! # Features
//!
//! - `sync` (off by default; the `corio` facade turns it on): `from_queue`, a stream over
//!   corio-sync's `Queue`. Off so that corio-stream alone depends on core and timer only,
//!   as DESIGN.md draws the crate graph.
//!
//! # When not to use this crate
//!
//! If a codebase already uses `futures::StreamExt` everywhere, keep it: the two traits
//! have methods of the same names, so import one of them per module. corio's adds the
//! time-aware adapters, `merge`, and the generators.
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/async-iterators.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).
#![forbid(unsafe_code)]

mod adapter;
mod buffering;
mod ext;
mod generator;
mod source;

pub use adapter::buffer_unordered::BufferUnordered;
pub use adapter::buffered::Buffered;
pub use adapter::chunks::Chunks;
pub use adapter::chunks_timeout::ChunksTimeout;
pub use adapter::collect::Collect;
pub use adapter::enumerate::Enumerate;
pub use adapter::filter::Filter;
pub use adapter::flatten::Flatten;
pub use adapter::fold::Fold;
pub use adapter::for_each_concurrent::ForEachConcurrent;
pub use adapter::map::Map;
pub use adapter::merge::Merge;
pub use adapter::next::Next;
pub use adapter::skip::Skip;
pub use adapter::take::Take;
pub use adapter::take_while::TakeWhile;
pub use adapter::then::Then;
pub use adapter::throttle::Throttle;
pub use adapter::timeout::TimeoutStream;
pub use adapter::zip::Zip;
#[doc(no_inline)]
pub use corio_core::Elapsed;
pub use ext::StreamExt;
#[doc(no_inline)]
pub use futures_core::{FusedStream, Stream};
pub use generator::{
    Co, Generator, LocalSlot, SyncSlot, TryGenerator, Yield, generate, generate_send, try_generate,
    try_generate_send,
};
pub use source::interval::{IntervalStream, interval_stream};
pub use source::iter::{Iter, iter};
#[cfg(feature = "sync")]
pub use source::queue::{FromQueue, from_queue};
pub use source::repeat_with::{RepeatWith, repeat_with};
pub use source::unfold::{Unfold, unfold};
