use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::chunks`](crate::StreamExt::chunks): `Vec`s of `n`
    /// items, the last one possibly shorter.
    ///
    /// A batch is returned only when full (or at the end of the stream): a slow source
    /// holds back the items already received. See
    /// [`chunks_timeout`](crate::StreamExt::chunks_timeout) to bound that wait.
    ///
    /// # Ordering
    ///
    /// The inner stream's order, within and across batches.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Chunks, StreamExt, iter};
    /// let s: Chunks<_> = iter(0..5).chunks(2);
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    #[derive(Debug)]
    pub struct Chunks<S: Stream> {
        #[pin]
        stream: S,
        batch: Vec<S::Item>,
        size: usize,
        done: bool,
    }
}

impl<S: Stream> Chunks<S> {
    pub(crate) fn new(stream: S, size: usize) -> Self {
        assert!(size > 0, "chunks: the batch size must be at least 1");
        Chunks {
            stream,
            batch: Vec::with_capacity(size),
            size,
            done: false,
        }
    }
}

impl<S: Stream> Stream for Chunks<S> {
    type Item = Vec<S::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        loop {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(item) => {
                    this.batch.push(item);
                    if this.batch.len() >= *this.size {
                        let full = std::mem::replace(this.batch, Vec::with_capacity(*this.size));
                        return Poll::Ready(Some(full));
                    }
                }
                None => {
                    *this.done = true;
                    let rest = std::mem::take(this.batch);
                    return Poll::Ready((!rest.is_empty()).then_some(rest));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            return (0, Some(0));
        }
        let held = self.batch.len();
        let (lo, hi) = self.stream.size_hint();
        let lo = lo.saturating_add(held).div_ceil(self.size);
        let hi = hi
            .and_then(|h| h.checked_add(held))
            .map(|h| h.div_ceil(self.size));
        (lo, hi)
    }
}

impl<S: Stream> FusedStream for Chunks<S> {
    fn is_terminated(&self) -> bool {
        self.done
    }
}
