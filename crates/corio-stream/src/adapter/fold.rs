use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

pin_project_lite::pin_project! {
    /// The future of [`StreamExt::fold`](crate::StreamExt::fold).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Fold, StreamExt, iter};
    /// let f: Fold<_, i32, _> = iter([1, 2]).fold(0, |a, x| a + x);
    /// println!("{f:?}");
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct Fold<S, B, F> {
        #[pin]
        stream: S,
        acc: Option<B>,
        f: F,
    }
}

impl<S, B, F> Fold<S, B, F> {
    pub(crate) fn new(stream: S, init: B, f: F) -> Self {
        Fold {
            stream,
            acc: Some(init),
            f,
        }
    }
}

impl<S: fmt::Debug, B: fmt::Debug, F> fmt::Debug for Fold<S, B, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fold")
            .field("stream", &self.stream)
            .field("acc", &self.acc)
            .finish_non_exhaustive()
    }
}

impl<S: Stream, B, F: FnMut(B, S::Item) -> B> Future for Fold<S, B, F> {
    type Output = B;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<B> {
        let mut this = self.project();
        // The accumulator is a local for the whole loop, not an `Option` written back per
        // item: that kept its tag in memory, a load, test and store per item.
        let mut acc = this.acc.take().expect("Fold polled after completion");
        loop {
            match this.stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => acc = (this.f)(acc, item),
                Poll::Ready(None) => return Poll::Ready(acc),
                Poll::Pending => {
                    *this.acc = Some(acc);
                    return Poll::Pending;
                }
            }
        }
    }
}
