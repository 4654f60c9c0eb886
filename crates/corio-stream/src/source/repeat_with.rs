use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use corio_core::coop;
use futures_core::Stream;

/// An endless stream of the values of `f`, called once per item, only when an item is
/// asked for.
///
/// Each item spends one unit of the task's cooperative budget.
///
/// # Ordering
///
/// The order of the calls.
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, repeat_with};
///
/// corio_executor::run(async {
///     let mut n = 1;
///     let powers = repeat_with(move || { n *= 2; n });
///     assert_eq!(powers.take(3).collect::<Vec<_>>().await, [2, 4, 8]);
/// });
/// ```
pub fn repeat_with<T, F: FnMut() -> T>(f: F) -> RepeatWith<F> {
    RepeatWith { f }
}

/// The stream of [`repeat_with`].
///
/// # Examples
///
/// ```
/// let s = corio_stream::repeat_with(|| 0);
/// println!("{s:?}");
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct RepeatWith<F> {
    f: F,
}

impl<F> fmt::Debug for RepeatWith<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RepeatWith").finish_non_exhaustive()
    }
}

impl<F> Unpin for RepeatWith<F> {}

impl<T, F: FnMut() -> T> Stream for RepeatWith<F> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        std::task::ready!(coop::poll_proceed(cx));
        Poll::Ready(Some((self.f)()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}
