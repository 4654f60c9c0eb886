//! `race`, the `race!` macro, and their future, `Race`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// Runs two futures with the same output type concurrently and resolves to the output of
/// whichever completes first; the other is **dropped** at once (cancelled, or detached if
/// it is a `Task` handle).
///
/// The race is biased: each poll polls `a` before `b`, so if both are ready in the same
/// poll, `a` wins. [`race!`](crate::race!) races more than two (nesting `race`), and
/// [`select`](crate::select()) races futures of different output types.
///
/// # Cancel safety
///
/// Dropping the `Race` drops both futures; it is as cancel-safe as they are. The loser is
/// dropped as soon as the winner completes, before the output is returned.
///
/// # Examples
///
/// ```
/// use corio_combinators::race;
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let slow = async { corio_timer::sleep(Duration::from_millis(50)).await; "slow" };
///     let fast = async { corio_timer::sleep(Duration::from_millis(5)).await; "fast" };
///     assert_eq!(race(slow, fast).await, "fast");
/// });
/// ```
pub fn race<A, B>(a: A, b: B) -> Race<A, B>
where
    A: Future,
    B: Future<Output = A::Output>,
{
    Race {
        a: Some(a),
        b: Some(b),
    }
}

pin_project! {
    /// The future of [`race`]: the first output.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = corio_combinators::race(std::future::pending::<u8>(), std::future::ready(3));
    /// assert_eq!(futures::executor::block_on(r), 3);
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct Race<A, B> {
        #[pin]
        a: Option<A>,
        #[pin]
        b: Option<B>,
    }
}

impl<A, B> Future for Race<A, B>
where
    A: Future,
    B: Future<Output = A::Output>,
{
    type Output = A::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A::Output> {
        let mut this = self.project();
        let out = if let Some(Poll::Ready(out)) = this.a.as_mut().as_pin_mut().map(|a| a.poll(cx)) {
            out
        } else if let Some(Poll::Ready(out)) = this.b.as_mut().as_pin_mut().map(|b| b.poll(cx)) {
            out
        } else {
            assert!(
                this.a.is_some() || this.b.is_some(),
                "Race polled after completion"
            );
            return Poll::Pending;
        };
        this.a.set(None);
        this.b.set(None);
        Poll::Ready(out)
    }
}

impl<A, B> fmt::Debug for Race<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Race")
            .field("finished", &(self.a.is_none() && self.b.is_none()))
            .finish()
    }
}

/// Races any number of futures with one output type: resolves to the first output; the
/// others are dropped. `race!(a, b, c)` is `race(a, race(b, c))`: biased towards the
/// earlier arguments when several are ready at once.
///
/// # Cancel safety
///
/// As [`race()`](crate::race()).
///
/// # Examples
///
/// ```
/// use corio_combinators::race;
/// use std::future::{pending, ready};
///
/// corio_executor::run(async {
///     let n: u32 = race!(pending(), ready(2), ready(3)).await;
///     assert_eq!(n, 2);
/// });
/// ```
#[macro_export]
macro_rules! race {
    ($only:expr $(,)?) => { $only };
    ($first:expr, $($rest:expr),+ $(,)?) => {
        $crate::race($first, $crate::race!($($rest),+))
    };
}
