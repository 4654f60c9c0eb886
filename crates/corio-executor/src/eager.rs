//! Eager start's depth limit.
//!
//! An eagerly started task runs inside the `spawn` call that created it, on the spawner's
//! stack. A task that spawns and awaits a child at each level would otherwise recurse
//! without bound: a 2 MiB stack overflowed at about 1 500 levels. Past [`MAX_DEPTH`]
//! nested eager starts on one thread, a new task is queued instead and starts at the
//! loop's next turn, exactly as a lazily started task does.

use std::cell::Cell;

use async_task::Runnable;

use crate::meta::TaskMeta;

/// Nested eager starts allowed on one thread's stack. Each level costs the frames of one
/// poll; 32 of them stay far below the smallest worker stack users configure in practice.
pub(crate) const MAX_DEPTH: u32 = 32;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `runnable` now, unless [`MAX_DEPTH`] eager starts are already running on this
/// thread; then gives it back for the caller to queue.
pub(crate) fn run_inline(runnable: Runnable<TaskMeta>) -> Option<Runnable<TaskMeta>> {
    struct Level;
    impl Drop for Level {
        fn drop(&mut self) {
            DEPTH.with(|d| d.set(d.get() - 1));
        }
    }
    if DEPTH.with(|d| d.get()) >= MAX_DEPTH {
        return Some(runnable);
    }
    DEPTH.with(|d| d.set(d.get() + 1));
    let _level = Level;
    crate::job::run(runnable);
    None
}
