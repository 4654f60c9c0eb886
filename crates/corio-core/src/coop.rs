//! The cooperative poll budget.
//!
//! Why this lives in core: the executor grants the budget and the leaf crates' primitives
//! spend it, so both must see the same counter without depending on each other.
//!
//! A task whose awaits are always ready (a queue that is never empty, say) would never
//! return `Pending` and so never let the loop run anything else. While an executor polls a
//! task it grants it a budget; primitives call [`poll_proceed`] before completing, and once
//! the budget is spent they return `Pending` after waking the task, which goes to the back
//! of the ready queue. Outside any executor the budget is unlimited, so corio's primitives
//! behave the same under tokio or smol.
//!
//! # Examples
//!
//! ```
//! use corio_core::coop;
//! use std::task::Poll;
//!
//! let waker = futures::task::noop_waker();
//! let mut cx = std::task::Context::from_waker(&waker);
//! coop::task_poll(|| {
//!     let mut ready = 0;
//!     while coop::poll_proceed(&mut cx).is_ready() {
//!         ready += 1;
//!     }
//!     assert!(ready > 0); // the budget of one task poll, then: yield to the loop
//! });
//! assert!(coop::poll_proceed(&mut cx).is_ready()); // no executor: unlimited
//! ```

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The budget outside any task poll: no limit. A plain `u32` with a sentinel rather than
/// an `Option<u32>`, so a check is one thread-local load and one store (the `Option`'s tag
/// made every `poll_proceed` a load, a compare of the tag, a compare of the count and a
/// two-part store).
const UNLIMITED: u32 = u32::MAX;

thread_local! {
    // `const` and without drop glue: every access is a plain thread-local load or store,
    // never a lazy initialisation or a "destroyed" check.
    static BUDGET: Cell<u32> = const { Cell::new(UNLIMITED) };
}

/// The budget corio's executors grant each task poll: policy, so not part of the API.
const DEFAULT_BUDGET: u32 = 128;

/// Runs `f` as one task poll: with the budget an executor grants a task each time it
/// polls it, restoring the previous budget afterwards. Executors call this around each
/// task poll; the size of the budget is corio's policy, not a parameter.
///
/// # Examples
///
/// ```
/// use corio_core::coop;
/// let remaining = coop::task_poll(coop::has_budget_remaining);
/// assert!(remaining); // a fresh task poll has budget
/// ```
pub fn task_poll<R>(f: impl FnOnce() -> R) -> R {
    with_budget(DEFAULT_BUDGET, f)
}

/// Runs `f` with a budget of `units`, restoring the previous budget afterwards.
#[inline]
fn with_budget<R>(units: u32, f: impl FnOnce() -> R) -> R {
    struct Restore(u32);
    impl Drop for Restore {
        #[inline]
        fn drop(&mut self) {
            BUDGET.set(self.0);
        }
    }
    let _restore = Restore(BUDGET.replace(units));
    f()
}

/// Spends one unit of budget. `Ready` while budget remains (or none is set); once it is
/// spent, wakes the task and returns `Pending`, so the caller yields to the loop.
///
/// # Examples
///
/// ```
/// let waker = futures::task::noop_waker();
/// let mut cx = std::task::Context::from_waker(&waker);
/// assert!(corio_core::coop::poll_proceed(&mut cx).is_ready()); // no executor: unlimited
/// ```
#[inline]
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    let n = BUDGET.get();
    if n == 0 {
        return spent(cx);
    }
    // A thread-local decrement, except that the "no limit" sentinel stays as it is.
    BUDGET.set(n - u32::from(n != UNLIMITED));
    Poll::Ready(())
}

/// The budget is spent: wake the task and yield to the loop.
#[cold]
fn spent(cx: &mut Context<'_>) -> Poll<()> {
    cx.waker().wake_by_ref();
    Poll::Pending
}

/// Whether the current task still has budget (always true outside an executor).
///
/// # Examples
///
/// ```
/// assert!(corio_core::coop::has_budget_remaining());
/// ```
pub fn has_budget_remaining() -> bool {
    BUDGET.get() != 0
}

/// Spends one unit of budget, yielding to the loop first if it is spent: call it in a
/// loop that might otherwise never await anything pending.
///
/// # Cancel safety
///
/// Cancel-safe: it holds nothing.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// for _ in 0..1000 {
///     corio_core::coop::consume_budget().await;
/// }
/// # });
/// ```
pub fn consume_budget() -> ConsumeBudget {
    ConsumeBudget { _priv: () }
}

/// The future of [`consume_budget`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct ConsumeBudget {
    _priv: (),
}

impl Future for ConsumeBudget {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        poll_proceed(cx)
    }
}
