//! `gather_settled` and its future, `GatherSettled`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::gather::{Gather, gather};

/// asyncio.gather(..., return_exceptions=True): runs every fallible future to the end and
/// resolves to every outcome, `Ok` or `Err`, **in input order**.
///
/// An error never stops the others; `GatherSettled` is done only when every child is. It
/// is [`gather`] restricted to futures that yield a `Result`, named for what it promises.
/// Gathering corio `Task`s gives `Result<T, JoinError>` per slot: a cancelled or panicking
/// task puts its `JoinError` in its own slot and the others carry on.
///
/// # Cancel safety
///
/// As [`gather`]: dropping it drops every unfinished child.
///
/// # Examples
///
/// ```
/// use corio_combinators::gather_settled;
///
/// corio_executor::run(async {
///     let out = gather_settled([
///         Box::pin(async { Ok(1) }) as std::pin::Pin<Box<dyn std::future::Future<Output = Result<i32, &str>>>>,
///         Box::pin(async { Err("boom") }),
///         Box::pin(async { Ok(3) }),
///     ])
///     .await;
///     assert_eq!(out, vec![Ok(1), Err("boom"), Ok(3)]);
/// });
/// ```
pub fn gather_settled<I, T, E>(futures: I) -> GatherSettled<I::Item>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<T, E>>,
{
    GatherSettled {
        inner: gather(futures),
    }
}

/// The future of [`gather_settled`]: every outcome, in input order.
///
/// # Examples
///
/// ```
/// let g = corio_combinators::gather_settled([std::future::ready(Ok::<u8, ()>(1))]);
/// assert_eq!(futures::executor::block_on(g), vec![Ok(1)]);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct GatherSettled<F: Future> {
    inner: Gather<F>,
}

impl<F: Future> Future for GatherSettled<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.inner).poll(cx)
    }
}

impl<F: Future> fmt::Debug for GatherSettled<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatherSettled")
            .field("len", &self.inner.len())
            .field("pending", &self.inner.pending())
            .finish()
    }
}
