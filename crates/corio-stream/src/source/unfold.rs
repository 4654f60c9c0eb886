use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;

/// A stream built from a state and an async step: `step(state)` resolves to
/// `Some((item, next_state))`, or `None` to end the stream.
///
/// The step runs only when an item is asked for (back-pressure), one step at a time.
///
/// # Ordering
///
/// The order of the steps.
///
/// # Examples
///
/// Paginated results, fetched page by page as the consumer reaches them:
///
/// ```
/// use corio_stream::{StreamExt, unfold};
///
/// async fn fetch(cursor: u32) -> (Vec<u32>, Option<u32>) {
///     // (this page's items, the next page's cursor)
///     (vec![cursor, cursor + 1], (cursor < 4).then_some(cursor + 2))
/// }
///
/// corio_executor::run(async {
///     let pages = unfold(Some(0), |cursor| async move {
///         let (items, next) = fetch(cursor?).await;
///         Some((items, next))
///     });
///     assert_eq!(pages.map(corio_stream::iter).flatten().collect::<Vec<_>>().await, [0, 1, 2, 3, 4, 5]);
/// });
/// ```
pub fn unfold<S, F, Fut, T>(init: S, step: F) -> Unfold<S, F, Fut>
where
    F: FnMut(S) -> Fut,
    Fut: Future<Output = Option<(T, S)>>,
{
    Unfold {
        state: Some(init),
        step,
        fut: None,
    }
}

pin_project_lite::pin_project! {
    /// The stream of [`unfold`].
    ///
    /// # Examples
    ///
    /// ```
    /// let s = corio_stream::unfold(0, |n| async move { Some((n, n + 1)) });
    /// println!("{s:?}");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Unfold<S, F, Fut> {
        state: Option<S>,
        step: F,
        #[pin]
        fut: Option<Fut>,
    }
}

impl<S, F, Fut> fmt::Debug for Unfold<S, F, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unfold")
            .field("stepping", &self.fut.is_some())
            .field("done", &(self.state.is_none() && self.fut.is_none()))
            .finish_non_exhaustive()
    }
}

impl<S, F, Fut, T> Stream for Unfold<S, F, Fut>
where
    F: FnMut(S) -> Fut,
    Fut: Future<Output = Option<(T, S)>>,
{
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut this = self.project();
        if this.fut.is_none() {
            let Some(state) = this.state.take() else {
                return Poll::Ready(None);
            };
            this.fut.set(Some((this.step)(state)));
        }
        let fut = this.fut.as_mut().as_pin_mut().expect("set above");
        let out = ready!(fut.poll(cx));
        this.fut.set(None);
        Poll::Ready(out.map(|(item, next)| {
            *this.state = Some(next);
            item
        }))
    }
}
