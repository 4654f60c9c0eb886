//! `as_completed`, `as_completed_timeout` and their streams.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use corio_core::Elapsed;
use corio_timer::Sleep;
use futures_core::{FusedStream, Stream};

use corio_future_set::FutureSet;

/// asyncio.as_completed: runs the futures concurrently and yields their outputs **in
/// completion order**, as a [`Stream`].
///
/// `while let Some(out) = stream.next().await` takes the place of asyncio's
/// `for fut in as_completed(aws): out = await fut`. The stream ends after the last output.
/// To know which input an output came from, make the futures return their index.
/// Children have per-child wakers (a wake-up polls only the child woken) and the stream
/// yields to its executor after a budget of polls, as [`gather`](crate::gather()) does.
///
/// # Cancel safety
///
/// Dropping the stream drops every future it still holds (design decision 9): plain
/// futures are cancelled, corio `Task` handles detach. Outputs are never lost between
/// `next()` calls: a dropped `next()` future takes nothing from the stream.
///
/// # Examples
///
/// ```
/// use corio_combinators::as_completed;
/// use futures::StreamExt;
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let mut s = as_completed([30u64, 10, 20].map(|ms| async move {
///         corio_timer::sleep(Duration::from_millis(ms)).await;
///         ms
///     }));
///     let mut order = Vec::new();
///     while let Some(ms) = s.next().await {
///         order.push(ms);
///     }
///     assert_eq!(order, vec![10, 20, 30]);
/// });
/// ```
pub fn as_completed<I>(futures: I) -> AsCompleted<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    let futures = futures.into_iter();
    let mut set = FutureSet::new();
    set.reserve(futures.size_hint().0);
    let total = futures.map(|f| set.push(f)).count();
    AsCompleted {
        set,
        total,
        wait: corio_core::callgraph::WaitSlot::new(),
    }
}

/// The stream of [`as_completed`]: outputs in completion order.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// futures::executor::block_on(async {
///     let s = corio_combinators::as_completed([std::future::ready(1), std::future::ready(2)]);
///     assert_eq!(s.len(), 2);
///     assert_eq!(s.collect::<Vec<_>>().await, vec![1, 2]);
/// });
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<F> {
    set: FutureSet<F>,
    /// How many futures were given.
    total: usize,
    /// The call graph's record; the futures' waits nest under it.
    wait: corio_core::callgraph::WaitSlot,
}

impl<F> AsCompleted<F> {
    /// How many outputs are still to come.
    ///
    /// # Examples
    ///
    /// See [`AsCompleted`].
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether every output has been yielded.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = corio_combinators::as_completed(Vec::<std::future::Ready<()>>::new());
    /// assert!(s.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

impl<F> Unpin for AsCompleted<F> {}

impl<F: Future> Stream for AsCompleted<F> {
    type Item = F::Output;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
        let this = &mut *self;
        this.set.begin_poll(cx);
        let (live, len) = (this.set.len(), this.total);
        let frame = this
            .wait
            .frame(|| crate::gather::describe("as_completed", live, len));
        let out = this.set.poll_next(cx).map(|o| o.map(|(_, out)| out));
        drop(frame);
        if out.is_pending() {
            let (live, len) = (this.set.len(), this.total);
            this.wait
                .pending(|| crate::gather::describe("as_completed", live, len));
        } else {
            this.wait.done();
        }
        out
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.set.len(), Some(self.set.len()))
    }
}

impl<F: Future> FusedStream for AsCompleted<F> {
    fn is_terminated(&self) -> bool {
        self.set.is_empty()
    }
}

impl<F> fmt::Debug for AsCompleted<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.set.len())
            .finish()
    }
}

/// [`as_completed`] with an overall time limit (asyncio's `as_completed(aws, timeout=)`).
///
/// Yields `Ok(output)` in completion order; if the limit passes before every future has
/// completed, yields one `Err(Elapsed)`, drops the futures still pending, and ends.
/// (asyncio raises `TimeoutError` from each remaining placeholder instead; a Rust stream
/// says it once.) Outputs ready at the moment of the deadline are yielded first. The clock
/// starts at the first poll.
///
/// # Cancel safety
///
/// As [`as_completed`].
///
/// # Examples
///
/// ```
/// use corio_combinators::as_completed_timeout;
/// use futures::StreamExt;
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(corio_timer::TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let s = as_completed_timeout(
///         [1u64, 100].map(|s| corio_timer::sleep(Duration::from_secs(s))),
///         Duration::from_secs(10),
///     );
///     let out: Vec<_> = s.collect().await;
///     assert_eq!(out, vec![Ok(()), Err(corio_core::Elapsed::new())]);
/// });
/// ```
pub fn as_completed_timeout<I>(futures: I, timeout: Duration) -> AsCompletedTimeout<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    AsCompletedTimeout {
        inner: as_completed(futures),
        duration: Some(timeout),
        sleep: None,
        ended: false,
    }
}

/// The stream of [`as_completed_timeout`]: `Ok` outputs in completion order, then possibly
/// one `Err(Elapsed)`.
///
/// # Examples
///
/// See [`as_completed_timeout`].
#[must_use = "streams do nothing unless polled"]
pub struct AsCompletedTimeout<F> {
    inner: AsCompleted<F>,
    duration: Option<Duration>,
    sleep: Option<Sleep>,
    ended: bool,
}

impl<F> Unpin for AsCompletedTimeout<F> {}

impl<F: Future> Stream for AsCompletedTimeout<F> {
    type Item = Result<F::Output, Elapsed>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.ended {
            return Poll::Ready(None);
        }
        if let Some(d) = this.duration.take() {
            this.sleep = Some(corio_timer::sleep(d));
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(out)) => return Poll::Ready(Some(Ok(out))),
            Poll::Ready(None) => {
                this.ended = true;
                this.sleep = None;
                return Poll::Ready(None);
            }
            Poll::Pending => {}
        }
        if let Some(sleep) = this.sleep.as_mut() {
            if Pin::new(sleep).poll(cx).is_ready() {
                this.ended = true;
                this.sleep = None;
                this.inner.set.clear();
                return Poll::Ready(Some(Err(Elapsed::new())));
            }
        }
        Poll::Pending
    }
}

impl<F: Future> FusedStream for AsCompletedTimeout<F> {
    fn is_terminated(&self) -> bool {
        self.ended
    }
}

impl<F> fmt::Debug for AsCompletedTimeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompletedTimeout")
            .field("remaining", &self.inner.set.len())
            .field("deadline", &self.sleep.as_ref().map(|s| s.deadline()))
            .field("ended", &self.ended)
            .finish()
    }
}
