//! loom model of `ThreadParker`: an unpark from another thread is never lost, whether it
//! comes before, during or after the park. Run with `scripts/loom.sh`.
#![cfg(corio_loom)]

use corio_core::{Driver, ThreadParker};

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

/// The mutation twin, on the shipped parker: `unpark` notifies without taking the lock, so
/// the notification can land between the parker marking itself parked and its wait, and be
/// lost. The real `park` checks that window under loom and must report it.
#[test]
#[should_panic(expected = "lost wake-up")]
fn mutation_twin_an_unpark_without_the_lock_loses_the_wakeup() {
    corio_core::mutation::with(
        corio_core::mutation::Mutation::UnparkWithoutLock,
        an_unpark_from_another_thread_always_ends_the_park,
    );
}
