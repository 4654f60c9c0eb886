use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::filter`](crate::StreamExt::filter).
    ///
    /// # Ordering
    ///
    /// The inner stream's order, less the items the predicate rejects.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Filter, StreamExt, iter};
    /// let s: Filter<_, _> = iter([1, 2]).filter(|x| x % 2 == 0);
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Filter<S, P> {
        #[pin]
        stream: S,
        pred: P,
    }
}

impl<S, P> Filter<S, P> {
    pub(crate) fn new(stream: S, pred: P) -> Self {
        Filter { stream, pred }
    }
}

impl<S: fmt::Debug, P> fmt::Debug for Filter<S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl<S: Stream, P: FnMut(&S::Item) -> bool> Stream for Filter<S, P> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let mut this = self.project();
        loop {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(item) if !(this.pred)(&item) => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.stream.size_hint().1)
    }
}

impl<S: FusedStream, P: FnMut(&S::Item) -> bool> FusedStream for Filter<S, P> {
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}
