//! [`LoopCache`]: a spare single-thread loop kept between runs, so that `run` of a short
//! future does not build a loop (several allocations, and with the facade's drivers an
//! epoll instance and an eventfd) each time.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;

use crate::local::LocalExecutor;

/// One spare loop, meant to live in a `thread_local!` of the crate that builds the loops.
///
/// [`run`](Self::run) takes the spare (reopened: see [`LocalExecutor::reopen`]) or builds
/// one with `make`, runs the future as [`LocalExecutor::run`] does (cancelling what is
/// still alive at the end), and keeps the loop as the spare if it came out clean. Each
/// cache holds the loops of one builder: a crate declares one cache per kind of loop it
/// makes, so a loop built with other drivers can never come back from it. (This replaces
/// a shared spare keyed by the address of the building function, which two different
/// functions could share.)
///
/// # Examples
///
/// ```
/// use corio_executor::{Builder, LoopCache};
///
/// thread_local! {
///     static LOOPS: LoopCache = const { LoopCache::new() };
/// }
///
/// fn my_run<F: std::future::Future>(f: F) -> F::Output {
///     LOOPS.with(|c| c.run(|| Builder::new().build_local(), f))
/// }
///
/// assert_eq!(my_run(async { 1 }), 1);
/// assert_eq!(my_run(async { 2 }), 2); // on the same loop, reopened
/// ```
pub struct LoopCache {
    spare: RefCell<Option<LocalExecutor>>,
}

impl LoopCache {
    /// An empty cache.
    ///
    /// # Examples
    ///
    /// See [`LoopCache`].
    pub const fn new() -> Self {
        LoopCache {
            spare: RefCell::new(None),
        }
    }

    /// Runs `future` to completion on the spare loop, or on a new one built by `make`, then
    /// shuts the loop down (cancelling and draining the tasks still alive) and keeps it for
    /// the next call if nothing outside refers to it any more.
    ///
    /// # Panics
    ///
    /// As [`LocalExecutor::run`]: when called from inside a running corio loop. A panic of
    /// `future` propagates (that loop is not kept).
    ///
    /// # Examples
    ///
    /// See [`LoopCache`].
    #[track_caller]
    pub fn run<F: Future>(&self, make: impl FnOnce() -> LocalExecutor, future: F) -> F::Output {
        // Spares are kept shut down (so that dropping one with the thread's locals does
        // nothing) and reopened when taken. The borrow ends before the run, so a nested
        // call (which panics in `run` anyway) finds no spare rather than a borrowed cell.
        let spare = self.spare.borrow_mut().take().filter(|ex| ex.reopen());
        let ex = spare.unwrap_or_else(make);
        let out = ex.run(future);
        if ex.is_clean() {
            let mut slot = self.spare.borrow_mut();
            if slot.is_none() {
                *slot = Some(ex);
            }
        }
        out
    }
}

impl Default for LoopCache {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LoopCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopCache")
            .field(
                "has_spare",
                &self.spare.try_borrow().map(|s| s.is_some()).ok(),
            )
            .finish()
    }
}
