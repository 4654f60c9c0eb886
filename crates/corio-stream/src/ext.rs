//! [`StreamExt`]: the adapters corio adds to every stream.

use std::future::Future;
use std::time::Duration;

use futures_core::Stream;

use crate::adapter::buffer_unordered::BufferUnordered;
use crate::adapter::buffered::Buffered;
use crate::adapter::chunks::Chunks;
use crate::adapter::chunks_timeout::ChunksTimeout;
use crate::adapter::collect::Collect;
use crate::adapter::enumerate::Enumerate;
use crate::adapter::filter::Filter;
use crate::adapter::flatten::Flatten;
use crate::adapter::fold::Fold;
use crate::adapter::for_each_concurrent::ForEachConcurrent;
use crate::adapter::map::Map;
use crate::adapter::merge::Merge;
use crate::adapter::next::Next;
use crate::adapter::skip::Skip;
use crate::adapter::take::Take;
use crate::adapter::take_while::TakeWhile;
use crate::adapter::then::Then;
use crate::adapter::throttle::Throttle;
use crate::adapter::timeout::TimeoutStream;
use crate::adapter::zip::Zip;

/// The adapters corio adds to every [`Stream`].
///
/// Implemented for every `Stream` (a blanket impl), so `use corio_stream::StreamExt;` is
/// all it takes. Methods that consume the stream return a named stream or future type;
/// nothing runs until it is polled.
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, iter};
///
/// corio_executor::run(async {
///     let evens: Vec<_> = iter(1..=10).filter(|x| x % 2 == 0).map(|x| x * x).collect().await;
///     assert_eq!(evens, [4, 16, 36, 64, 100]);
/// });
/// ```
pub trait StreamExt: Stream {
    /// The next item, or `None` at the end of the stream: `async for`'s step.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe whenever the stream's own `poll_next` is: dropping the future loses
    /// nothing, since the item stays in the stream until a poll returns it. Every stream
    /// of this crate is cancel-safe in this sense.
    ///
    /// # Examples
    ///
    /// A real-time feed consumed item by item as it arrives:
    ///
    /// ```
    /// use corio_stream::{StreamExt, interval_stream};
    /// use std::time::Duration;
    ///
    /// corio_executor::run(async {
    ///     let mut feed = interval_stream(Duration::from_millis(1)).enumerate().take(3);
    ///     while let Some((n, _instant)) = feed.next().await {
    ///         println!("tick {n}");
    ///     }
    /// });
    /// ```
    fn next(&mut self) -> Next<'_, Self>
    where
        Self: Unpin,
    {
        Next { stream: self }
    }

    /// Maps each item with `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     assert_eq!(iter([1, 2]).map(|x| x * 10).collect::<Vec<_>>().await, [10, 20]);
    /// });
    /// ```
    fn map<T, F>(self, f: F) -> Map<Self, F>
    where
        Self: Sized,
        F: FnMut(Self::Item) -> T,
    {
        Map::new(self, f)
    }

    /// Keeps the items for which `pred` returns true (a plain, synchronous predicate; for
    /// an async one, use [`then`](StreamExt::then) returning `Option` and filter `is_some`).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     let odd: Vec<_> = iter(0..6).filter(|x| x % 2 == 1).collect().await;
    ///     assert_eq!(odd, [1, 3, 5]);
    /// });
    /// ```
    fn filter<P>(self, pred: P) -> Filter<Self, P>
    where
        Self: Sized,
        P: FnMut(&Self::Item) -> bool,
    {
        Filter::new(self, pred)
    }

    /// Maps each item through an async function, one at a time.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     let out: Vec<_> = iter([1, 2])
    ///         .then(|x| async move {
    ///             corio_executor::yield_now().await;
    ///             x + 1
    ///         })
    ///         .collect()
    ///         .await;
    ///     assert_eq!(out, [2, 3]);
    /// });
    /// ```
    fn then<F, Fut>(self, f: F) -> Then<Self, F, Fut>
    where
        Self: Sized,
        F: FnMut(Self::Item) -> Fut,
        Fut: Future,
    {
        Then::new(self, f)
    }

    /// The first `n` items.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, repeat_with};
    /// corio_executor::run(async {
    ///     assert_eq!(repeat_with(|| 'x').take(3).collect::<String>().await, "xxx");
    /// });
    /// ```
    fn take(self, n: usize) -> Take<Self>
    where
        Self: Sized,
    {
        Take::new(self, n)
    }

