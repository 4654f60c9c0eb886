//! Deliberate bugs in the shipped code, for the loom models' mutation twins: compiled only
//! under `--cfg corio_loom`, never in a normal build. A model proves little unless it can
//! fail: each twin runs the very model with one of these switched on (for the current
//! thread, where loom runs all of a model's threads) and expects the model's own message.

use std::cell::Cell;

/// One deliberate bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mutation {
    /// `unpark` notifies a parked thread without first taking the parker's lock, so the
    /// notification can land between the parker's "I am parked" and its wait.
    UnparkWithoutLock,
}

thread_local! {
    static ACTIVE: Cell<Option<Mutation>> = const { Cell::new(None) };
}

/// Runs `f` with `mutation` switched on for this thread.
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
