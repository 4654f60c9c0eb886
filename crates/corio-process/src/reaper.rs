//! Children dropped before they were reaped: no zombie is left behind.
//!
//! When a [`Child`](crate::Child) is dropped while its process has not been reaped
//! (never waited for; killed by `kill_on_drop` an instant ago; left after a timed-out
//! wait), the process and its exit watcher are handed to a small detached task on the
//! current loop that waits for the exit and reaps it. Where no loop is current, or the
//! loop shuts down first, the process goes to a process-wide list that is swept
//! (`waitpid(WNOHANG)` on each) whenever a child is spawned or reaped. That is the
//! policy of a well-behaved shell: a zombie lives at most until the program next
//! deals with children.

use std::sync::Mutex;

use crate::exit::ExitWatch;

static ORPHANS: Mutex<Vec<std::process::Child>> = Mutex::new(Vec::new());

/// Tries to reap every orphan; keeps the ones still running.
pub(crate) fn sweep() {
    let mut orphans = ORPHANS.lock().unwrap_or_else(|e| e.into_inner());
    orphans.retain_mut(|c| matches!(c.try_wait(), Ok(None)));
}

/// Takes care of `child` (not yet reaped) after its `Child` was dropped.
pub(crate) fn adopt(mut child: std::process::Child, watch: Option<ExitWatch>) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // A watcher only where a loop can run the reaper task (outside one, making it
    // would start corio-net's fallback reactor thread for nothing).
    let in_loop = corio_core::context::current_spawner().is_some();
    let watch = watch
        .filter(|_| in_loop)
        .or_else(|| in_loop.then(|| ExitWatch::new(&child).ok()).flatten());
    let mut orphan = Orphan(Some(child));
    if let Some(mut watch) = watch {
        let task = async move {
            if let Some(c) = orphan.0.as_mut() {
                if watch.wait(c).await.is_ok() {
                    drop(orphan.0.take()); // reaped: nothing left for the list
                }
            }
            sweep();
        };
        // Without a loop to run it, the task is dropped and its `Orphan` goes to the list.
        let _ = corio_core::context::spawn(Box::pin(task));
    } else {
        drop(orphan);
    }
}

/// A child not yet reaped; to the process-wide list if dropped so.
struct Orphan(Option<std::process::Child>);

impl Drop for Orphan {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            ORPHANS.lock().unwrap_or_else(|e| e.into_inner()).push(c);
        }
    }
}

/// How many dropped children are still waiting to be reaped in the process-wide list.
pub(crate) fn orphans() -> usize {
    sweep();
    ORPHANS.lock().unwrap_or_else(|e| e.into_inner()).len()
}
