//! loom models of the primitives beyond Semaphore and Queue (which have their own files):
//! Lock (including cancellation of a woken waiter), Event, Condition (a notified waiter
//! dropped passes the notification on), oneshot, RwLock, Barrier, CancelToken, watch,
//! broadcast and BoundedSemaphore.
//!
//! Run with `scripts/loom.sh`, or:
//! `RUSTFLAGS="--cfg corio_loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p corio-sync --release --test loom_primitives`
#![cfg(corio_loom)]
#![allow(missing_docs)]

use corio_sync::mutation::Mutation;
use corio_sync::{Condition, Event, Lock, oneshot};
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
fn lock_is_exclusive_across_threads() {
    loom::model(|| {
        let lock = Arc::new(Lock::new(0u32));
        let l = lock.clone();
        let t = loom::thread::spawn(move || {
            block_on(async {
                *l.lock().await += 1;
            })
        });
        block_on(async {
            *lock.lock().await += 1;
        });
        t.join().unwrap();
        assert_eq!(*lock.try_lock().unwrap(), 2);
        assert_eq!(lock.waiter_count(), 0);
    });
}

fn lock_woken_waiter_dropped_passes_the_lock_model() {
    let lock = Arc::new(Lock::new(()));
    let held = lock.clone().try_lock_owned().unwrap();
    let mut first = Box::pin(lock.lock());
    assert!(poll_once(&mut first).is_pending());
    let mut second = Box::pin(lock.lock());
    assert!(poll_once(&mut second).is_pending());
    let releaser = loom::thread::spawn(move || drop(held));
    drop(first); // maybe before, maybe after it was handed the lock
    releaser.join().unwrap();
    // Handed to `first` or not, the lock must now be `second`'s. (One poll, not a wait:
    // unwinding out of a deadlocked model aborts the process, which the mutation twin
    // cannot expect.)
    match poll_once(&mut second) {
        Poll::Ready(guard) => drop(guard),
        Poll::Pending => panic!("the lock handed to a dropped waiter was lost"),
    }
    drop(second);
    assert!(lock.try_lock().is_ok());
    assert_eq!(lock.waiter_count(), 0);
}

#[test]
fn lock_woken_waiter_dropped_passes_the_lock() {
    loom::model(lock_woken_waiter_dropped_passes_the_lock_model);
}

/// The mutation twin: the same model with a dropped lock future that keeps the lock it was handed;
/// loom must catch it.
#[test]
#[should_panic(expected = "was lost")]
fn mutation_twin_lock_woken_waiter_dropped_passes_the_lock() {
    corio_sync::mutation::with(Mutation::LockCancelKeepsLock, || {
        loom::model(lock_woken_waiter_dropped_passes_the_lock_model)
    });
}

/// The lock-free unlock (one compare-and-swap while nobody is queued) racing a waiter
/// that queues: either the waiter sees the lock free and takes it, or it queues first and
/// the unlock, finding `QUEUED` set, hands the lock to it. Never a lost hand-over.
#[test]
fn lock_fast_unlock_racing_a_queueing_waiter_hands_over() {
    loom::model(|| {
        let lock = Arc::new(Lock::new(0u32));
        let held = lock.clone().try_lock_owned().unwrap();
        let releaser = loom::thread::spawn(move || drop(held));
        let mut waiter = Box::pin(lock.lock());
        let first = poll_once(&mut waiter);
        releaser.join().unwrap();
        let guard = match first {
            Poll::Ready(guard) => guard,
            Poll::Pending => match poll_once(&mut waiter) {
                Poll::Ready(guard) => guard,
                Poll::Pending => panic!("the unlock missed the queued waiter"),
            },
        };
        assert!(lock.is_locked());
        drop(guard);
        drop(waiter);
        assert!(!lock.is_locked());
        assert_eq!(lock.waiter_count(), 0);
    });
}

#[test]
fn event_set_wakes_a_waiter_on_another_thread() {
    loom::model(|| {
        let ev = Arc::new(Event::new());
        let e = ev.clone();
        let waiter = loom::thread::spawn(move || block_on(e.wait()));
        ev.set();
        waiter.join().unwrap();
        assert_eq!(ev.waiter_count(), 0);
    });
}

