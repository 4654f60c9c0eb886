use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::enumerate`](crate::StreamExt::enumerate): `(index, item)`
    /// pairs, counting from 0.
    ///
    /// # Ordering
    ///
    /// The inner stream's order.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Enumerate, StreamExt, iter};
    /// let s: Enumerate<_> = iter("ab".chars()).enumerate();
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    #[derive(Debug)]
    pub struct Enumerate<S> {
        #[pin]
        stream: S,
        count: usize,
    }
}

impl<S> Enumerate<S> {
    pub(crate) fn new(stream: S) -> Self {
        Enumerate { stream, count: 0 }
    }
}

impl<S: Stream> Stream for Enumerate<S> {
    type Item = (usize, S::Item);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let item = ready!(this.stream.poll_next(cx));
        Poll::Ready(item.map(|item| {
            let i = *this.count;
            *this.count += 1;
            (i, item)
        }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

impl<S: FusedStream> FusedStream for Enumerate<S> {
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}
