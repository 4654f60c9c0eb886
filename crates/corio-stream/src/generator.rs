//! Async generators without a macro: [`generate_send`] and [`try_generate_send`], and their
//! single-thread forms [`generate`] and [`try_generate`].

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

/// The one-item slot of [`generate_send`]: shared by the body and the stream, the only
/// allocation a generator makes whatever the number of items. `Send` and `Sync` when `T`
/// is `Send`, at the cost of a lock per hand-over.
pub type SyncSlot<T> = Arc<Mutex<Option<T>>>;

/// The one-item slot of [`generate`]: no atomics, so a hand-over costs a few
/// nanoseconds, but the generator is neither `Send` nor `Sync`.
pub type LocalSlot<T> = Rc<Cell<Option<T>>>;

mod sealed {
    /// How a generator's body hands an item to its stream. Implemented for
    /// [`SyncSlot`](super::SyncSlot) and [`LocalSlot`](super::LocalSlot) only.
    #[allow(unreachable_pub)]
    pub trait Slot<T>: Clone {
        fn empty() -> Self;
        /// Stores `v`; returns false (and drops `v`) if an item is already waiting.
        fn put(&self, v: T) -> bool;
        fn take(&self) -> Option<T>;
    }
}

use sealed::Slot;

impl<T> Slot<T> for SyncSlot<T> {
    fn empty() -> Self {
        Arc::new(Mutex::new(None))
    }
    fn put(&self, v: T) -> bool {
        // Nothing runs user code while holding the lock, so poisoning cannot leave it
        // inconsistent.
        let mut g = self.lock().unwrap_or_else(PoisonError::into_inner);
        if g.is_some() {
            return false;
        }
        *g = Some(v);
        true
    }
    fn take(&self) -> Option<T> {
        self.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl<T> Slot<T> for LocalSlot<T> {
    fn empty() -> Self {
        Rc::new(Cell::new(None))
    }
    #[inline]
    fn put(&self, v: T) -> bool {
        // Take, test, store: the compiler folds the take's store of `None` into the store
        // of `Some(v)`, where `replace` stored first and tested after.
        match Cell::take(self) {
            None => {
                self.set(Some(v));
                true
            }
            waiting => {
                self.set(waiting);
                false
            }
        }
    }
    fn take(&self) -> Option<T> {
        Cell::take(self)
    }
}

/// The handle a generator's body yields through (asyncio's `yield` inside `async def`).
///
/// Given to the closure of [`generate_send`] or [`try_generate_send`]; `co.yield_(x).await` hands
/// `x` to the consumer and suspends the body until the consumer asks for the next item.
///
/// A `Co` belongs to its generator's body: awaiting its [`yield_`](Co::yield_) anywhere
/// else (in a spawned task, say) never completes, because only the generator's stream
/// takes the yielded item.
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, generate_send};
///
/// corio_executor::run(async {
///     let s = generate_send(|co| async move {
///         for word in ["a", "b"] {
///             co.yield_(word).await;
///         }
///     });
///     assert_eq!(s.collect::<Vec<_>>().await, ["a", "b"]);
/// });
/// ```
pub struct Co<T, S = SyncSlot<T>> {
    slot: S,
    _item: PhantomData<fn(T) -> T>,
}

impl<T, S> fmt::Debug for Co<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Co").finish_non_exhaustive()
    }
}

impl<T, S: Slot<T>> Co<T, S> {
    /// Yields `value` to the consumer; completes once the consumer has taken it and asked
    /// for the next item.
    ///
    /// # Cancel safety
    ///
    /// If the returned future is dropped before its first poll, `value` is dropped and
    /// nothing is yielded. Once polled, the value belongs to the consumer: dropping the
    /// future afterwards does not take it back.
    ///
    /// # Panics
    ///
    /// When polled while another yielded item is still waiting to be taken (two
    /// `yield_` futures polled concurrently, as in a `select` inside the body).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, generate_send};
    /// use std::pin::pin;
    ///
    /// corio_executor::run(async {
    ///     let mut s = pin!(generate_send(|co| async move {
    ///         co.yield_(1).await;
    ///         co.yield_(2).await;
    ///     }));
    ///     assert_eq!(s.next().await, Some(1));
    ///     assert_eq!(s.next().await, Some(2));
    ///     assert_eq!(s.next().await, None);
    /// });
    /// ```
    pub fn yield_(&self, value: T) -> Yield<'_, T, S> {
        Yield {
            slot: &self.slot,
            value: Some(value),
        }
    }
}

