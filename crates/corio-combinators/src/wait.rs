//! `wait`, `wait_timeout`, their future `Wait`, and `ReturnWhen`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use corio_timer::Sleep;

use corio_future_set::FutureSet;

/// When [`wait`] returns (asyncio's `return_when`).
///
/// # Examples
///
/// ```
/// use corio_combinators::ReturnWhen;
/// assert_eq!(ReturnWhen::default(), ReturnWhen::AllCompleted);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as any future completes (asyncio's `FIRST_COMPLETED`).
    FirstCompleted,
    /// As soon as any future completes with a failure (see [`Outcome`]), or when all have
    /// completed (asyncio's `FIRST_EXCEPTION`). For tasks whose own output is a `Result`,
    /// use [`wait_first_err`], which also counts the task's `Err`.
    FirstException,
    /// When every future has completed (asyncio's `ALL_COMPLETED`).
    #[default]
    AllCompleted,
}

/// An output that may be a failure: what [`ReturnWhen::FirstException`] looks for.
///
/// Implemented for `Result` (an `Err` is a failure, a `JoinError` from a corio `Task`
/// included) and for `()` and `bool` (never failures). For a task whose own output is a
/// `Result` (`Result<Result<T, E>, JoinError>`), only the outer `Err` counts: use
/// [`wait_first_err`] for such tasks.
///
/// # Examples
///
/// ```
/// use corio_combinators::Outcome;
/// assert!(Err::<(), &str>("x").is_failure());
/// assert!(!Ok::<(), &str>(()).is_failure());
/// ```
pub trait Outcome {
    /// Whether this output counts as an exception for [`ReturnWhen::FirstException`].
    fn is_failure(&self) -> bool;
}

impl<T, E> Outcome for Result<T, E> {
    fn is_failure(&self) -> bool {
        self.is_err()
    }
}

impl Outcome for () {
    fn is_failure(&self) -> bool {
        false
    }
}

impl Outcome for bool {
    fn is_failure(&self) -> bool {
        false
    }
}

/// What [`Wait`] resolves to: the completed futures' outputs with their input indices
/// (in completion order), and the futures still pending (in input order).
pub type WaitResult<F> = (Vec<(usize, <F as Future>::Output)>, Vec<F>);

/// asyncio.wait: runs the futures concurrently until `return_when` is met, then gives back
/// `(done, pending)`: the outputs of every future that completed (with its input index,
/// in completion order) and the futures **still pending, untouched**, so that the caller
/// can keep awaiting them (pass them to another `wait`, say).
///
/// - Errors never make `wait` fail: failed futures sit in `done` like the rest.
/// - With [`ReturnWhen::FirstCompleted`], `done` holds every future found complete by the
///   time `wait` returns, not just the first.
/// - An empty input gives `(vec![], vec![])` at once (asyncio raises `ValueError`).
/// - [`wait_timeout`] or [`Wait::timeout`] add a time limit: when it fires, the partial
///   `(done, pending)` is returned, with no error and without cancelling anything.
///
/// Outputs must implement [`Outcome`] (any `Result`, `()`, `bool`), which is how
/// [`ReturnWhen::FirstException`] tells a failure; map other outputs into a `Result`.
///
/// The futures are moved in and handed back, so they must be [`Unpin`]: corio `Task`s
/// are; box other futures with `Box::pin`. Children have per-child wakers and the `Wait`
/// yields after a budget of polls, as [`gather`](crate::gather()) does.
///
/// # Cancel safety
///
/// Dropping the `Wait` before it resolves drops every future it holds (design decision 9):
/// plain futures are cancelled, `Task` handles detach (the tasks keep running). To keep
/// them, let the `Wait` resolve (a timeout does) and take `pending`.
///
/// # Examples
///
/// ```
/// use corio_combinators::{ReturnWhen, wait};
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let tasks: Vec<_> = [50u64, 10, 30]
///         .into_iter()
///         .map(|ms| corio_executor::spawn(async move {
///             corio_timer::sleep(Duration::from_millis(ms)).await;
///             ms
///         }))
///         .collect();
///     let (done, pending) = wait(tasks, ReturnWhen::FirstCompleted).await;
///     assert_eq!(done.len(), 1);
///     assert_eq!(done[0].0, 1); // the 10 ms task, input index 1
///     assert_eq!(*done[0].1.as_ref().unwrap(), 10);
///     assert_eq!(pending.len(), 2); // still running; keep waiting
///     let (rest, none) = wait(pending, ReturnWhen::AllCompleted).await;
///     assert_eq!((rest.len(), none.len()), (2, 0));
/// });
/// ```
pub fn wait<I>(futures: I, return_when: ReturnWhen) -> Wait<I::Item>
where
    I: IntoIterator,
    I::Item: Future + Unpin,
    <I::Item as Future>::Output: Outcome,
{
    let futures = futures.into_iter();
    let mut set = FutureSet::new();
    set.reserve(futures.size_hint().0);
    let total = futures.map(|f| set.push(f)).count();
    Wait {
        set,
        total,
        return_when,
        is_failure: <<I::Item as Future>::Output as Outcome>::is_failure,
        done: Vec::new(),
        sleep: None,
        duration: None,
        wait: corio_core::callgraph::WaitSlot::new(),
    }
}

