use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::zip`](crate::StreamExt::zip): pairs of one item of each
    /// stream, ending when either ends.
    ///
    /// Both streams are polled concurrently for each pair; an item that arrives first is
    /// held until its partner does. When one stream ends, an item held from the other is
    /// dropped and the other is not polled again.
    ///
    /// # Ordering
    ///
    /// The n-th pair holds the n-th item of each stream.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, Zip, iter};
    /// let s: Zip<_, _> = iter([1, 2]).zip(iter("ab".chars()));
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Zip<A: Stream, B: Stream> {
        #[pin]
        a: A,
        #[pin]
        b: B,
        held_a: Option<A::Item>,
        held_b: Option<B::Item>,
        done: bool,
    }
}

impl<A: Stream, B: Stream> Zip<A, B> {
    pub(crate) fn new(a: A, b: B) -> Self {
        Zip {
            a,
            b,
            held_a: None,
            held_b: None,
            done: false,
        }
    }
}

impl<A: Stream + fmt::Debug, B: Stream + fmt::Debug> fmt::Debug for Zip<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Zip")
            .field("a", &self.a)
            .field("b", &self.b)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<A: Stream, B: Stream> Stream for Zip<A, B> {
    type Item = (A::Item, B::Item);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        if this.held_a.is_none() {
            match this.a.poll_next(cx) {
                Poll::Ready(Some(x)) => *this.held_a = Some(x),
                Poll::Ready(None) => {
                    *this.done = true;
                    *this.held_b = None;
                    return Poll::Ready(None);
                }
                Poll::Pending => {}
            }
        }
        if this.held_b.is_none() {
            match this.b.poll_next(cx) {
                Poll::Ready(Some(x)) => *this.held_b = Some(x),
                Poll::Ready(None) => {
                    *this.done = true;
                    *this.held_a = None;
                    return Poll::Ready(None);
                }
                Poll::Pending => {}
            }
        }
        if this.held_a.is_some() && this.held_b.is_some() {
            let pair = (this.held_a.take().unwrap(), this.held_b.take().unwrap());
            Poll::Ready(Some(pair))
        } else {
            Poll::Pending
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            return (0, Some(0));
        }
        let held = |h: bool, (lo, hi): (usize, Option<usize>)| {
            let e = usize::from(h);
            (lo.saturating_add(e), hi.and_then(|x| x.checked_add(e)))
        };
        let (alo, ahi) = held(self.held_a.is_some(), self.a.size_hint());
        let (blo, bhi) = held(self.held_b.is_some(), self.b.size_hint());
        let hi = match (ahi, bhi) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, None) => x,
            (None, y) => y,
        };
        (alo.min(blo), hi)
    }
}

impl<A: Stream, B: Stream> FusedStream for Zip<A, B> {
    fn is_terminated(&self) -> bool {
        self.done
    }
}
