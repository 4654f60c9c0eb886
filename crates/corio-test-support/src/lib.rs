//! Helpers shared by the integration tests of corio's crates (`publish = false`).
//!
//! Test targets of different crates cannot share a module, so what more than one crate's
//! `tests/common` needs lives here, as a dev-dependency, instead of being included with
//! `#[path = "../../../<other crate>/tests/..."]`.
//!
//! - [`yield_until`]: wait for an event by turning the loop, not by counting turns (which
//!   holds on the FIFO loop only, not under chaos mode).
#![forbid(unsafe_code)]

/// Yields to the loop until `done()` holds. Where a test used to count its
/// `yield_now().await`s ("one turn and the task has run"), which holds on the FIFO loop
/// only: under chaos mode (`CORIO_CHAOS`, scripts/chaos.py) the loop runs ready tasks in
/// random order, so the number of turns an event takes varies.
///
/// # Panics
///
/// After 10 000 turns: the event never came (a lost wake-up, or a bug).
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// corio_executor::run(async {
///     let flag = Rc::new(Cell::new(false));
///     let f = flag.clone();
///     let _t = corio_executor::spawn(async move { f.set(true) });
///     corio_test_support::yield_until(|| flag.get()).await;
///     assert!(flag.get());
/// });
/// ```
pub async fn yield_until(mut done: impl FnMut() -> bool) {
    for _ in 0..10_000 {
        if done() {
            return;
        }
        corio_executor::yield_now().await;
    }
    panic!("yield_until: still not done after 10 000 turns of the loop");
}
