use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::then`](crate::StreamExt::then).
    ///
    /// # Ordering
    ///
    /// The inner stream's order; one future at a time (for concurrency, see
    /// [`buffered`](crate::StreamExt::buffered)).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, Then, iter};
    /// let s: Then<_, _, _> = iter([1, 2]).then(|x| async move { x * 2 });
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Then<S, F, Fut> {
        #[pin]
        stream: S,
        f: F,
        #[pin]
        pending: Option<Fut>,
    }
}

impl<S, F, Fut> Then<S, F, Fut> {
    pub(crate) fn new(stream: S, f: F) -> Self {
        Then {
            stream,
            f,
            pending: None,
        }
    }
}

impl<S: fmt::Debug, F, Fut> fmt::Debug for Then<S, F, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Then")
            .field("stream", &self.stream)
            .field("running", &self.pending.is_some())
            .finish_non_exhaustive()
    }
}

impl<S, F, Fut> Stream for Then<S, F, Fut>
where
    S: Stream,
    F: FnMut(S::Item) -> Fut,
    Fut: Future,
{
    type Item = Fut::Output;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Fut::Output>> {
        let mut this = self.project();
        if this.pending.is_none() {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(item) => this.pending.set(Some((this.f)(item))),
                None => return Poll::Ready(None),
            }
        }
        let fut = this.pending.as_mut().as_pin_mut().expect("set above");
        let out = ready!(fut.poll(cx));
        this.pending.set(None);
        Poll::Ready(Some(out))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let extra = usize::from(self.pending.is_some());
        let (lo, hi) = self.stream.size_hint();
        (
            lo.saturating_add(extra),
            hi.and_then(|h| h.checked_add(extra)),
        )
    }
}

impl<S, F, Fut> FusedStream for Then<S, F, Fut>
where
    S: FusedStream,
    F: FnMut(S::Item) -> Fut,
    Fut: Future,
{
    fn is_terminated(&self) -> bool {
        self.pending.is_none() && self.stream.is_terminated()
    }
}
