//! Deliberate bugs in the shipped code, for the loom models' mutation twins: compiled only
//! under `--cfg corio_loom`, never in a normal build.
//!
//! A model that passes proves little unless it can fail. Each twin runs the very model
//! with one of these switched on (for the current thread, where loom runs all of a model's
//! threads) and expects the model's own assertion message.

use std::cell::Cell;

/// One deliberate bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mutation {
    /// The gate checks "closed" with a plain load and counts nothing, so a push can land
    /// after the final drain (the shape of the bug it replaced).
    GateCheckThenPush,
    /// The blocking pool leaves the idle count to the woken thread, so a second job
    /// submitted before that thread runs sees a stale count and gets no thread.
    PoolStaleIdleCount,
    /// A worker about to park goes on the idle list without counting itself in the
    /// number of idle workers that producers read first.
    SleepersIdleNotCounted,
    /// `TaskMeta::on_done` checks DONE, then takes the lock and pushes: registration is
    /// not one step under the lock, so a `finish` in between never sees the callback.
    MetaUnlockedRegistration,
}

thread_local! {
    static ACTIVE: Cell<Option<Mutation>> = const { Cell::new(None) };
}

/// Runs `f` with `mutation` switched on for this thread.
#[cfg(test)]
pub(crate) fn with<R>(mutation: Mutation, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Mutation>);
    impl Drop for Reset {
        fn drop(&mut self) {
            ACTIVE.with(|a| a.set(self.0));
        }
    }
    let _reset = Reset(ACTIVE.with(|a| a.replace(Some(mutation))));
    f()
}

pub(crate) fn active(mutation: Mutation) -> bool {
    ACTIVE.with(|a| a.get() == Some(mutation))
}
