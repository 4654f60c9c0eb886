use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

use corio_future_set::FutureSet;

use crate::buffering;

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::buffered`](crate::StreamExt::buffered): runs up to `n`
    /// of the inner stream's futures at once and yields their outputs in input order.
    ///
    /// Never more than `n` futures are in flight, counting outputs that finished early
    /// and wait for an earlier future (so memory stays bounded by `n` too). Like
    /// [`BufferUnordered`](crate::BufferUnordered), each future has its own waker and is
    /// polled only when woken.
    ///
    /// # Ordering
    ///
    /// Input order (asyncio's `gather`): the i-th output is the i-th future's, whatever
    /// order they complete in.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Buffered, StreamExt, iter};
    /// let s: Buffered<_> = iter([1, 2]).map(|x| async move { x }).buffered(8);
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Buffered<S>
    where
        S: Stream,
        S::Item: Future,
    {
        #[pin]
        stream: S,
        set: FutureSet<S::Item>,
        // The input position of the future in each slot of the set.
        positions: Vec<u64>,
        // Outputs by input position, starting at `head`; `None` while still running.
        window: VecDeque<Option<<S::Item as Future>::Output>>,
        head: u64,
        limit: usize,
        stream_done: bool,
    }
}

impl<S> Buffered<S>
where
    S: Stream,
    S::Item: Future,
{
    pub(crate) fn new(stream: S, limit: usize) -> Self {
        assert!(limit > 0, "buffered: the limit must be at least 1");
        Buffered {
            stream,
            set: buffering::new(),
            positions: Vec::new(),
            window: VecDeque::new(),
            head: 0,
            limit,
            stream_done: false,
        }
    }

    /// The number of futures running now, plus outputs waiting for an earlier one (at
    /// most the limit).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, iter};
    /// let s = iter([async { 1 }]).buffered(4);
    /// assert_eq!(s.in_flight(), 0);
    /// ```
    pub fn in_flight(&self) -> usize {
        self.window.len()
    }
}

impl<S> fmt::Debug for Buffered<S>
where
    S: Stream + fmt::Debug,
    S::Item: Future,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Buffered")
            .field("stream", &self.stream)
            .field("running", &self.set.len())
            .field("in_flight", &self.window.len())
            .field("limit", &self.limit)
            .finish()
    }
}

impl<S> Stream for Buffered<S>
where
    S: Stream,
    S::Item: Future,
{
    type Item = <S::Item as Future>::Output;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let room = *this.limit - this.window.len();
        let (queued, positions, window, head) = (
            &mut *this.set,
            &mut *this.positions,
            &mut *this.window,
            *this.head,
        );
        buffering::pull(this.stream, cx, this.stream_done, room, |fut| {
            let slot = queued.push(fut);
            if slot >= positions.len() {
                positions.resize(slot + 1, 0);
            }
            positions[slot] = head + window.len() as u64;
            window.push_back(None);
        });
        loop {
            if let Some(Some(_)) = this.window.front() {
                *this.head += 1;
                return Poll::Ready(this.window.pop_front().flatten());
            }
            this.set.begin_poll(cx);
            match this.set.poll_next(cx) {
                Poll::Ready(Some((slot, out))) => {
                    let at = (this.positions[slot] - *this.head) as usize;
                    this.window[at] = Some(out);
                }
                // Empty set: every queued output was delivered (the front was not ready).
                Poll::Ready(None) if *this.stream_done => return Poll::Ready(None),
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        buffering::size_hint(self.window.len(), self.stream_done, self.stream.size_hint())
    }
}

impl<S> FusedStream for Buffered<S>
where
    S: Stream,
    S::Item: Future,
{
    fn is_terminated(&self) -> bool {
        self.stream_done && self.window.is_empty()
    }
}
