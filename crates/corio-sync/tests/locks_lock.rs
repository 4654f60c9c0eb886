//! CPython's test_locks.py LockTests, ported (ASYNCIO_CASES.md 1.6, LK-xx).
#![allow(missing_docs)]

mod common;

use common::{log, poll_once};
use corio_executor::{LocalExecutor, yield_now};
use corio_sync::Lock;
use std::rc::Rc;

// LK-01: test_lock, test_release_no_waiters, test_context_manager, test_lock_by_with_statement
#[test]
fn lk_01_lock_release_locked_state_test_lock() {
    let ex = LocalExecutor::new();
    ex.block_on(async {
        let lock = Lock::new(());
        assert!(!lock.is_locked());
        {
            let _g = lock.lock().await;
            assert!(lock.is_locked());
        }
        assert!(!lock.is_locked());
        assert_eq!(lock.waiter_count(), 0);
    });
}

// LK-02: test_acquire — FIFO order, a late arrival queues behind the waiters.
#[test]
fn lk_02_lock_fifo_order_test_acquire() {
    let ex = LocalExecutor::new();
    let lock = Rc::new(Lock::new(()));
    let result = log();
    let g = lock.try_lock().unwrap();
    let mut tasks = Vec::new();
    for i in 1..=2 {
        let (lock, result) = (lock.clone(), result.clone());
        tasks.push(ex.spawn(async move {
            let _g = lock.lock().await;
            result.borrow_mut().push(i);
        }));
    }
    ex.run_until_stalled();
    assert!(result.borrow().is_empty());
    drop(g); // handed to task 1: no barging
    assert!(lock.try_lock().is_err());
    let (l3, r3) = (lock.clone(), result.clone());
    tasks.push(ex.spawn(async move {
        let _g = l3.lock().await;
        r3.borrow_mut().push(3);
    }));
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [1, 2, 3]);
    assert!(tasks.iter().all(|t| t.is_finished()));
    assert!(!lock.is_locked());
    assert_eq!(lock.waiter_count(), 0);
}

// LK-03: test_acquire_cancel — a cancelled waiter is removed.
#[test]
fn lk_03_cancelled_waiter_removed_test_acquire_cancel() {
    let ex = LocalExecutor::new();
    let lock = Rc::new(Lock::new(()));
    let g = lock.try_lock().unwrap();
    let l = lock.clone();
    let t = ex.spawn(async move {
        let _g = l.lock().await;
    });
    ex.run_until_stalled();
    assert_eq!(lock.waiter_count(), 1);
    t.abort();
    ex.run_until_stalled();
    assert!(t.is_finished());
    assert_eq!(lock.waiter_count(), 0);
    drop(g);
    assert!(!lock.is_locked());
}

// LK-04: test_cancel_race — B cancelled as A releases: C gets the lock.
#[test]
fn lk_04_cancel_race_test_cancel_race() {
    let ex = LocalExecutor::new();
    let lock = Rc::new(Lock::new(()));
    let result = log();
    let a = lock.try_lock().unwrap();
    let spawn = |name: &'static str| {
        let (lock, result) = (lock.clone(), result.clone());
        ex.spawn(async move {
            let _g = lock.lock().await;
            result.borrow_mut().push(name);
        })
    };
    let tb = spawn("B");
    let tc = spawn("C");
    ex.run_until_stalled();
    tb.abort();
    drop(a);
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), ["C"]);
    assert!(tc.is_finished());
    assert!(!lock.is_locked());
    assert_eq!(lock.waiter_count(), 0);
}

// LK-05: test_cancel_release_race (bpo-32734) — exactly one new holder.
#[test]
fn lk_05_exactly_one_holder_test_cancel_release_race() {
    let ex = LocalExecutor::new();
    let lock = Rc::new(Lock::new(0u32)); // the value counts holders
    let max_holders = Rc::new(std::cell::Cell::new(0));
    let g = lock.try_lock().unwrap();
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let (lock, max) = (lock.clone(), max_holders.clone());
            ex.spawn(async move {
                let mut g = lock.lock().await;
                *g += 1;
                max.set(max.get().max(*g));
                yield_now().await;
                *g -= 1;
            })
        })
        .collect();
    ex.run_until_stalled();
    tasks[0].abort();
    drop(g);
    ex.run_until_stalled();
    assert_eq!(max_holders.get(), 1);
    assert!(tasks[1].is_finished() && tasks[2].is_finished());
    assert_eq!(lock.waiter_count(), 0);
    assert!(!lock.is_locked());
}

// LK-06: test_finished_waiter_cancelled — woken, then cancelled before it ran.
#[test]
fn lk_06_woken_waiter_cancelled_test_finished_waiter_cancelled() {
    let lock = Lock::new(());
    let g = lock.try_lock().unwrap();
    let mut w1 = lock.lock();
    let mut w2 = lock.lock();
    assert!(poll_once(&mut w1).is_pending());
    assert!(poll_once(&mut w2).is_pending());
    drop(g); // handed to w1, which is woken
    assert!(lock.is_locked());
    drop(w1); // cancelled before it ran
    let g2 = match poll_once(&mut w2) {
        std::task::Poll::Ready(g) => g,
        std::task::Poll::Pending => panic!("the lock was lost"),
    };
    drop(g2);
    drop(w2);
    assert!(!lock.is_locked());
    assert_eq!(lock.waiter_count(), 0);
}

// LK-07: test_release_not_acquired — impossible by construction: only a guard can
// release, and a guard exists only while the lock is held. Checked: no guard, no release.
#[test]
fn lk_07_release_not_acquired_is_unrepresentable_test_release_not_acquired() {
    let lock = Lock::new(());
    let g = lock.try_lock().unwrap();
    drop(g);
    assert!(!lock.is_locked());
    // A second release would need a second guard, which try_lock hands out only once.
    let _g = lock.try_lock().unwrap();
    assert!(lock.try_lock().is_err());
}

// LK-08: test_context_manager (Rust extension) — a panic while holding releases the lock.
#[test]
fn lk_08_panic_releases_lock_test_context_manager() {
    let ex = LocalExecutor::new();
    let lock = Rc::new(Lock::new(5));
    let l = lock.clone();
    let panicking = ex.spawn(async move {
        let _g = l.lock().await;
        yield_now().await;
        panic!("boom");
    });
    let l = lock.clone();
    let next = ex.spawn(async move { *l.lock().await });
    ex.run_until_stalled();
    assert!(ex.block_on(panicking).unwrap_err().is_panic());
    assert_eq!(ex.block_on(next).unwrap(), 5);
    assert!(!lock.is_locked());
    assert_eq!(lock.waiter_count(), 0);
}

#[test]
fn lock_owned_guard_and_into_inner() {
    let ex = LocalExecutor::new();
    let lock = std::sync::Arc::new(Lock::new(vec![1]));
    ex.block_on(async {
        let mut g = lock.clone().lock_owned().await;
        g.push(2);
    });
    let mut lock = std::sync::Arc::try_unwrap(lock).unwrap();
    lock.get_mut().push(3);
    assert_eq!(lock.into_inner(), [1, 2, 3]);
}
