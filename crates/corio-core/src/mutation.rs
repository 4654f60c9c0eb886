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

impl Mutation {
    fn name(self) -> &'static str {
        match self {
            Mutation::UnparkWithoutLock => "corio-core/UnparkWithoutLock",
        }
    }
}

thread_local! {
    static ACTIVE: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// The switch every crate's mutations share: runs `f` with the mutation called `name`
/// switched on for this thread (each crate names its own, prefixed with the crate).
pub fn switch_on<R>(name: &'static str, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<&'static str>);
    impl Drop for Reset {
        fn drop(&mut self) {
            ACTIVE.with(|a| a.set(self.0));
        }
    }
    let _reset = Reset(ACTIVE.with(|a| a.replace(Some(name))));
    f()
}

/// Whether the mutation called `name` is switched on for this thread.
pub fn is_on(name: &'static str) -> bool {
    ACTIVE.with(|a| a.get() == Some(name))
}

/// Runs `f` with `mutation` switched on for this thread.
pub fn with<R>(mutation: Mutation, f: impl FnOnce() -> R) -> R {
    switch_on(mutation.name(), f)
}

pub(crate) fn active(mutation: Mutation) -> bool {
    is_on(mutation.name())
}
