use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use corio_core::coop;
use futures_core::Stream;

use corio_future_set::FutureSet;

use crate::buffering::{self, YIELD_AFTER};

pin_project_lite::pin_project! {
    /// The future of
    /// [`StreamExt::for_each_concurrent`](crate::StreamExt::for_each_concurrent): runs
    /// `f(item)` for every item, up to `n` at once, and completes when the stream has
    /// ended and every call has finished.
    ///
    /// The stream is pulled only while fewer than `n` calls run. Each call has its own
    /// waker and is polled only when woken; a poll yields to the executor after a budget.
    ///
    /// # Ordering
    ///
    /// Calls start in the stream's order and may finish in any order.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{ForEachConcurrent, StreamExt, iter};
    /// let f: ForEachConcurrent<_, _, _> = iter([1, 2]).for_each_concurrent(2, |_| async {});
    /// println!("{f:?}");
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct ForEachConcurrent<S, F, Fut> {
        #[pin]
        stream: S,
        f: F,
        set: FutureSet<Fut>,
        limit: usize,
        stream_done: bool,
    }
}

impl<S, F, Fut> ForEachConcurrent<S, F, Fut>
where
    Fut: Future<Output = ()>,
{
    pub(crate) fn new(stream: S, limit: usize, f: F) -> Self {
        assert!(
            limit > 0,
            "for_each_concurrent: the limit must be at least 1"
        );
        ForEachConcurrent {
            stream,
            f,
            set: buffering::new(),
            limit,
            stream_done: false,
        }
    }
}

impl<S: fmt::Debug, F, Fut> fmt::Debug for ForEachConcurrent<S, F, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForEachConcurrent")
            .field("stream", &self.stream)
            .field("set", &self.set)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<S, F, Fut> Future for ForEachConcurrent<S, F, Fut>
where
    S: Stream,
    F: FnMut(S::Item) -> Fut,
    Fut: Future<Output = ()>,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let mut finished = 0;
        loop {
            while this.set.len() < *this.limit && !*this.stream_done {
                match this.stream.as_mut().poll_next(cx) {
                    Poll::Ready(Some(item)) => {
                        this.set.push((this.f)(item));
                    }
                    Poll::Ready(None) => *this.stream_done = true,
                    Poll::Pending => break,
                }
            }
            this.set.begin_poll(cx);
            match this.set.poll_next(cx) {
                Poll::Ready(Some(_)) => {
                    finished += 1;
                    if finished >= YIELD_AFTER || !coop::has_budget_remaining() {
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                }
                Poll::Ready(None) if *this.stream_done => return Poll::Ready(()),
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
            }
        }
    }
}
