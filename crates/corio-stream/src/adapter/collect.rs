use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;

pin_project_lite::pin_project! {
    /// The future of [`StreamExt::collect`](crate::StreamExt::collect).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{Collect, StreamExt, iter};
    /// let f: Collect<_, Vec<i32>> = iter([1, 2]).collect();
    /// println!("{f:?}");
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct Collect<S, C> {
        #[pin]
        stream: S,
        acc: C,
    }
}

impl<S: Stream, C: Default + Extend<S::Item>> Collect<S, C> {
    pub(crate) fn new(stream: S) -> Self {
        Collect {
            stream,
            acc: C::default(),
        }
    }
}

impl<S: fmt::Debug, C> fmt::Debug for Collect<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Collect")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl<S: Stream, C: Default + Extend<S::Item>> Future for Collect<S, C> {
    type Output = C;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<C> {
        let mut this = self.project();
        while let Some(item) = ready!(this.stream.as_mut().poll_next(cx)) {
            this.acc.extend(Some(item));
        }
        Poll::Ready(std::mem::take(this.acc))
    }
}