/// The future of [`Co::yield_`].
#[must_use = "nothing is yielded unless the future is awaited"]
pub struct Yield<'a, T, S = SyncSlot<T>> {
    slot: &'a S,
    value: Option<T>,
}

impl<T, S> fmt::Debug for Yield<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Yield")
            .field("handed_over", &self.value.is_none())
            .finish()
    }
}

impl<T, S> Unpin for Yield<'_, T, S> {}

impl<T, S: Slot<T>> Future for Yield<'_, T, S> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Tested before taking: the resume after a hand-over (every item's) then stores
        // nothing.
        if this.value.is_none() {
            return Poll::Ready(());
        }
        match this.value.take() {
            Some(v) => {
                assert!(
                    this.slot.put(v),
                    "corio_stream: yield_ polled while a yielded item is still waiting"
                );
                // The generator's stream takes the item as soon as the body returns, and
                // polls the body again only when the consumer asks for the next one: so no
                // waker is needed, and the next poll means the item was taken.
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    /// The body finished, or panicked (set by [`DoneOnUnwind`]).
    Done,
}

/// Ends a generator whose body panics: dropped only while unwinding out of the body's
/// poll (forgotten otherwise), so that a later poll returns `None` instead of resuming a
/// panicked body. A `Polling` state stored before each resume and cleared after cost two
/// stores per item; an unwinding guard costs nothing until it runs.
struct DoneOnUnwind<'a>(&'a mut State);

impl Drop for DoneOnUnwind<'_> {
    fn drop(&mut self) {
        *self.0 = State::Done;
    }
}

pin_project_lite::pin_project! {
    /// The stream of [`generate_send`]: an async generator.
    ///
    /// # Ordering
    ///
    /// Items come out in the order the body yields them.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Generator, StreamExt, generate_send};
    ///
    /// corio_executor::run(async {
    ///     let s = generate_send(|co| async move { co.yield_('x').await });
    ///     assert_eq!(s.collect::<String>().await, "x");
    /// });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Generator<T, F, S = SyncSlot<T>> {
        slot: S,
        _item: PhantomData<fn() -> T>,
        state: State,
        #[pin]
        body: F,
    }
}

impl<T, F, S> fmt::Debug for Generator<T, F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("done", &(self.state == State::Done))
            .finish_non_exhaustive()
    }
}

/// An async generator: `body` gets a [`Co`] and yields items with `co.yield_(x).await`;
/// the returned [`Generator`] is the [`Stream`] of those items (asyncio's `async def` with
/// `yield`).
///
/// - **Back-pressure.** The body runs only while the consumer waits for an item: each
///   `next()` resumes it up to its next `yield_` (or its end). Nothing runs ahead.
/// - **Cleanup** (asyncio's `aclose`). Dropping the stream early drops the body's future
///   where it is suspended, so its locals' destructors run, once.
/// - **Panics** in the body propagate out of the `poll_next` that resumed it; the stream
///   then ends if polled again.
/// - **No allocation per item**: the body and the stream share one slot, allocated once.
/// - **Pinning.** The body's future is stored inline, so a `Generator` is not `Unpin`:
///   `pin!` it (or `Box::pin` it, to return it) before calling
///   [`next`](crate::StreamExt::next). Adapters that take it by value need nothing.
///
/// # Examples
///
/// Processing an API's paginated results as they arrive: the generator fetches a page
/// only when the consumer has used up the previous one.
///
/// ```
/// use corio_stream::{StreamExt, generate_send};
/// use std::pin::pin;
///
/// // Stand-in for an HTTP call: page `n` of a listing, `None` after the last.
/// async fn fetch_page(n: u32) -> Option<Vec<String>> {
///     corio_executor::yield_now().await; // "network"
///     (n < 3).then(|| vec![format!("item {n}.0"), format!("item {n}.1")])
/// }
///
/// corio_executor::run(async {
///     let mut results = pin!(generate_send(|co| async move {
///         let mut page = 0;
///         while let Some(items) = fetch_page(page).await {
///             for item in items {
///                 co.yield_(item).await;
///             }
///             page += 1;
///         }
///     }));
///     // `async for item in results:`
///     let mut seen = Vec::new();
///     while let Some(item) = results.next().await {
///         seen.push(item);
///     }
///     assert_eq!(seen.len(), 6);
///     assert_eq!(seen[0], "item 0.0");
/// });
/// ```
pub fn generate_send<T, C, F>(body: C) -> Generator<T, F>
where
    C: FnOnce(Co<T>) -> F,
    F: Future<Output = ()>,
{
    let (slot, body) = start::<T, SyncSlot<T>, _, _>(body);
    Generator {
        slot,
        _item: PhantomData,
        state: State::Idle,
        body,
    }
}

