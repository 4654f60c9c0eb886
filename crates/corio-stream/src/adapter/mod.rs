//! The adapters of [`StreamExt`](crate::StreamExt), one per file.

use std::time::{Duration, Instant};

pub(crate) mod buffer_unordered;
pub(crate) mod buffered;
pub(crate) mod chunks;
pub(crate) mod chunks_timeout;
pub(crate) mod collect;
pub(crate) mod enumerate;
pub(crate) mod filter;
pub(crate) mod flatten;
pub(crate) mod fold;
pub(crate) mod for_each_concurrent;
pub(crate) mod map;
pub(crate) mod merge;
pub(crate) mod next;
pub(crate) mod skip;
pub(crate) mod take;
pub(crate) mod take_while;
pub(crate) mod then;
pub(crate) mod throttle;
pub(crate) mod timeout;
pub(crate) mod zip;

/// `now + dur` on the timers' clock, saturating far in the future instead of overflowing.
pub(crate) fn deadline_in(dur: Duration) -> Instant {
    let now = corio_timer::clock::now();
    now.checked_add(dur)
        .or_else(|| now.checked_add(Duration::from_secs(30 * 365 * 86_400)))
        .unwrap_or(now)
}
