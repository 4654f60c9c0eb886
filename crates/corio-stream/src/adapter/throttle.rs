use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use corio_timer::Sleep;
use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::throttle`](crate::StreamExt::throttle): at most one item
    /// per `period`.
    ///
    /// The first item passes at once; after each item the stream waits until `period`
    /// has passed since that item went out before it even polls the inner stream again.
    /// So the inner stream is not drained ahead (back-pressure): a generator behind it
    /// produces each item only when it may be delivered. Nothing is dropped; items are
    /// only delayed. A consumer slower than `period` is not slowed further. The end of
    /// the stream, like an item, is seen only once the period after the last item has passed.
    ///
    /// # Ordering
    ///
    /// The inner stream's order.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, Throttle, iter};
    /// use std::time::Duration;
    /// let s: Throttle<_> = iter(0..3).throttle(Duration::from_millis(10));
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Throttle<S> {
        #[pin]
        stream: S,
        period: Duration,
        // Armed after each item: the earliest time the next one may go.
        gate: Option<Sleep>,
        gated: bool,
    }
}

impl<S> Throttle<S> {
    pub(crate) fn new(stream: S, period: Duration) -> Self {
        Throttle {
            stream,
            period,
            gate: None,
            gated: false,
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for Throttle<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Throttle")
            .field("stream", &self.stream)
            .field("period", &self.period)
            .field("waiting", &self.gated)
            .finish()
    }
}

impl<S: Stream> Stream for Throttle<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        if *this.gated {
            let gate = this.gate.as_mut().expect("gated implies a timer");
            ready!(Pin::new(gate).poll(cx));
            *this.gated = false;
        }
        let item = ready!(this.stream.poll_next(cx));
        if item.is_some() && !this.period.is_zero() {
            let next = crate::adapter::deadline_in(*this.period);
            match this.gate {
                Some(g) => g.reset(next),
                None => *this.gate = Some(corio_timer::sleep_until(next)),
            }
            *this.gated = true;
        }
        Poll::Ready(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

impl<S: FusedStream> FusedStream for Throttle<S> {
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}
