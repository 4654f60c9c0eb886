//! `gather` and its future, `Gather`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::input_set::InputSet;

/// asyncio.gather: runs every future concurrently and resolves to their outputs **in input
/// order**, whatever order they complete in.
///
/// The futures run inside the `Gather` itself (no task is spawned), so this works under
/// any executor and on futures of any kind, corio `Task`s included. For futures of
/// different types use [`gather!`](crate::gather!), which gives a tuple.
///
/// Each child has its own waker: a wake-up polls only the child that was woken, so
/// gathering `n` futures costs `O(n)` polls in all, not `O(n²)`. After
/// 256 child polls, or once corio's cooperative budget is spent, the `Gather` yields to its
/// executor (it wakes itself and returns `Pending`), so a large gather of ready futures
/// cannot starve the loop. Every child is first polled in input order before any child is
/// polled again (unless a child woke itself as it completed: the child that takes over its
/// slot is polled after the others pushed with it); children enter the gather's set 257 at
/// a time, and one that completes on its first poll hands its slot (boxed future, waker) to
/// a later one, so gathering ready futures allocates per 257 children, not per child.
///
/// An empty input resolves to an empty `Vec` at once. Outputs that are `Result`s are kept as
/// they are (that is [`gather_settled`](crate::gather_settled)); to stop at the first
/// error use [`try_gather`](crate::try_gather()). A panic in a child propagates out of the
/// `Gather`'s poll; gather `Task`s to have panics reported as `JoinError`s instead.
///
/// # Cancel safety
///
/// Dropping an unfinished `Gather` drops every child that has not completed (design
/// decision 3): plain futures are thereby cancelled, corio `Task` handles detach, and the
/// outputs already produced are dropped with it.
///
/// # Examples
///
/// ```
/// use corio_combinators::gather;
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let delays = [30u64, 10, 20];
///     let out = gather(delays.map(|ms| async move {
///         corio_timer::sleep(Duration::from_millis(ms)).await;
///         ms
///     }))
///     .await;
///     assert_eq!(out, vec![30, 10, 20]); // input order, not completion order
/// });
/// ```
pub fn gather<I>(futures: I) -> Gather<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    let futures: Vec<I::Item> = futures.into_iter().collect();
    let total = futures.len();
    Gather {
        total,
        set: InputSet::new(futures),
        outputs: std::iter::repeat_with(|| None).take(total).collect(),
        wait: corio_core::callgraph::WaitSlot::new(),
    }
}

/// The future of [`gather`]: a `Vec` of the outputs, in input order.
///
/// # Examples
///
/// ```
/// use corio_combinators::{Gather, gather};
///
/// let g: Gather<std::future::Ready<u8>> = gather([std::future::ready(1), std::future::ready(2)]);
/// assert_eq!(g.len(), 2);
/// assert_eq!(futures::executor::block_on(g), vec![1, 2]);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Gather<F: Future> {
    set: InputSet<F>,
    /// How many futures were gathered.
    total: usize,
    outputs: Vec<Option<F::Output>>,
    /// The call graph's record; the children's waits nest under it.
    wait: corio_core::callgraph::WaitSlot,
}

impl<F: Future> Gather<F> {
    /// How many futures were gathered.
    ///
    /// # Examples
    ///
    /// See [`Gather`].
    pub fn len(&self) -> usize {
        self.total
    }

    /// Whether no futures were gathered.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = corio_combinators::gather(Vec::<std::future::Ready<()>>::new());
    /// assert!(g.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many futures have not completed yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = corio_combinators::gather([std::future::pending::<()>()]);
    /// assert_eq!(g.pending(), 1);
    /// ```
    pub fn pending(&self) -> usize {
        self.set.len()
    }
}

// The children are boxed (in the set's slots) and the outputs only moved, so the `Gather`
// never pins anything in place.
impl<F: Future> Unpin for Gather<F> {}

impl<F: Future> Future for Gather<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        this.set.begin_poll(cx);
        let (live, len) = (this.set.len(), this.total);
        let _frame = this.wait.frame(|| describe("gather", live, len));
        loop {
            match this.set.poll_next(cx) {
                Poll::Ready(Some((i, out))) => this.outputs[i] = Some(out),
                Poll::Ready(None) => {
                    this.wait.done();
                    let outputs = std::mem::take(&mut this.outputs);
                    return Poll::Ready(
                        outputs
                            .into_iter()
                            .map(|o| o.expect("gather: every child completed"))
                            .collect(),
                    );
                }
                Poll::Pending => {
                    let (live, len) = (this.set.len(), this.total);
                    this.wait.pending(|| describe("gather", live, len));
                    return Poll::Pending;
                }
            }
        }
    }
}

/// A combinator's call-graph record: how many of its futures are still pending.
pub(crate) fn describe(
    kind: &'static str,
    live: usize,
    len: usize,
) -> corio_core::callgraph::WaitOn {
    corio_core::callgraph::WaitOn::new(kind).detail(format!("{live} of {len} pending"))
}

impl<F: Future> fmt::Debug for Gather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("len", &self.total)
            .field("pending", &self.set.len())
            .finish()
    }
}
