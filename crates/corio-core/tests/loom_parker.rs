//! loom model of `ThreadParker`: an unpark from another thread is never lost, whether it
//! comes before, during or after the park. Run with `scripts/loom.sh`.
#![cfg(corio_loom)]

use corio_core::{Driver, ThreadParker};
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::{Arc, Condvar, Mutex};

#[test]
fn an_unpark_from_another_thread_always_ends_the_park() {
    loom::model(|| {
        let mut parker = ThreadParker::new();
        let unparker = parker.unparker();
        let t = loom::thread::spawn(move || unparker.unpark());
        parker.park(None); // a lost wake-up would deadlock here, which loom reports
        t.join().unwrap();
    });
}

#[test]
fn two_unparks_and_two_parks_never_hang() {
    loom::model(|| {
        let mut parker = ThreadParker::new();
        let u1 = parker.unparker();
        let u2 = parker.unparker();
        let a = loom::thread::spawn(move || u1.unpark());
        parker.park(None);
        // The second park needs a second unpark: the first token was consumed.
        let b = loom::thread::spawn(move || u2.unpark());
        parker.park(None);
        a.join().unwrap();
        b.join().unwrap();
    });
}

/// The mutation twin: a parker whose unpark checks the state and then acts, instead of
/// swapping it in one step. The check and the act can straddle the parker going to sleep,
/// losing the wake-up; loom must find that interleaving.
struct BrokenParker {
    state: AtomicUsize,
    lock: Mutex<()>,
    cvar: Condvar,
}

impl BrokenParker {
    fn park(&self) {
        let mut g = self.lock.lock().unwrap();
        if self.state.load(Ordering::SeqCst) == 2 {
            self.state.store(0, Ordering::SeqCst);
            return;
        }
        self.state.store(1, Ordering::SeqCst);
        while self.state.load(Ordering::SeqCst) != 2 {
            g = self.cvar.wait(g).unwrap();
        }
        self.state.store(0, Ordering::SeqCst);
    }

    fn unpark(&self) {
        // BUG: not under the lock, and not one atomic step.
        if self.state.load(Ordering::SeqCst) == 1 {
            self.state.store(2, Ordering::SeqCst);
            self.cvar.notify_one();
        } else {
            self.state.store(2, Ordering::SeqCst);
            // BUG: no notify, assuming the parker is awake; it may be between its check
            // and its wait.
        }
    }
}

#[test]
#[should_panic]
fn mutation_twin_a_racy_unpark_loses_the_wakeup() {
    loom::model(|| {
        let p = Arc::new(BrokenParker {
            state: AtomicUsize::new(0),
            lock: Mutex::new(()),
            cvar: Condvar::new(),
        });
        let p2 = p.clone();
        let t = loom::thread::spawn(move || {
            p2.state.store(0, Ordering::SeqCst);
            p2.unpark();
        });
        p.park();
        t.join().unwrap();
    });
}