/// Makes a body's slot and calls the body's closure with its `Co`. Shared by the four
/// constructors (both generators, both slots).
fn start<T, S: Slot<T>, C, F>(body: C) -> (S, F)
where
    C: FnOnce(Co<T, S>) -> F,
{
    let slot = S::empty();
    let body = body(Co {
        slot: slot.clone(),
        _item: PhantomData,
    });
    (slot, body)
}

/// Resumes a body, returning what it yielded or its output. Shared by both generators.
fn resume<T, S: Slot<T>, F: Future>(
    slot: &S,
    state: &mut State,
    body: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<T, Option<F::Output>>> {
    if *state == State::Done {
        return Poll::Ready(Err(None));
    }
    let guard = DoneOnUnwind(state);
    let polled = body.poll(cx);
    std::mem::forget(guard);
    let taken = slot.take();
    match (taken, polled) {
        (Some(item), Poll::Pending) => Poll::Ready(Ok(item)),
        (None, Poll::Pending) => Poll::Pending,
        // A yield_ future dropped after handing over its item, then the body finished:
        // the item was yielded, so deliver it; the output comes on the next resume.
        // (Only a body that races `yield_` against something else can do this; the
        // output is then dropped, as the body had already moved past that point.)
        (Some(item), Poll::Ready(_)) => {
            *state = State::Done;
            Poll::Ready(Ok(item))
        }
        (None, Poll::Ready(out)) => {
            *state = State::Done;
            Poll::Ready(Err(Some(out)))
        }
    }
}

impl<T, F: Future<Output = ()>, S: Slot<T>> Stream for Generator<T, F, S> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.project();
        resume(this.slot, this.state, this.body, cx).map(Result::ok)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            _ => (0, None),
        }
    }
}

impl<T, F: Future<Output = ()>, S: Slot<T>> FusedStream for Generator<T, F, S> {
    fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}

pin_project_lite::pin_project! {
    /// The stream of [`try_generate_send`]: a fallible async generator.
    ///
    /// # Ordering
    ///
    /// `Ok` items in the order the body yields them, then at most one `Err`, last.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, try_generate_send};
    ///
    /// corio_executor::run(async {
    ///     let s = try_generate_send(|co| async move {
    ///         co.yield_(1).await;
    ///         Err("boom")
    ///     });
    ///     assert_eq!(s.collect::<Vec<_>>().await, [Ok(1), Err("boom")]);
    /// });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct TryGenerator<T, F, S = SyncSlot<T>> {
        slot: S,
        _item: PhantomData<fn() -> T>,
        state: State,
        #[pin]
        body: F,
    }
}

impl<T, F, S> fmt::Debug for TryGenerator<T, F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGenerator")
            .field("done", &(self.state == State::Done))
            .finish_non_exhaustive()
    }
}

