use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use corio_core::Elapsed;
use corio_timer::Sleep;
use futures_core::{FusedStream, Stream};

pin_project_lite::pin_project! {
    /// The stream of [`StreamExt::timeout`](crate::StreamExt::timeout): each item must
    /// arrive within `dur`, or the stream yields `Err(Elapsed)`.
    ///
    /// The clock for an item starts when the consumer first asks for it (after the
    /// previous item, or the previous `Err`). After an `Err(Elapsed)` the stream
    /// **continues**: the inner stream is not dropped or restarted, and the next poll
    /// waits again, with a fresh `dur`, for the same pending item. To end at the first
    /// timeout instead, add `.take_while(Result::is_ok)`.
    ///
    /// # Ordering
    ///
    /// The inner stream's order, with `Err(Elapsed)` markers in between where it was slow.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_stream::{StreamExt, TimeoutStream, iter};
    /// use std::time::Duration;
    /// let s: TimeoutStream<_> = iter(0..3).timeout(Duration::from_secs(1));
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct TimeoutStream<S> {
        #[pin]
        stream: S,
        dur: Duration,
        timer: Option<Sleep>,
        armed: bool,
    }
}

impl<S> TimeoutStream<S> {
    pub(crate) fn new(stream: S, dur: Duration) -> Self {
        TimeoutStream {
            stream,
            dur,
            timer: None,
            armed: false,
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for TimeoutStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimeoutStream")
            .field("stream", &self.stream)
            .field("dur", &self.dur)
            .field("armed", &self.armed)
            .finish()
    }
}

impl<S: Stream> Stream for TimeoutStream<S> {
    type Item = Result<S::Item, Elapsed>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        // The item wins a tie: poll the stream before the timer.
        if let Poll::Ready(item) = this.stream.poll_next(cx) {
            *this.armed = false;
            return Poll::Ready(item.map(Ok));
        }
        if !*this.armed {
            let deadline = crate::adapter::deadline_in(*this.dur);
            match this.timer {
                Some(t) => t.reset(deadline),
                None => *this.timer = Some(corio_timer::sleep_until(deadline)),
            }
            *this.armed = true;
        }
        let timer = this.timer.as_mut().expect("armed above");
        match Pin::new(timer).poll(cx) {
            Poll::Ready(()) => {
                *this.armed = false;
                Poll::Ready(Some(Err(Elapsed::new())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (lo, hi) = self.stream.size_hint();
        // Each item may be preceded by any number of `Err(Elapsed)`.
        let _ = hi;
        (lo, None)
    }
}

impl<S: FusedStream> FusedStream for TimeoutStream<S> {
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}
