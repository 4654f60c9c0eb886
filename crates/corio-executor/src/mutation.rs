//! Deliberate bugs in the shipped code, for the loom models' mutation twins: compiled only
//! under `--cfg corio_loom`, never in a normal build.
//!
//! A model that passes proves little unless it can fail. Each twin runs the very model
//! with one of these switched on (for the current thread, where loom runs all of a model's
//! threads) and expects the model's own assertion message.

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
    /// A loop's inbox clears its "posted" flag after taking the batch, outside the lock,
    /// so a post in between finds the flag set, does not unpark, and is then forgotten.
    InboxClearedAfterTake,
}

impl Mutation {
    fn name(self) -> &'static str {
        match self {
            Mutation::GateCheckThenPush => "corio-executor/GateCheckThenPush",
            Mutation::PoolStaleIdleCount => "corio-executor/PoolStaleIdleCount",
            Mutation::SleepersIdleNotCounted => "corio-executor/SleepersIdleNotCounted",
            Mutation::MetaUnlockedRegistration => "corio-executor/MetaUnlockedRegistration",
            Mutation::InboxClearedAfterTake => "corio-executor/InboxClearedAfterTake",
        }
    }
}

/// Runs `f` with `mutation` switched on for this thread (corio-core's shared switch).
#[cfg(test)]
pub(crate) fn with<R>(mutation: Mutation, f: impl FnOnce() -> R) -> R {
    corio_core::mutation::switch_on(mutation.name(), f)
}

pub(crate) fn active(mutation: Mutation) -> bool {
    corio_core::mutation::is_on(mutation.name())
}
