use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use corio_timer::Interval;
use futures_core::Stream;

/// An endless stream of ticks every `period`, the first at once; each item is the instant
/// the tick was scheduled for. Missed ticks are skipped (see [`IntervalStream::new`] to
/// choose another [`MissedTickBehavior`](corio_timer::MissedTickBehavior)).
///
/// Works on virtual time inside a loop driven by a paused timer driver, and under any
/// executor (see corio-timer).
///
/// # Panics
///
/// If `period` is zero.
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, interval_stream};
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let mut ticks = interval_stream(Duration::from_millis(1)).take(3);
///     let mut n = 0;
///     while let Some(_at) = ticks.next().await {
///         n += 1;
///     }
///     assert_eq!(n, 3);
/// });
/// ```
pub fn interval_stream(period: Duration) -> IntervalStream {
    IntervalStream::new(corio_timer::interval(period))
}

/// The stream of [`interval_stream`]: an [`Interval`] as a [`Stream`].
///
/// # Ordering
///
/// Ticks in schedule order.
///
/// # Examples
///
/// ```
/// use corio_timer::{MissedTickBehavior, interval};
/// use std::time::Duration;
///
/// let mut iv = interval(Duration::from_secs(1));
/// iv.set_missed_tick_behavior(MissedTickBehavior::Burst);
/// let ticks = corio_stream::IntervalStream::new(iv);
/// assert_eq!(ticks.as_ref().period(), Duration::from_secs(1));
/// ```
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct IntervalStream {
    interval: Interval,
}

impl IntervalStream {
    /// Wraps an existing interval.
    ///
    /// # Examples
    ///
    /// ```
    /// let iv = corio_timer::interval(std::time::Duration::from_secs(1));
    /// let _ticks = corio_stream::IntervalStream::new(iv);
    /// ```
    pub fn new(interval: Interval) -> Self {
        IntervalStream { interval }
    }

    /// Gives the interval back.
    ///
    /// # Examples
    ///
    /// ```
    /// let ticks = corio_stream::interval_stream(std::time::Duration::from_secs(1));
    /// let iv = ticks.into_inner();
    /// assert_eq!(iv.period(), std::time::Duration::from_secs(1));
    /// ```
    pub fn into_inner(self) -> Interval {
        self.interval
    }
}

impl AsRef<Interval> for IntervalStream {
    fn as_ref(&self) -> &Interval {
        &self.interval
    }
}

impl AsMut<Interval> for IntervalStream {
    fn as_mut(&mut self) -> &mut Interval {
        &mut self.interval
    }
}

impl Stream for IntervalStream {
    type Item = Instant;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.interval.poll_tick(cx).map(Some)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}
