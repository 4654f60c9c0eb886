//! `try_gather` and its future, `TryGather`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::input_set::InputSet;

/// asyncio.gather without return_exceptions: runs fallible futures concurrently and
/// resolves to `Ok` with every value **in input order**, or to the **first** error.
///
/// On the first error the `TryGather` returns at once and drops every child still running
/// (design decision 3; asyncio lets them run on, corio cancels them, since the owner of a
/// plain future is the only one who could ever drive it). corio `Task` handles among them
/// detach when dropped; wrap them in [`abort_on_drop`](crate::abort_on_drop) to abort
/// them instead. Polling, fairness and the cooperative budget are as for
/// [`gather`](crate::gather()).
///
/// # Cancel safety
///
/// Dropping the `TryGather` drops every unfinished child and the values produced so far.
///
/// # Examples
///
/// ```
/// use corio_combinators::try_gather;
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let ok = try_gather([1, 2, 3].map(|n| async move { Ok::<_, String>(n * 10) })).await;
///     assert_eq!(ok, Ok(vec![10, 20, 30]));
///
///     let failed = try_gather([1u64, 2, 3].map(|n| async move {
///         corio_timer::sleep(Duration::from_millis(n)).await;
///         if n == 2 { Err(format!("{n} failed")) } else { Ok(n) }
///     }))
///     .await;
///     assert_eq!(failed, Err("2 failed".to_string())); // 3 was dropped unfinished
/// });
/// ```
pub fn try_gather<I, T, E>(futures: I) -> TryGather<I::Item, T>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<T, E>>,
{
    let futures: Vec<I::Item> = futures.into_iter().collect();
    let total = futures.len();
    TryGather {
        total,
        set: InputSet::new(futures),
        values: std::iter::repeat_with(|| None).take(total).collect(),
    }
}

/// The future of [`try_gather`]: every value in input order, or the first error.
///
/// # Examples
///
/// ```
/// let g = corio_combinators::try_gather([std::future::ready(Err::<u8, &str>("no"))]);
/// assert_eq!(futures::executor::block_on(g), Err("no"));
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct TryGather<F, T> {
    set: InputSet<F>,
    total: usize,
    values: Vec<Option<T>>,
}

impl<F, T> Unpin for TryGather<F, T> {}

impl<F, T, E> Future for TryGather<F, T>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        this.set.begin_poll(cx);
        loop {
            match this.set.poll_next(cx) {
                Poll::Ready(Some((i, Ok(v)))) => this.values[i] = Some(v),
                Poll::Ready(Some((_, Err(e)))) => {
                    this.set.clear();
                    this.values = Vec::new();
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(None) => {
                    let values = std::mem::take(&mut this.values);
                    return Poll::Ready(Ok(values
                        .into_iter()
                        .map(|v| v.expect("try_gather: every child completed"))
                        .collect()));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<F, T> fmt::Debug for TryGather<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("len", &self.total)
            .field("pending", &self.set.len())
            .finish()
    }
}
