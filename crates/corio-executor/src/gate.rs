//! The gate that pushes from outside the multi-thread executor's workers pass through, so
//! that stopping the executor cannot strand a task in a queue nobody drains.
//!
//! One atomic word: bit 0 says "closed", the rest counts pushes in flight. Entering is a
//! single `fetch_add`, so "is it closed?" and "I am pushing" are one event: either the
//! closer sees the push in flight (and waits for it before draining) or the pusher sees the
//! gate closed (and cancels its task itself). The earlier shape, a load of a "stopped" flag
//! followed by the push, lost about one spawn in 2 700 when spawns raced `shutdown`.
//! Model-checked under loom below, with a mutation twin of this very code.

#[cfg(corio_loom)]
use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(corio_loom))]
use std::sync::atomic::{AtomicUsize, Ordering};

const CLOSED: usize = 1;
const ONE_PUSH: usize = 2;

pub(crate) struct Gate {
    state: AtomicUsize,
}

/// Held while a push is in flight; dropping it ends the push.
pub(crate) struct Pass<'a>(&'a Gate);

impl Gate {
    pub(crate) fn new() -> Self {
        Gate {
            state: AtomicUsize::new(0),
        }
    }

    /// A pass for one push, or `None` once the gate is closed.
    #[inline]
    pub(crate) fn enter(&self) -> Option<Pass<'_>> {
        #[cfg(corio_loom)]
        if crate::mutation::active(crate::mutation::Mutation::GateCheckThenPush) {
            return (self.state.load(Ordering::Acquire) & CLOSED == 0).then_some(Pass(self));
        }
        let before = self.state.fetch_add(ONE_PUSH, Ordering::AcqRel);
        if before & CLOSED != 0 {
            self.state.fetch_sub(ONE_PUSH, Ordering::Release);
            return None;
        }
        Some(Pass(self))
    }

    /// Closes the gate and returns once every push that got through has finished.
    pub(crate) fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        // A push holds its pass for one queue push and one unpark: a short wait.
        while self.state.load(Ordering::Acquire) != CLOSED {
            #[cfg(corio_loom)]
            loom::thread::yield_now();
            #[cfg(not(corio_loom))]
            std::thread::yield_now();
        }
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        #[cfg(corio_loom)]
        if crate::mutation::active(crate::mutation::Mutation::GateCheckThenPush) {
            return;
        }
        self.0.state.fetch_sub(ONE_PUSH, Ordering::Release);
    }
}

#[cfg(all(test, corio_loom))]
mod tests {
    use super::*;
    use crate::mutation::{Mutation, with};
    use loom::sync::{Arc, Mutex};

    /// A pusher races the closer: whatever got through before the close must be in the
    /// queue when the closer drains it, and nothing may land after the drain.
    fn model() {
        loom::model(|| {
            let gate = Arc::new(Gate::new());
            let queue = Arc::new(Mutex::new(Vec::new()));
            let refused = Arc::new(Mutex::new(false));
            let (g, q, r) = (gate.clone(), queue.clone(), refused.clone());
            let pusher = loom::thread::spawn(move || match g.enter() {
                Some(_pass) => q.lock().unwrap().push(7),
                None => *r.lock().unwrap() = true,
            });
            gate.close();
            let drained = std::mem::take(&mut *queue.lock().unwrap());
            pusher.join().unwrap();
            let refused = *refused.lock().unwrap();
            let late = queue.lock().unwrap().len();
            assert!(
                late == 0 && (refused || drained == [7]),
                "a spawn was lost: pushed after the final drain"
            );
        });
    }

    #[test]
    fn loom_gate_a_push_racing_close_is_drained_or_refused() {
        model();
    }

    #[test]
    #[should_panic(expected = "a spawn was lost")]
    fn loom_gate_mutation_twin_check_then_push() {
        with(Mutation::GateCheckThenPush, model);
    }
}
