//! Async generators without a macro: [`generate`] and [`try_generate`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

/// The one-item slot a generator's body and its stream share: the only allocation a
/// generator makes, whatever the number of items it yields.
type Slot<T> = Arc<Mutex<Option<T>>>;

fn lock<T>(slot: &Mutex<Option<T>>) -> MutexGuard<'_, Option<T>> {
    // Nothing runs user code while holding the lock, so poisoning cannot leave it
    // inconsistent.
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The handle a generator's body yields through (asyncio's `yield` inside `async def`).
///
/// Given to the closure of [`generate`] or [`try_generate`]; `co.yield_(x).await` hands
/// `x` to the consumer and suspends the body until the consumer asks for the next item.
///
/// A `Co` belongs to its generator's body: awaiting its [`yield_`](Co::yield_) anywhere
/// else (in a spawned task, say) never completes, because only the generator's stream
/// takes the yielded item.
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, generate};
///
/// corio_executor::run(async {
///     let s = generate(|co| async move {
///         for word in ["a", "b"] {
///             co.yield_(word).await;
///         }
///     });
///     assert_eq!(s.collect::<Vec<_>>().await, ["a", "b"]);
/// });
/// ```
pub struct Co<T> {
    slot: Slot<T>,
}

impl<T> fmt::Debug for Co<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Co").finish_non_exhaustive()
    }
}

impl<T> Co<T> {
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
    /// use corio_stream::{StreamExt, generate};
    /// use std::pin::pin;
    ///
    /// corio_executor::run(async {
    ///     let mut s = pin!(generate(|co| async move {
    ///         co.yield_(1).await;
    ///         co.yield_(2).await;
    ///     }));
    ///     assert_eq!(s.next().await, Some(1));
    ///     assert_eq!(s.next().await, Some(2));
    ///     assert_eq!(s.next().await, None);
    /// });
    /// ```
    pub fn yield_(&self, value: T) -> Yield<'_, T> {
        Yield {
            slot: &self.slot,
            value: Some(value),
        }
    }
}

/// The future of [`Co::yield_`].
#[must_use = "nothing is yielded unless the future is awaited"]
pub struct Yield<'a, T> {
    slot: &'a Mutex<Option<T>>,
    value: Option<T>,
}

impl<T> fmt::Debug for Yield<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Yield")
            .field("handed_over", &self.value.is_none())
            .finish()
    }
}

impl<T> Unpin for Yield<'_, T> {}

impl<T> Future for Yield<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match this.value.take() {
            Some(v) => {
                let mut slot = lock(this.slot);
                assert!(
                    slot.is_none(),
                    "corio_stream: yield_ polled while a yielded item is still waiting"
                );
                *slot = Some(v);
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
    /// Inside a poll of the body; still set on the next poll only if the body panicked.
    Polling,
    Done,
}

pin_project_lite::pin_project! {
    /// The stream of [`generate`]: an async generator.
    ///
    /// # Ordering
    ///
    /// Items come out in the order the body yields them.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Generator, StreamExt, generate};
    ///
    /// corio_executor::run(async {
    ///     let s = generate(|co| async move { co.yield_('x').await });
    ///     assert_eq!(s.collect::<String>().await, "x");
    /// });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Generator<T, F> {
        slot: Slot<T>,
        state: State,
        #[pin]
        body: F,
    }
}

impl<T, F> fmt::Debug for Generator<T, F> {
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
/// use corio_stream::{StreamExt, generate};
/// use std::pin::pin;
///
/// // Stand-in for an HTTP call: page `n` of a listing, `None` after the last.
/// async fn fetch_page(n: u32) -> Option<Vec<String>> {
///     corio_executor::yield_now().await; // "network"
///     (n < 3).then(|| vec![format!("item {n}.0"), format!("item {n}.1")])
/// }
///
/// corio_executor::run(async {
///     let mut results = pin!(generate(|co| async move {
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
pub fn generate<T, C, F>(body: C) -> Generator<T, F>
where
    C: FnOnce(Co<T>) -> F,
    F: Future<Output = ()>,
{
    let slot: Slot<T> = Arc::new(Mutex::new(None));
    let body = body(Co { slot: slot.clone() });
    Generator {
        slot,
        state: State::Idle,
        body,
    }
}

/// Resumes a body, returning what it yielded or its output. Shared by both generators.
fn resume<T, F: Future>(
    slot: &Mutex<Option<T>>,
    state: &mut State,
    body: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<T, Option<F::Output>>> {
    match *state {
        State::Done => return Poll::Ready(Err(None)),
        // The previous resume panicked: the body cannot be resumed.
        State::Polling => {
            *state = State::Done;
            return Poll::Ready(Err(None));
        }
        State::Idle => {}
    }
    *state = State::Polling;
    let polled = body.poll(cx);
    let taken = lock(slot).take();
    match (taken, polled) {
        (Some(item), Poll::Pending) => {
            *state = State::Idle;
            Poll::Ready(Ok(item))
        }
        (None, Poll::Pending) => {
            *state = State::Idle;
            Poll::Pending
        }
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

impl<T, F: Future<Output = ()>> Stream for Generator<T, F> {
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

impl<T, F: Future<Output = ()>> FusedStream for Generator<T, F> {
    fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}

pin_project_lite::pin_project! {
    /// The stream of [`try_generate`]: a fallible async generator.
    ///
    /// # Ordering
    ///
    /// `Ok` items in the order the body yields them, then at most one `Err`, last.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, try_generate};
    ///
    /// corio_executor::run(async {
    ///     let s = try_generate(|co| async move {
    ///         co.yield_(1).await;
    ///         Err("boom")
    ///     });
    ///     assert_eq!(s.collect::<Vec<_>>().await, [Ok(1), Err("boom")]);
    /// });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct TryGenerator<T, F> {
        slot: Slot<T>,
        state: State,
        #[pin]
        body: F,
    }
}

impl<T, F> fmt::Debug for TryGenerator<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGenerator")
            .field("done", &(self.state == State::Done))
            .finish_non_exhaustive()
    }
}

/// A fallible async generator: like [`generate`], but the body returns `Result<(), E>`
/// and the stream's items are `Result<T, E>`. The body can use `?`; an `Err(e)` it returns
/// becomes the stream's last item, after which the stream ends (`None`).
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, try_generate};
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
///     let mut s = pin!(try_generate(|co| async move {
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
pub fn try_generate<T, E, C, F>(body: C) -> TryGenerator<T, F>
where
    C: FnOnce(Co<T>) -> F,
    F: Future<Output = Result<(), E>>,
{
    let slot: Slot<T> = Arc::new(Mutex::new(None));
    let body = body(Co { slot: slot.clone() });
    TryGenerator {
        slot,
        state: State::Idle,
        body,
    }
}

impl<T, E, F: Future<Output = Result<(), E>>> Stream for TryGenerator<T, F> {
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

impl<T, E, F: Future<Output = Result<(), E>>> FusedStream for TryGenerator<T, F> {
    fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}
