use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::flatten`](crate::StreamExt::flatten): the items of each
    /// inner stream in turn.
    ///
    /// # Ordering
    ///
    /// Sequential: every item of the first inner stream, then every item of the second,
    /// and so on; the next inner stream is pulled only once the current one has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Flatten, StreamExt, iter};
    /// let s: Flatten<_, _> = iter([iter(vec![1, 2]), iter(vec![3])]).flatten();
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Flatten<S, I> {
        #[pin]
        outer: S,
        #[pin]
        inner: Option<I>,
        outer_done: bool,
    }
}

impl<S, I> Flatten<S, I> {
    pub(crate) fn new(outer: S) -> Self {
        Flatten {
            outer,
            inner: None,
            outer_done: false,
        }
    }
}

impl<S: fmt::Debug, I: fmt::Debug> fmt::Debug for Flatten<S, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flatten")
            .field("outer", &self.outer)
            .field("inner", &self.inner)
            .finish()
    }
}

impl<S, I> Stream for Flatten<S, I>
where
    S: Stream<Item = I>,
    I: Stream,
{
    type Item = I::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<I::Item>> {
        let mut this = self.project();
        loop {
            if let Some(inner) = this.inner.as_mut().as_pin_mut() {
                match ready!(inner.poll_next(cx)) {
                    Some(item) => return Poll::Ready(Some(item)),
                    None => this.inner.set(None),
                }
            }
            if *this.outer_done {
                return Poll::Ready(None);
            }
            match ready!(this.outer.as_mut().poll_next(cx)) {
                Some(inner) => this.inner.set(Some(inner)),
                None => {
                    *this.outer_done = true;
                    return Poll::Ready(None);
                }
            }
        }
    }
}

impl<S, I> FusedStream for Flatten<S, I>
where
    S: Stream<Item = I>,
    I: Stream,
{
    fn is_terminated(&self) -> bool {
        self.outer_done && self.inner.is_none()
    }
}