/// A fallible async generator: like [`generate_send`], but the body returns `Result<(), E>`
/// and the stream's items are `Result<T, E>`. The body can use `?`; an `Err(e)` it returns
/// becomes the stream's last item, after which the stream ends (`None`).
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, try_generate_send};
/// use std::pin::pin;
///
/// #[derive(Debug, PartialEq)]
/// struct HttpError(u16);
///
/// async fn fetch(n: u32) -> Result<u32, HttpError> {
///     if n < 2 { Ok(n * 10) } else { Err(HttpError(503)) }
/// }
///
/// corio_executor::run(async {
///     let mut s = pin!(try_generate_send(|co| async move {
///         for n in 0.. {
///             co.yield_(fetch(n).await?).await;
///         }
///         Ok(())
///     }));
///     assert_eq!(s.next().await, Some(Ok(0)));
///     assert_eq!(s.next().await, Some(Ok(10)));
///     assert_eq!(s.next().await, Some(Err(HttpError(503))));
///     assert_eq!(s.next().await, None);
/// });
/// ```
pub fn try_generate_send<T, E, C, F>(body: C) -> TryGenerator<T, F>
where
    C: FnOnce(Co<T>) -> F,
    F: Future<Output = Result<(), E>>,
{
    let (slot, body) = start::<T, SyncSlot<T>, _, _>(body);
    TryGenerator {
        slot,
        _item: PhantomData,
        state: State::Idle,
        body,
    }
}

impl<T, E, F: Future<Output = Result<(), E>>, S: Slot<T>> Stream for TryGenerator<T, F, S> {
    type Item = Result<T, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T, E>>> {
        let this = self.project();
        resume(this.slot, this.state, this.body, cx).map(|r| match r {
            Ok(item) => Some(Ok(item)),
            Err(Some(Err(e))) => Some(Err(e)),
            Err(Some(Ok(()))) | Err(None) => None,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            _ => (0, None),
        }
    }
}

impl<T, E, F: Future<Output = Result<(), E>>, S: Slot<T>> FusedStream for TryGenerator<T, F, S> {
    fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}

/// [`generate_send`] for a single thread: the same generator, with a [`LocalSlot`] instead of a
/// lock, so handing an item over costs no atomic operation (about ten times faster per
/// item in `perf` tests), but the stream is neither `Send` nor `Sync`. Use it on corio's
/// local loop (asyncio's model), tokio's `current_thread` runtime or a `LocalSet`.
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, generate};
///
/// corio_executor::run(async {
///     let squares = generate(|co| async move {
///         for i in 1..=3 {
///             co.yield_(i * i).await;
///         }
///     });
///     assert_eq!(squares.collect::<Vec<_>>().await, [1, 4, 9]);
/// });
/// ```
pub fn generate<T, C, F>(body: C) -> Generator<T, F, LocalSlot<T>>
where
    C: FnOnce(Co<T, LocalSlot<T>>) -> F,
    F: Future<Output = ()>,
{
    let (slot, body) = start::<T, LocalSlot<T>, _, _>(body);
    Generator {
        slot,
        _item: PhantomData,
        state: State::Idle,
        body,
    }
}

/// [`try_generate_send`] for a single thread (see [`generate`]).
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, try_generate};
///
/// corio_executor::run(async {
///     let s = try_generate(|co| async move {
///         co.yield_(1).await;
///         "x".parse::<i32>()?;
///         co.yield_(2).await;
///         Ok::<(), std::num::ParseIntError>(())
///     });
///     let v: Vec<_> = s.collect().await;
///     assert_eq!(v.len(), 2);
///     assert!(v[1].is_err());
/// });
/// ```
pub fn try_generate<T, E, C, F>(body: C) -> TryGenerator<T, F, LocalSlot<T>>
where
    C: FnOnce(Co<T, LocalSlot<T>>) -> F,
    F: Future<Output = Result<(), E>>,
{
    let (slot, body) = start::<T, LocalSlot<T>, _, _>(body);
    TryGenerator {
        slot,
        _item: PhantomData,
        state: State::Idle,
        body,
    }
}
