//! `yield_until`, shared by the integration tests of corio-executor, corio-sync,
//! corio-timer and corio-combinators (each includes this file into its `common`
//! module with `#[path]`: test targets of different crates cannot share a module
//! otherwise).

/// Yields to the loop until `done()` holds. Where a test used to count its
/// `yield_now().await`s ("one turn and the task has run"), which holds on the FIFO loop
/// only: under chaos mode (`CORIO_CHAOS`, scripts/chaos.py) the loop runs ready tasks in
/// random order, so the number of turns an event takes varies. Panics after 10 000 turns:
/// the event never came (a lost wake-up, or a bug).
pub async fn yield_until(mut done: impl FnMut() -> bool) {
    for _ in 0..10_000 {
        if done() {
            return;
        }
        corio_executor::yield_now().await;
    }
    panic!("yield_until: still not done after 10 000 turns of the loop");
}
