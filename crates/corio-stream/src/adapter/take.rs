use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::take`](crate::StreamExt::take).
    ///
    /// Once `n` items are out it ends without polling the inner stream again (a generator
    /// behind it is not resumed past its `n`th yield).
    ///
    /// # Ordering
    ///
    /// The inner stream's order.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, Take, iter};
    /// let s: Take<_> = iter(0..).take(2);
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    #[derive(Debug)]
    pub struct Take<S> {
        #[pin]
        stream: S,
        remaining: usize,
    }
}

impl<S> Take<S> {
    pub(crate) fn new(stream: S, n: usize) -> Self {
        Take {
            stream,
            remaining: n,
        }
    }
}

impl<S: Stream> Stream for Take<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        if *this.remaining == 0 {
            return Poll::Ready(None);
        }
        let item = ready!(this.stream.poll_next(cx));
        match item {
            Some(_) => *this.remaining -= 1,
            None => *this.remaining = 0,
        }
        Poll::Ready(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.remaining == 0 {
            return (0, Some(0));
        }
        let (lo, hi) = self.stream.size_hint();
        (
            lo.min(self.remaining),
            Some(hi.map_or(self.remaining, |h| h.min(self.remaining))),
        )
    }
}

impl<S: Stream> FusedStream for Take<S> {
    fn is_terminated(&self) -> bool {
        self.remaining == 0
    }
}