    /// Items while `pred` holds; the first that fails ends the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     let small: Vec<_> = iter([1, 2, 9, 1]).take_while(|x| *x < 5).collect().await;
    ///     assert_eq!(small, [1, 2]);
    /// });
    /// ```
    fn take_while<P>(self, pred: P) -> TakeWhile<Self, P>
    where
        Self: Sized,
        P: FnMut(&Self::Item) -> bool,
    {
        TakeWhile::new(self, pred)
    }

    /// Skips the first `n` items.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     assert_eq!(iter(0..5).skip(3).collect::<Vec<_>>().await, [3, 4]);
    /// });
    /// ```
    fn skip(self, n: usize) -> Skip<Self>
    where
        Self: Sized,
    {
        Skip::new(self, n)
    }

    /// Pairs each item with its index, from 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     let v: Vec<_> = iter(["a", "b"]).enumerate().collect().await;
    ///     assert_eq!(v, [(0, "a"), (1, "b")]);
    /// });
    /// ```
    fn enumerate(self) -> Enumerate<Self>
    where
        Self: Sized,
    {
        Enumerate::new(self)
    }

    /// Pairs the items of two streams, ending with the shorter.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     let v: Vec<_> = iter([1, 2, 3]).zip(iter("ab".chars())).collect().await;
    ///     assert_eq!(v, [(1, 'a'), (2, 'b')]);
    /// });
    /// ```
    fn zip<B: Stream>(self, other: B) -> Zip<Self, B>
    where
        Self: Sized,
    {
        Zip::new(self, other)
    }

    /// The items of both streams as they arrive, alternating fairly when both are ready;
    /// ends when both have ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     let v: Vec<_> = iter([1, 3, 5]).merge(iter([2, 4])).collect().await;
    ///     assert_eq!(v, [1, 2, 3, 4, 5]);
    /// });
    /// ```
    fn merge<B>(self, other: B) -> Merge<Self, B>
    where
        Self: Sized,
        B: Stream<Item = Self::Item>,
    {
        Merge::new(self, other)
    }

    /// The items of each inner stream in turn.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     let v: Vec<_> = iter([iter(vec![1, 2]), iter(vec![]), iter(vec![3])])
    ///         .flatten()
    ///         .collect()
    ///         .await;
    ///     assert_eq!(v, [1, 2, 3]);
    /// });
    /// ```
    fn flatten(self) -> Flatten<Self, Self::Item>
    where
        Self: Sized,
        Self::Item: Stream,
    {
        Flatten::new(self)
    }

    /// Batches of `n` items (the last may be shorter).
    ///
    /// # Panics
    ///
    /// If `n` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     let v: Vec<_> = iter(1..=5).chunks(2).collect().await;
    ///     assert_eq!(v, [vec![1, 2], vec![3, 4], vec![5]]);
    /// });
    /// ```
    fn chunks(self, n: usize) -> Chunks<Self>
    where
        Self: Sized,
    {
        Chunks::new(self, n)
    }

    /// Batches of up to `n` items: a batch goes out when `n` items have arrived, or when
    /// `max_wait` has passed since its first item arrived, whichever is first. Never empty.
    ///
    /// # Panics
    ///
    /// If `n` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, generate_send};
    /// use corio_timer::{TimerDriver, sleep};
    /// use std::time::Duration;
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// ex.run(async {
    ///     let s = generate_send(|co| async move {
    ///         co.yield_(1).await;
    ///         co.yield_(2).await;
    ///         sleep(Duration::from_secs(5)).await; // a lull: the batch goes out at 1 s
    ///         co.yield_(3).await;
    ///     });
    ///     let v: Vec<_> = s.chunks_timeout(10, Duration::from_secs(1)).collect().await;
    ///     assert_eq!(v, [vec![1, 2], vec![3]]);
    /// });
    /// ```
    fn chunks_timeout(self, n: usize, max_wait: Duration) -> ChunksTimeout<Self>
    where
        Self: Sized,
    {
        ChunksTimeout::new(self, n, max_wait)
    }

    /// Rate-limits the stream to at most one item per `period` (the first at once).
    /// Items are delayed, never dropped, and the inner stream is not polled early.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// use corio_timer::{TimerDriver, clock};
    /// use std::time::Duration;
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// ex.run(async {
    ///     let start = clock::now();
    ///     let mut s = iter(0..3).throttle(Duration::from_secs(1));
    ///     let mut at = Vec::new();
    ///     while let Some(_) = s.next().await {
    ///         at.push((clock::now() - start).as_secs());
    ///     }
    ///     assert_eq!(at, [0, 1, 2]);
    /// });
    /// ```
    fn throttle(self, period: Duration) -> Throttle<Self>
    where
        Self: Sized,
    {
        Throttle::new(self, period)
    }

