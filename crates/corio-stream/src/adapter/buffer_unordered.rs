use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

use corio_future_set::FutureSet;

use crate::buffering;

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::buffer_unordered`](crate::StreamExt::buffer_unordered):
    /// runs up to `n` of the inner stream's futures at once and yields their outputs as
    /// they complete.
    ///
    /// Never more than `n` futures are in flight: the inner stream is pulled only while
    /// fewer are running, so a source of work (a generator of URLs, say) is not drained
    /// ahead. Each future has its own waker, so a wake polls that future alone (no
    /// quadratic re-polling with large `n`); a poll yields to the executor after a budget
    /// of child polls. After the set grows to `n`, it allocates nothing per future.
    ///
    /// # Ordering
    ///
    /// Completion order (asyncio's `as_completed`); for input order see
    /// [`Buffered`](crate::Buffered). Futures are started in input order.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{BufferUnordered, StreamExt, iter};
    /// let s: BufferUnordered<_> = iter([1, 2]).map(|x| async move { x }).buffer_unordered(8);
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct BufferUnordered<S>
    where
        S: Stream,
        S::Item: Future,
    {
        #[pin]
        stream: S,
        set: FutureSet<S::Item>,
        limit: usize,
        stream_done: bool,
    }
}

impl<S> BufferUnordered<S>
where
    S: Stream,
    S::Item: Future,
{
    pub(crate) fn new(stream: S, limit: usize) -> Self {
        assert!(limit > 0, "buffer_unordered: the limit must be at least 1");
        BufferUnordered {
            stream,
            set: buffering::new(),
            limit,
            stream_done: false,
        }
    }

    /// The number of futures running now (at most the limit).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// let s = iter([async { 1 }]).buffer_unordered(4);
    /// assert_eq!(s.in_flight(), 0); // nothing starts before the first poll
    /// ```
    pub fn in_flight(&self) -> usize {
        self.set.len()
    }
}

impl<S> fmt::Debug for BufferUnordered<S>
where
    S: Stream + fmt::Debug,
    S::Item: Future,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferUnordered")
            .field("stream", &self.stream)
            .field("in_flight", &self.set.len())
            .field("limit", &self.limit)
            .finish()
    }
}

impl<S> Stream for BufferUnordered<S>
where
    S: Stream,
    S::Item: Future,
{
    type Item = <S::Item as Future>::Output;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let room = *this.limit - this.set.len();
        buffering::pull(this.stream, cx, this.stream_done, room, |fut| {
            this.set.push(fut);
        });
        this.set.begin_poll(cx);
        match this.set.poll_next(cx) {
            Poll::Ready(Some((_, out))) => Poll::Ready(Some(out)),
            Poll::Ready(None) if *this.stream_done => Poll::Ready(None),
            Poll::Ready(None) | Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        buffering::size_hint(self.set.len(), self.stream_done, self.stream.size_hint())
    }
}

impl<S> FusedStream for BufferUnordered<S>
where
    S: Stream,
    S::Item: Future,
{
    fn is_terminated(&self) -> bool {
        self.stream_done && self.set.is_empty()
    }
}
