use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::skip`](crate::StreamExt::skip).
    ///
    /// The skipped items are pulled (and dropped) on the first poll.
    ///
    /// # Ordering
    ///
    /// The inner stream's order, from its `n+1`th item.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Skip, StreamExt, iter};
    /// let s: Skip<_> = iter(0..5).skip(2);
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    #[derive(Debug)]
    pub struct Skip<S> {
        #[pin]
        stream: S,
        remaining: usize,
    }
}

impl<S> Skip<S> {
    pub(crate) fn new(stream: S, n: usize) -> Self {
        Skip {
            stream,
            remaining: n,
        }
    }
}

impl<S: Stream> Stream for Skip<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let mut this = self.project();
        while *this.remaining > 0 {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(_) => *this.remaining -= 1,
                None => return Poll::Ready(None),
            }
        }
        this.stream.poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (lo, hi) = self.stream.size_hint();
        (
            lo.saturating_sub(self.remaining),
            hi.map(|h| h.saturating_sub(self.remaining)),
        )
    }
}

impl<S: FusedStream> FusedStream for Skip<S> {
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}
