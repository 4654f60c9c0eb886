use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::take_while`](crate::StreamExt::take_while).
    ///
    /// The first item the predicate rejects is dropped and ends the stream; the inner
    /// stream is not polled again.
    ///
    /// # Ordering
    ///
    /// The inner stream's order.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, TakeWhile, iter};
    /// let s: TakeWhile<_, _> = iter(0..).take_while(|x| *x < 3);
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct TakeWhile<S, P> {
        #[pin]
        stream: S,
        pred: P,
        done: bool,
    }
}

impl<S, P> TakeWhile<S, P> {
    pub(crate) fn new(stream: S, pred: P) -> Self {
        TakeWhile {
            stream,
            pred,
            done: false,
        }
    }
}

impl<S: fmt::Debug, P> fmt::Debug for TakeWhile<S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TakeWhile")
            .field("stream", &self.stream)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<S: Stream, P: FnMut(&S::Item) -> bool> Stream for TakeWhile<S, P> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        match ready!(this.stream.poll_next(cx)) {
            Some(item) if (this.pred)(&item) => Poll::Ready(Some(item)),
            _ => {
                *this.done = true;
                Poll::Ready(None)
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            (0, Some(0))
        } else {
            (0, self.stream.size_hint().1)
        }
    }
}

impl<S: Stream, P: FnMut(&S::Item) -> bool> FusedStream for TakeWhile<S, P> {
    fn is_terminated(&self) -> bool {
        self.done
    }
}
