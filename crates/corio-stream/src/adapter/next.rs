use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

/// The future of [`StreamExt::next`](crate::StreamExt::next).
///
/// # Examples
///
/// ```
/// use corio_stream::{StreamExt, iter};
///
/// corio_executor::run(async {
///     let mut s = iter([1]);
///     let next: corio_stream::Next<'_, _> = s.next();
///     assert_eq!(next.await, Some(1));
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Next<'a, S: ?Sized> {
    pub(crate) stream: &'a mut S,
}

impl<S: ?Sized> fmt::Debug for Next<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next").finish_non_exhaustive()
    }
}

impl<S: ?Sized> Unpin for Next<'_, S> {}

impl<S: Stream + Unpin + ?Sized> Future for Next<'_, S> {
    type Output = Option<S::Item>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.stream).poll_next(cx)
    }
}
