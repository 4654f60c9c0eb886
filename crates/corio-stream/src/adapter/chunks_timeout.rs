use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use corio_timer::Sleep;
use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::chunks_timeout`](crate::StreamExt::chunks_timeout):
    /// batches of up to `n` items, cut when `n` have arrived or when `dur` has passed
    /// since the first item of the batch arrived, whichever comes first.
    ///
    /// An empty batch is never returned: with no item, the stream just waits. The timer
    /// is one [`Sleep`] reset per batch (no allocation per batch for the timer).
    ///
    /// # Ordering
    ///
    /// The inner stream's order, within and across batches.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{ChunksTimeout, StreamExt, iter};
    /// use std::time::Duration;
    /// let s: ChunksTimeout<_> = iter(0..5).chunks_timeout(2, Duration::from_millis(10));
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct ChunksTimeout<S: Stream> {
        #[pin]
        stream: S,
        batch: Vec<S::Item>,
        size: usize,
        max_wait: Duration,
        // Created on the first batch; reset for each later one.
        timer: Option<Sleep>,
        done: bool,
    }
}

impl<S: Stream> ChunksTimeout<S> {
    pub(crate) fn new(stream: S, size: usize, max_wait: Duration) -> Self {
        assert!(
            size > 0,
            "chunks_timeout: the batch size must be at least 1"
        );
        ChunksTimeout {
            stream,
            batch: Vec::with_capacity(size),
            size,
            max_wait,
            timer: None,
            done: false,
        }
    }
}

impl<S: Stream + fmt::Debug> fmt::Debug for ChunksTimeout<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunksTimeout")
            .field("stream", &self.stream)
            .field("held", &self.batch.len())
            .field("size", &self.size)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

impl<S: Stream> Stream for ChunksTimeout<S> {
    type Item = Vec<S::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        loop {
            match this.stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => {
                    if this.batch.is_empty() {
                        let deadline = crate::adapter::deadline_in(*this.max_wait);
                        match this.timer {
                            Some(t) => t.reset(deadline),
                            None => *this.timer = Some(corio_timer::sleep_until(deadline)),
                        }
                    }
                    this.batch.push(item);
                    if this.batch.len() >= *this.size {
                        let full = std::mem::replace(this.batch, Vec::with_capacity(*this.size));
                        return Poll::Ready(Some(full));
                    }
                }
                Poll::Ready(None) => {
                    *this.done = true;
                    *this.timer = None;
                    let rest = std::mem::take(this.batch);
                    return Poll::Ready((!rest.is_empty()).then_some(rest));
                }
                Poll::Pending => {
                    if this.batch.is_empty() {
                        return Poll::Pending;
                    }
                    let timer = this
                        .timer
                        .as_mut()
                        .expect("armed with the batch's first item");
                    if Pin::new(timer).poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    let due = std::mem::replace(this.batch, Vec::with_capacity(*this.size));
                    return Poll::Ready(Some(due));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            return (0, Some(0));
        }
        let (lo, hi) = self.stream.size_hint();
        let held = self.batch.len();
        let lo = usize::from(lo.saturating_add(held) > 0);
        (lo, hi.and_then(|h| h.checked_add(held)))
    }
}

impl<S: Stream> FusedStream for ChunksTimeout<S> {
    fn is_terminated(&self) -> bool {
        self.done
    }
}