/// [`wait`] with a time limit (asyncio's `wait(..., timeout=)`): after `timeout`, returns
/// whatever `(done, pending)` is at that moment, with no error and without cancelling the
/// pending futures.
///
/// The futures are polled before the timer is looked at, so completions that are ready
/// when the timeout fires are counted as done.
///
/// # Cancel safety
///
/// As [`wait`].
///
/// # Examples
///
/// ```
/// use corio_combinators::{ReturnWhen, wait_timeout};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(corio_timer::TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let slow = corio_executor::spawn(corio_timer::sleep(Duration::from_secs(10)));
///     let fast = corio_executor::spawn(corio_timer::sleep(Duration::from_secs(1)));
///     let (done, pending) =
///         wait_timeout([fast, slow], ReturnWhen::AllCompleted, Duration::from_secs(5)).await;
///     assert_eq!((done.len(), pending.len()), (1, 1));
///     let slow = pending.into_iter().next().unwrap();
///     assert!(slow.await.is_ok()); // not cancelled: it finishes later
/// });
/// ```
pub fn wait_timeout<I>(futures: I, return_when: ReturnWhen, timeout: Duration) -> Wait<I::Item>
where
    I: IntoIterator,
    I::Item: Future + Unpin,
    <I::Item as Future>::Output: Outcome,
{
    wait(futures, return_when).timeout(timeout)
}