#[test]
fn condition_notify_is_not_lost_when_the_notified_waiter_is_dropped() {
    loom::model(|| {
        let lock = Arc::new(Lock::new(false));
        let cond = Arc::new(Condition::new());
        // The first waiter in line, which will be dropped, maybe after being notified.
        let mut doomed = Box::pin(cond.wait(lock.try_lock().unwrap()));
        assert!(poll_once(&mut doomed).is_pending());
        // A second waiter, on another thread, that must see the flag.
        let (l, c) = (lock.clone(), cond.clone());
        let waiter = loom::thread::spawn(move || {
            block_on(async {
                let g = l.lock().await;
                let g = c.wait_for(g, |ready| *ready).await;
                assert!(*g);
            })
        });
        block_on(async {
            *lock.lock().await = true;
        });
        cond.notify(1); // goes to `doomed`, first in line...
        drop(doomed); // ...which passes it on (decision 6), or the waiter hangs
        waiter.join().unwrap();
        assert_eq!(cond.waiter_count(), 0);
    });
}

#[test]
fn oneshot_value_crosses_threads_exactly_once() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<u32>();
        let t = loom::thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        t.join().unwrap();
    });
}

#[test]
fn rwlock_writer_excludes_readers() {
    loom::model(|| {
        let rw = Arc::new(corio_sync::RwLock::new(0u32));
        let r = rw.clone();
        let writer = loom::thread::spawn(move || {
            block_on(async {
                let mut w = r.write().await;
                *w += 1;
                *w += 1; // a reader never sees the odd value in between
            })
        });
        let seen = block_on(async { *rw.read().await });
        assert!(
            seen == 0 || seen == 2,
            "a reader saw a half-done write: {seen}"
        );
        writer.join().unwrap();
        assert_eq!(*rw.try_read().unwrap(), 2);
    });
}

#[test]
fn barrier_releases_both_parties_with_one_leader() {
    loom::model(|| {
        let b = Arc::new(corio_sync::Barrier::new(2));
        let b2 = b.clone();
        let other = loom::thread::spawn(move || block_on(b2.wait()).unwrap().is_leader());
        let mine = block_on(b.wait()).unwrap().is_leader();
        let theirs = other.join().unwrap();
        assert!(mine ^ theirs, "exactly one leader");
    });
}

#[test]
fn cancel_token_wakes_a_waiter_on_another_thread() {
    loom::model(|| {
        let token = corio_sync::CancelToken::new();
        let child = token.child_token();
        let waiter = loom::thread::spawn(move || block_on(child.cancelled()));
        token.cancel_with("stop");
        waiter.join().unwrap();
        assert_eq!(token.reason().as_deref(), Some("stop"));
    });
}

#[test]
fn watch_receiver_sees_the_latest_value() {
    loom::model(|| {
        let (tx, mut rx) = corio_sync::watch::channel(0u32);
        let t = loom::thread::spawn(move || {
            tx.send(1);
            tx.send(2);
        });
        block_on(async {
            while *rx.borrow_and_update() != 2 {
                if rx.changed().await.is_err() {
                    break;
                }
            }
        });
        t.join().unwrap();
        assert_eq!(*rx.borrow(), 2);
    });
}

#[test]
fn broadcast_every_receiver_gets_the_message() {
    loom::model(|| {
        let (tx, mut rx1) = corio_sync::broadcast::channel::<u32>(4);
        let mut rx2 = tx.subscribe();
        let t = loom::thread::spawn(move || block_on(rx2.recv()).unwrap());
        tx.send(9).unwrap();
        assert_eq!(block_on(rx1.recv()).unwrap(), 9);
        assert_eq!(t.join().unwrap(), 9);
    });
}

#[test]
fn bounded_semaphore_release_never_exceeds_the_bound() {
    loom::model(|| {
        let s = Arc::new(corio_sync::BoundedSemaphore::new(1));
        let s2 = s.clone();
        let t = loom::thread::spawn(move || {
            block_on(async {
                drop(s2.acquire().await.unwrap());
            })
        });
        block_on(async {
            drop(s.acquire().await.unwrap());
        });
        t.join().unwrap();
        assert!(s.release().is_err(), "a release above the bound is refused");
        assert_eq!(s.available_permits(), 1);
    });
}
