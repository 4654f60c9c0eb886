use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::merge`](crate::StreamExt::merge): the items of two
    /// streams as they arrive, ending when both have ended.
    ///
    /// # Fairness
    ///
    /// The stream polled first alternates on each call, so when both always have an item
    /// ready their items interleave one for one and neither starves the other.
    ///
    /// # Ordering
    ///
    /// Each stream's own order is kept; between the two, arrival order.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Merge, StreamExt, iter};
    /// let s: Merge<_, _> = iter([1, 3]).merge(iter([2, 4]));
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    #[derive(Debug)]
    pub struct Merge<A, B> {
        #[pin]
        a: A,
        #[pin]
        b: B,
        a_done: bool,
        b_done: bool,
        b_first: bool,
    }
}

impl<A, B> Merge<A, B> {
    pub(crate) fn new(a: A, b: B) -> Self {
        Merge {
            a,
            b,
            a_done: false,
            b_done: false,
            b_first: false,
        }
    }
}

fn poll_one<S: Stream>(
    s: Pin<&mut S>,
    done: &mut bool,
    cx: &mut Context<'_>,
) -> Poll<Option<S::Item>> {
    if *done {
        return Poll::Ready(None);
    }
    let r = s.poll_next(cx);
    if let Poll::Ready(None) = r {
        *done = true;
    }
    r
}

impl<T, A: Stream<Item = T>, B: Stream<Item = T>> Stream for Merge<A, B> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.project();
        let b_first = *this.b_first;
        *this.b_first = !b_first;
        let (mut a, mut b) = (this.a, this.b);
        for turn in 0..2 {
            let r = if (turn == 0) == b_first {
                poll_one(b.as_mut(), this.b_done, cx)
            } else {
                poll_one(a.as_mut(), this.a_done, cx)
            };
            if let Poll::Ready(Some(x)) = r {
                return Poll::Ready(Some(x));
            }
        }
        if *this.a_done && *this.b_done {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let hint = |done: bool, h: (usize, Option<usize>)| if done { (0, Some(0)) } else { h };
        let (alo, ahi) = hint(self.a_done, self.a.size_hint());
        let (blo, bhi) = hint(self.b_done, self.b.size_hint());
        let hi = match (ahi, bhi) {
            (Some(x), Some(y)) => x.checked_add(y),
            _ => None,
        };
        (alo.saturating_add(blo), hi)
    }
}

impl<T, A: Stream<Item = T>, B: Stream<Item = T>> FusedStream for Merge<A, B> {
    fn is_terminated(&self) -> bool {
        self.a_done && self.b_done
    }
}