/// asyncio's `wait(tasks, return_when=FIRST_EXCEPTION)` for tasks whose own output is a
/// `Result`: returns `(done, pending)` as soon as one of them returns `Err` (or its task
/// panicked or was cancelled), or when all have completed.
///
/// An asyncio task fails by raising; a corio task fails by returning `Err`, which its
/// handle wraps in another `Result`: `Result<Result<T, E>, JoinError>`. [`wait`] with
/// [`ReturnWhen::FirstException`] looks at the outer `Result` only (it cannot see inside
/// a generic `T`), so it would wait for every task; this form counts an `Err` at either
/// level as the failure. For futures whose output is a plain `Result<T, E>`, `wait` with
/// `FirstException` already does this.
///
/// Everything else is as [`wait`]: outputs in `done` with their input indices, pending
/// futures handed back untouched (tasks keep running), no error from the wait itself;
/// add a time limit with [`Wait::timeout`].
///
/// # Cancel safety
///
/// As [`wait`].
///
/// # Examples
///
/// ```
/// use corio_combinators::wait_first_err;
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let slow = corio_executor::spawn(async {
///         corio_timer::sleep(Duration::from_secs(3600)).await;
///         Ok::<_, String>("slow")
///     });
///     let bad = corio_executor::spawn(async { Err::<&str, _>("bad input".to_string()) });
///     let (done, pending) = wait_first_err([slow, bad]).await;
///     assert_eq!(done.len(), 1);
///     let (index, out) = &done[0];
///     assert_eq!(*index, 1);
///     assert_eq!(out.as_ref().unwrap().as_ref().unwrap_err(), "bad input");
///     assert_eq!(pending.len(), 1); // still running: cancel it, or keep waiting
///     pending[0].abort();
/// });
/// ```
pub fn wait_first_err<I, T, E, J>(futures: I) -> Wait<I::Item>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<Result<T, E>, J>> + Unpin,
{
    let futures = futures.into_iter();
    let mut set = FutureSet::new();
    set.reserve(futures.size_hint().0);
    let total = futures.map(|f| set.push(f)).count();
    Wait {
        set,
        total,
        return_when: ReturnWhen::FirstException,
        is_failure: |out| !matches!(out, Ok(Ok(_))),
        done: Vec::new(),
        sleep: None,
        duration: None,
        wait: corio_core::callgraph::WaitSlot::new(),
    }
}

/// The future of [`wait`] and [`wait_timeout`]: `(done, pending)`.
///
/// # Examples
///
/// ```
/// use corio_combinators::{ReturnWhen, wait};
/// use std::time::Duration;
///
/// futures::executor::block_on(async {
///     let never = Box::pin(std::future::pending::<()>());
///     let (done, pending) = wait([never], ReturnWhen::AllCompleted)
///         .timeout(Duration::from_millis(5))
///         .await;
///     assert!(done.is_empty());
///     assert_eq!(pending.len(), 1);
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<F: Future> {
    set: FutureSet<F>,
    /// How many futures were given.
    total: usize,
    return_when: ReturnWhen,
    is_failure: fn(&F::Output) -> bool,
    done: Vec<(usize, F::Output)>,
    sleep: Option<Sleep>,
    /// A timeout not started yet: the clock starts at the first poll.
    duration: Option<Duration>,
    /// The call graph's record; the futures' waits nest under it.
    wait: corio_core::callgraph::WaitSlot,
}

impl<F: Future> Wait<F> {
    /// Adds a time limit, counted from the first poll; see [`wait_timeout`].
    ///
    /// # Examples
    ///
    /// See [`Wait`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.duration = Some(timeout);
        self.sleep = None;
        self
    }

    /// Says what counts as a failure for [`ReturnWhen::FirstException`], instead of
    /// [`Outcome::is_failure`]. Useful for task handles whose output nests the task's
    /// own `Result` inside the `JoinError` one.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::{ReturnWhen, wait};
    ///
    /// corio_executor::run(async {
    ///     let ok = corio_executor::spawn(std::future::pending::<Result<(), &str>>());
    ///     let bad = corio_executor::spawn(async { Err::<(), _>("boom") });
    ///     let (done, pending) = wait([ok, bad], ReturnWhen::FirstException)
    ///         .failure_if(|r| !matches!(r, Ok(Ok(_))))
    ///         .await;
    ///     assert_eq!((done.len(), pending.len()), (1, 1));
    ///     pending[0].abort();
    /// });
    /// ```
    pub fn failure_if(mut self, is_failure: fn(&F::Output) -> bool) -> Self {
        self.is_failure = is_failure;
        self
    }

    /// How many futures have not completed yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_combinators::{ReturnWhen, wait};
    /// let w = wait([std::future::ready(())], ReturnWhen::AllCompleted);
    /// assert_eq!(w.pending(), 1);
    /// ```
    pub fn pending(&self) -> usize {
        self.set.len()
    }
}

impl<F: Future + Unpin> Wait<F> {
    fn finish(&mut self) -> WaitResult<F> {
        let pending = self
            .set
            .take_pending()
            .into_iter()
            .map(|(_, f)| f)
            .collect();
        self.sleep = None;
        self.wait.done();
        (std::mem::take(&mut self.done), pending)
    }
}

impl<F: Future> Unpin for Wait<F> {}

impl<F> Future for Wait<F>
where
    F: Future + Unpin,
    F::Output: Outcome,
{
    type Output = WaitResult<F>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some(d) = this.duration.take() {
            this.sleep = Some(corio_timer::sleep(d));
        }
        this.set.begin_poll(cx);
        let (live, len) = (this.set.len(), this.total);
        let frame = this
            .wait
            .frame(|| crate::gather::describe("wait", live, len));
        let mut met = false;
        loop {
            match this.set.poll_next(cx) {
                Poll::Ready(Some((i, out))) => {
                    met |= match this.return_when {
                        ReturnWhen::FirstCompleted => true,
                        ReturnWhen::FirstException => (this.is_failure)(&out),
                        ReturnWhen::AllCompleted => false,
                    };
                    this.done.push((i, out));
                }
                Poll::Ready(None) => return Poll::Ready(this.finish()),
                Poll::Pending => break,
            }
        }
        drop(frame);
        let (live, len) = (this.set.len(), this.total);
        this.wait
            .pending(|| crate::gather::describe("wait", live, len));
        // Every future found complete in this poll is in `done` (asyncio's
        // test_wait_really_done); now decide.
        if met {
            return Poll::Ready(this.finish());
        }
        if let Some(sleep) = this.sleep.as_mut() {
            if Pin::new(sleep).poll(cx).is_ready() {
                return Poll::Ready(this.finish());
            }
        }
        Poll::Pending
    }
}

impl<F: Future> fmt::Debug for Wait<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("return_when", &self.return_when)
            .field("done", &self.done.len())
            .field("pending", &self.set.len())
            .field("timeout", &self.sleep.as_ref().map(|s| s.deadline()))
            .finish()
    }
}
