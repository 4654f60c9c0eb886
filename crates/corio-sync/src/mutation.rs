//! Deliberate bugs, for the loom models' mutation twins: compiled only under
//! `--cfg corio_loom`, never in a normal build.
//!
//! A model that passes proves little unless it can fail. Each twin runs the very model of
//! a primitive with one of these bugs switched on (for the current thread only, which is
//! where loom runs all of a model's threads) and expects loom to catch it.

/// One deliberate bug.
///
/// # Examples
///
/// ```ignore
/// // Only under `RUSTFLAGS="--cfg corio_loom"`:
/// corio_sync::mutation::with(corio_sync::mutation::Mutation::SemaphoreCancelLosesPermit, || {
///     // a loom model that must now fail
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mutation {
    /// A dropped acquire that was already handed permits does not give them back.
    SemaphoreCancelLosesPermit,
    /// A dropped get that had an item reserved for it does not pass the reservation on.
    QueueCancelLosesItem,
    /// A dropped lock future that was handed the lock keeps it locked.
    LockCancelKeepsLock,
}

impl Mutation {
    fn name(self) -> &'static str {
        match self {
            Mutation::SemaphoreCancelLosesPermit => "corio-sync/SemaphoreCancelLosesPermit",
            Mutation::QueueCancelLosesItem => "corio-sync/QueueCancelLosesItem",
            Mutation::LockCancelKeepsLock => "corio-sync/LockCancelKeepsLock",
        }
    }
}

/// Runs `f` with `mutation` switched on for this thread (corio-core's shared switch).
///
/// # Examples
///
/// See [`Mutation`].
pub fn with<R>(mutation: Mutation, f: impl FnOnce() -> R) -> R {
    corio_core::mutation::switch_on(mutation.name(), f)
}

pub(crate) fn active(mutation: Mutation) -> bool {
    corio_core::mutation::is_on(mutation.name())
}
