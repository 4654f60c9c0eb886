//! `select`, its future `Select`, and `Either`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// The output of [`select`]: which of two futures won, with its output.
///
/// # Examples
///
/// ```
/// use corio_combinators::Either;
/// let e: Either<u8, &str> = Either::Left(1);
/// assert!(e.is_left());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Either<L, R> {
    /// The first future won.
    Left(L),
    /// The second future won.
    Right(R),
}

impl<L, R> Either<L, R> {
    /// Whether the first future won.
    ///
    /// # Examples
    ///
    /// See [`Either`].
    pub fn is_left(&self) -> bool {
        matches!(self, Either::Left(_))
    }

    /// Whether the second future won.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio_combinators::Either::<(), u8>::Right(2).is_right());
    /// ```
    pub fn is_right(&self) -> bool {
        matches!(self, Either::Right(_))
    }
}

impl<T> Either<T, T> {
    /// The output, whichever side it came from.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_combinators::Either::<u8, u8>::Right(2).into_inner(), 2);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Either::Left(v) | Either::Right(v) => v,
        }
    }
}

/// Runs two futures of any output types concurrently; resolves to [`Either::Left`] or
/// [`Either::Right`] with the output of the first to complete. The other is **dropped** at
/// once. Biased: `a` is polled first, and wins a tie.
///
/// # Cancel safety
///
/// Dropping the `Select` drops both futures; the loser is dropped before the output is
/// returned.
///
/// # Examples
///
/// ```
/// use corio_combinators::{Either, select};
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let data = async { corio_timer::sleep(Duration::from_millis(5)).await; 42 };
///     let stop = async { corio_timer::sleep(Duration::from_secs(5)).await; "stop" };
///     match select(data, stop).await {
///         Either::Left(n) => assert_eq!(n, 42),
///         Either::Right(_) => unreachable!(),
///     }
/// });
/// ```
pub fn select<A: Future, B: Future>(a: A, b: B) -> Select<A, B> {
    Select {
        a: Some(a),
        b: Some(b),
    }
}

pin_project! {
    /// The future of [`select`].
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::{Either, select};
    /// let s = select(std::future::ready(1), std::future::pending::<()>());
    /// assert_eq!(futures::executor::block_on(s), Either::Left(1));
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct Select<A, B> {
        #[pin]
        a: Option<A>,
        #[pin]
        b: Option<B>,
    }
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let out = if let Some(Poll::Ready(out)) = this.a.as_mut().as_pin_mut().map(|a| a.poll(cx)) {
            Either::Left(out)
        } else if let Some(Poll::Ready(out)) = this.b.as_mut().as_pin_mut().map(|b| b.poll(cx)) {
            Either::Right(out)
        } else {
            assert!(
                this.a.is_some() || this.b.is_some(),
                "Select polled after completion"
            );
            return Poll::Pending;
        };
        this.a.set(None);
        this.b.set(None);
        Poll::Ready(out)
    }
}

impl<A, B> fmt::Debug for Select<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("finished", &(self.a.is_none() && self.b.is_none()))
            .finish()
    }
}
