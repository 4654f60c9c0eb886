//! Deliberate bugs, for the loom models' mutation twins: compiled only under
//! `--cfg corio_loom`, never in a normal build.
//!
//! A model that passes proves little unless it can fail. Each twin runs the very model of
//! a primitive with one of these bugs switched on (for the current thread only, which is
//! where loom runs all of a model's threads) and expects loom to catch it.

use std::cell::Cell;

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

thread_local! {
    static ACTIVE: Cell<Option<Mutation>> = const { Cell::new(None) };
}

/// Runs `f` with `mutation` switched on for this thread.
///
/// # Examples
///
/// See [`Mutation`].
pub fn with<R>(mutation: Mutation, f: impl FnOnce() -> R) -> R {
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
