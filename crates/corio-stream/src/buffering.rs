//! What `buffered`, `buffer_unordered` and `for_each_concurrent` share on top of
//! corio-future-set's engine: the set with this crate's yield limit, filling it from the
//! source stream, and the size hint.
//!
//! The engine gives every future its own waker and polls only the woken ones, in pinned
//! boxes that its slots reuse (no allocation per future once the set has reached its
//! peak size). These adapters poll the set with at most [`YIELD_AFTER`] child polls per
//! item they produce, and stop once the executor's cooperative budget is spent, waking
//! their task so it goes to the back of the executor's queue: children that keep waking
//! themselves cannot hold the thread.

use std::pin::Pin;
use std::task::{Context, Poll};

use corio_future_set::FutureSet;
use futures_core::Stream;

/// Child polls one poll of the set may make before it yields to the executor.
pub(crate) const YIELD_AFTER: usize = 64;

/// An empty set with this crate's yield limit.
pub(crate) fn new<F>() -> FutureSet<F> {
    FutureSet::with_yield_after(YIELD_AFTER)
}

/// Pulls up to `room` futures from `stream`, handing each to `push`, stopping early when
/// the stream is pending or ends (then sets `*done`): how `buffered` and
/// `buffer_unordered` keep their sets full without draining a source of work ahead.
pub(crate) fn pull<S: Stream>(
    mut stream: Pin<&mut S>,
    cx: &mut Context<'_>,
    done: &mut bool,
    mut room: usize,
    mut push: impl FnMut(S::Item),
) {
    while room > 0 && !*done {
        match stream.as_mut().poll_next(cx) {
            Poll::Ready(Some(fut)) => {
                push(fut);
                room -= 1;
            }
            Poll::Ready(None) => *done = true,
            Poll::Pending => break,
        }
    }
}

/// The size hint of a buffering adapter holding `held` items or futures over an inner
/// stream with hint `inner`, done or not.
pub(crate) fn size_hint(
    held: usize,
    done: bool,
    inner: (usize, Option<usize>),
) -> (usize, Option<usize>) {
    if done {
        return (held, Some(held));
    }
    let (lo, hi) = inner;
    (
        lo.saturating_add(held),
        hi.and_then(|h| h.checked_add(held)),
    )
}