    /// Yields `Err(Elapsed)` whenever an item takes longer than `dur` to arrive, then
    /// keeps waiting for it (the stream continues; see [`TimeoutStream`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Elapsed, StreamExt, generate_send};
    /// use corio_timer::{TimerDriver, sleep};
    /// use std::time::Duration;
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// ex.run(async {
    ///     let s = generate_send(|co| async move {
    ///         co.yield_(1).await;
    ///         sleep(Duration::from_millis(150)).await;
    ///         co.yield_(2).await;
    ///     });
    ///     let v: Vec<_> = s.timeout(Duration::from_millis(100)).collect().await;
    ///     assert_eq!(v, [Ok(1), Err(Elapsed::new()), Ok(2)]);
    /// });
    /// ```
    fn timeout(self, dur: Duration) -> TimeoutStream<Self>
    where
        Self: Sized,
    {
        TimeoutStream::new(self, dur)
    }

    /// Runs up to `n` of the stream's futures at once; outputs in input order.
    ///
    /// # Panics
    ///
    /// If `n` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// use corio_timer::{TimerDriver, sleep};
    /// use std::time::Duration;
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// ex.run(async {
    ///     let v: Vec<_> = iter([30, 10, 20])
    ///         .map(|ms| async move {
    ///             sleep(Duration::from_millis(ms)).await;
    ///             ms
    ///         })
    ///         .buffered(3)
    ///         .collect()
    ///         .await;
    ///     assert_eq!(v, [30, 10, 20]); // input order
    /// });
    /// ```
    fn buffered(self, n: usize) -> Buffered<Self>
    where
        Self: Sized,
        Self::Item: Future,
    {
        Buffered::new(self, n)
    }

    /// Runs up to `n` of the stream's futures at once; outputs in completion order.
    ///
    /// # Panics
    ///
    /// If `n` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// use corio_timer::{TimerDriver, sleep};
    /// use std::time::Duration;
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
    ///     .build_local();
    /// ex.run(async {
    ///     let v: Vec<_> = iter([30, 10, 20])
    ///         .map(|ms| async move {
    ///             sleep(Duration::from_millis(ms)).await;
    ///             ms
    ///         })
    ///         .buffer_unordered(3)
    ///         .collect()
    ///         .await;
    ///     assert_eq!(v, [10, 20, 30]); // completion order
    /// });
    /// ```
    fn buffer_unordered(self, n: usize) -> BufferUnordered<Self>
    where
        Self: Sized,
        Self::Item: Future,
    {
        BufferUnordered::new(self, n)
    }

    /// Runs `f(item)` for every item, up to `n` at once, until the stream ends and every
    /// call has finished.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future drops the calls still running (each is cancelled at its
    /// current await) and the stream with the items not yet pulled.
    ///
    /// # Panics
    ///
    /// If `n` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// use std::cell::Cell;
    ///
    /// corio_executor::run(async {
    ///     let done = Cell::new(0);
    ///     iter(0..10)
    ///         .for_each_concurrent(3, |_| async {
    ///             corio_executor::yield_now().await;
    ///             done.set(done.get() + 1);
    ///         })
    ///         .await;
    ///     assert_eq!(done.get(), 10);
    /// });
    /// ```
    fn for_each_concurrent<F, Fut>(self, n: usize, f: F) -> ForEachConcurrent<Self, F, Fut>
    where
        Self: Sized,
        F: FnMut(Self::Item) -> Fut,
        Fut: Future<Output = ()>,
    {
        ForEachConcurrent::new(self, n, f)
    }

    /// Collects every item into a collection.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future drops the items collected so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// use std::collections::HashSet;
    /// corio_executor::run(async {
    ///     let set: HashSet<_> = iter([1, 1, 2]).collect().await;
    ///     assert_eq!(set.len(), 2);
    /// });
    /// ```
    fn collect<C>(self) -> Collect<Self, C>
    where
        Self: Sized,
        C: Default + Extend<Self::Item>,
    {
        Collect::new(self)
    }

    /// Folds every item into an accumulator with a plain function.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future drops the accumulator.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// corio_executor::run(async {
    ///     assert_eq!(iter(1..=4).fold(0, |sum, x| sum + x).await, 10);
    /// });
    /// ```
    fn fold<B, F>(self, init: B, f: F) -> Fold<Self, B, F>
    where
        Self: Sized,
        F: FnMut(B, Self::Item) -> B,
    {
        Fold::new(self, init, f)
    }
}

impl<S: Stream + ?Sized> StreamExt for S {}
