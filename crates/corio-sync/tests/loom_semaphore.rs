//! loom models of Semaphore, including the cancellation of a woken waiter.
//!
//! Run with `scripts/loom.sh`, or:
//! `RUSTFLAGS="--cfg corio_loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p corio-sync --release --test loom_semaphore`
#![cfg(corio_loom)]
#![allow(missing_docs)]

use corio_sync::Semaphore;
use corio_sync::mutation::Mutation;
use loom::future::block_on;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    let waker = futures::task::noop_waker();
    Pin::new(f).poll(&mut Context::from_waker(&waker))
}

#[test]
fn two_threads_share_one_permit() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let s = sem.clone();
        let t = loom::thread::spawn(move || {
            block_on(async {
                let _p = s.acquire().await.unwrap();
            })
        });
        block_on(async {
            let _p = sem.acquire().await.unwrap();
        });
        t.join().unwrap();
        assert_eq!(sem.available_permits(), 1);
        assert_eq!(sem.waiter_count(), 0);
    });
}

fn woken_waiter_dropped_passes_permit_model() {
    let sem = Arc::new(Semaphore::new(0));
    let mut first = Box::pin(sem.acquire());
    assert!(poll_once(&mut first).is_pending());
    let mut second = Box::pin(sem.acquire());
    assert!(poll_once(&mut second).is_pending());

    let s = sem.clone();
    let releaser = loom::thread::spawn(move || s.add_permits(1));
    drop(first); // maybe before, maybe after it was handed the permit
    releaser.join().unwrap();
    // Whether `first` was handed the permit or not, it must now be `second`'s. (Checked
    // with one poll, not by waiting: a hang would be caught by loom too, but unwinding out
    // of a deadlocked model aborts the process, which the mutation twin cannot expect.)
    assert!(
        poll_once(&mut second).is_ready(),
        "the permit handed to a dropped waiter was lost"
    );
    drop(second);
    assert_eq!(sem.available_permits(), 1);
    assert_eq!(sem.waiter_count(), 0);
}

#[test]
fn woken_waiter_dropped_passes_permit() {
    loom::model(woken_waiter_dropped_passes_permit_model);
}

/// The mutation twin: the same model with a dropped acquire that forgets the permits it was handed;
/// loom must catch it.
#[test]
#[should_panic(expected = "was lost")]
fn mutation_twin_woken_waiter_dropped_passes_permit() {
    corio_sync::mutation::with(Mutation::SemaphoreCancelLosesPermit, || {
        loom::model(woken_waiter_dropped_passes_permit_model)
    });
}

/// The lock-free release (one compare-and-swap while nobody waits) racing an acquire that
/// queues: the acquire either takes the released permit itself or queues first, and then
/// the release, finding `WAITING` set, hands the permit to it. Never a lost permit.
#[test]
fn fast_release_racing_a_queueing_acquire_hands_over() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let held = sem.clone().try_acquire_owned().unwrap();
        let releaser = loom::thread::spawn(move || drop(held));
        let mut acquire = Box::pin(sem.acquire());
        let first = poll_once(&mut acquire);
        releaser.join().unwrap();
        let permit = match first {
            Poll::Ready(permit) => permit.unwrap(),
            Poll::Pending => match poll_once(&mut acquire) {
                Poll::Ready(permit) => permit.unwrap(),
                Poll::Pending => panic!("the release missed the queued acquire"),
            },
        };
        assert_eq!(sem.available_permits(), 0);
        drop(permit);
        drop(acquire);
        assert_eq!(sem.available_permits(), 1);
        assert_eq!(sem.waiter_count(), 0);
        assert!(
            sem.try_acquire().is_ok(),
            "WAITING left set with nobody waiting"
        );
    });
}
