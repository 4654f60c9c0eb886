//! CPython's test_locks.py EventTests, ConditionTests and BarrierTests, ported
//! (ASYNCIO_CASES.md 1.7 EV-xx, 1.8 CV-xx, 1.18 BA-xx).
#![allow(missing_docs)]

mod common;

use common::{log, poll_once};
use corio_executor::{LocalExecutor, yield_now};
use corio_sync::{Barrier, BrokenBarrier, Condition, Event, Lock};
use std::rc::Rc;
use std::task::Poll;

// EV-01: test_wait
#[test]
fn ev_01_set_wakes_every_waiter_test_wait() {
    let ex = LocalExecutor::new();
    let ev = Rc::new(Event::new());
    let result = log();
    for i in 1..=3 {
        let (ev, r) = (ev.clone(), result.clone());
        ex.spawn(async move {
            ev.wait().await;
            r.borrow_mut().push(i);
        })
        .detach();
    }
    ex.run_until_stalled();
    assert!(result.borrow().is_empty());
    ev.set();
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [1, 2, 3]);
    assert_eq!(ev.waiter_count(), 0);
}

// EV-02: test_wait_on_set
#[test]
fn ev_02_wait_on_set_returns_at_once_test_wait_on_set() {
    let ev = Event::new();
    ev.set();
    assert!(poll_once(&mut ev.wait()).is_ready());
}

// EV-03: test_wait_cancel
#[test]
fn ev_03_cancelled_waiter_removed_test_wait_cancel() {
    let ev = Event::new();
    let mut w = ev.wait();
    assert!(poll_once(&mut w).is_pending());
    assert_eq!(ev.waiter_count(), 1);
    drop(w);
    assert_eq!(ev.waiter_count(), 0);
}

// EV-04: test_clear_with_waiters — set then clear before they run: they still complete.
#[test]
fn ev_04_clear_does_not_revoke_wakeup_test_clear_with_waiters() {
    let ev = Event::new();
    let mut w = ev.wait();
    assert!(poll_once(&mut w).is_pending());
    ev.set();
    ev.clear();
    assert!(poll_once(&mut w).is_ready());
    assert_eq!(ev.waiter_count(), 0);
}

// EV-05: test_clear_with_waiters — repeated set does not duplicate wakeups.
#[test]
fn ev_05_repeated_set_single_wakeup_test_clear_with_waiters() {
    let ev = Event::new();
    let (waker, wakes) = common::counting_waker();
    let mut w = ev.wait();
    assert!(common::poll_with(&mut w, &waker).is_pending());
    ev.set();
    ev.set();
    assert_eq!(wakes.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(poll_once(&mut w).is_ready());
    assert_eq!(ev.waiter_count(), 0);
}

// EV-06: test_clear
#[test]
fn ev_06_clear_resets_test_clear() {
    let ev = Event::new();
    ev.set();
    ev.clear();
    assert!(!ev.is_set());
    assert!(poll_once(&mut ev.wait()).is_pending());
}

// CV-01: test_wait_unacquired, test_notify_unacquired — `wait` takes the guard, so waiting
// without the lock does not compile; notify without waiters is a no-op (as Condvar).
#[test]
fn cv_01_wait_requires_guard_test_wait_unacquired() {
    let cond = Condition::new();
    cond.notify(1);
    cond.notify_all();
    assert_eq!(cond.waiter_count(), 0);
}

fn cond_waiters(
    ex: &LocalExecutor,
    n: i32,
    lock: &Rc<Lock<()>>,
    cond: &Rc<Condition>,
    result: &common::Log<i32>,
) {
    for i in 1..=n {
        let (lock, cond, r) = (lock.clone(), cond.clone(), result.clone());
        ex.spawn(async move {
            let g = lock.lock().await;
            let _g = cond.wait(g).await;
            r.borrow_mut().push(i);
        })
        .detach();
    }
}

// CV-02: test_wait — notify(1) wakes one, which runs after the notifier releases;
// notify(2) wakes the next two in order.
#[test]
fn cv_02_notify_one_then_two_test_wait() {
    let ex = LocalExecutor::new();
    let (lock, cond, result) = (Rc::new(Lock::new(())), Rc::new(Condition::new()), log());
    cond_waiters(&ex, 3, &lock, &cond, &result);
    ex.run_until_stalled();
    let g = lock.try_lock().unwrap();
    cond.notify(1);
    ex.run_until_stalled();
    assert!(result.borrow().is_empty()); // the notifier still holds the lock
    drop(g);
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [1]);
    cond.notify(2);
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [1, 2, 3]);
    assert_eq!(cond.waiter_count(), 0);
}

// CV-03: test_notify — n larger than the number of waiters.
#[test]
fn cv_03_notify_more_than_waiters_test_notify() {
    let ex = LocalExecutor::new();
    let (lock, cond, result) = (Rc::new(Lock::new(())), Rc::new(Condition::new()), log());
    cond_waiters(&ex, 3, &lock, &cond, &result);
    ex.run_until_stalled();
    cond.notify(1);
    ex.run_until_stalled();
    cond.notify(2048);
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [1, 2, 3]);
}

// CV-04: test_notify_all
#[test]
fn cv_04_notify_all_fifo_test_notify_all() {
    let ex = LocalExecutor::new();
    let (lock, cond, result) = (Rc::new(Lock::new(())), Rc::new(Condition::new()), log());
    cond_waiters(&ex, 3, &lock, &cond, &result);
    ex.run_until_stalled();
    cond.notify_all();
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [1, 2, 3]);
}

// CV-05: test_wait_cancel — removed from the waiters; lock neither leaked nor double-held.
#[test]
fn cv_05_cancelled_wait_removed_test_wait_cancel() {
    let lock = Lock::new(());
    let cond = Condition::new();
    let mut w = cond.wait(lock.try_lock().unwrap());
    assert!(poll_once(&mut w).is_pending());
    assert!(!lock.is_locked());
    assert_eq!(cond.waiter_count(), 1);
    drop(w);
    assert_eq!(cond.waiter_count(), 0);
    assert!(!lock.is_locked());
}

// CV-06: test_wait_cancel_contested — notified while the lock is contested: returns holding it.
#[test]
fn cv_06_notified_while_contested_test_wait_cancel_contested() {
    let lock = Lock::new(());
    let cond = Condition::new();
    let mut w = cond.wait(lock.try_lock().unwrap());
    assert!(poll_once(&mut w).is_pending());
    let g = lock.try_lock().unwrap(); // contested
    cond.notify(1);
    assert!(poll_once(&mut w).is_pending()); // re-acquiring
    drop(g);
    match poll_once(&mut w) {
        Poll::Ready(g) => {
            assert!(lock.is_locked());
            drop(g);
        }
        Poll::Pending => panic!("should hold the lock"),
    }
    assert!(!lock.is_locked());
}

// CV-07: test_wait_cancel_after_notify (bpo-32841), gh-112202 — Decision 6.
#[test]
fn cv_07_cancel_after_notify_passes_notification_test_wait_cancel_after_notify() {
    let lock = Lock::new(());
    let cond = Condition::new();
    let mut w1 = cond.wait(lock.try_lock().unwrap());
    assert!(poll_once(&mut w1).is_pending());
    let mut w2 = cond.wait(lock.try_lock().unwrap());
    assert!(poll_once(&mut w2).is_pending());
    cond.notify(1); // goes to w1
    drop(w1); // cancelled before it ran: the notification moves to w2
    assert!(poll_once(&mut w2).is_ready());
    assert!(!lock.is_locked());
    assert_eq!(cond.waiter_count(), 0);

    // Cancelled while re-acquiring the lock: lock state consistent, notification passed.
    let mut w1 = cond.wait(lock.try_lock().unwrap());
    assert!(poll_once(&mut w1).is_pending());
    let mut w2 = cond.wait(lock.try_lock().unwrap());
    assert!(poll_once(&mut w2).is_pending());
    let g = lock.try_lock().unwrap();
    cond.notify(1);
    assert!(poll_once(&mut w1).is_pending()); // waiting for the lock
    drop(w1);
    drop(g);
    assert!(poll_once(&mut w2).is_ready());
    assert!(!lock.is_locked());
    assert_eq!(cond.waiter_count(), 0);
    assert_eq!(lock.waiter_count(), 0);
}

// CV-08: test_wait_for
#[test]
fn cv_08_wait_for_predicate_test_wait_for() {
    let ex = LocalExecutor::new();
    let (lock, cond) = (Rc::new(Lock::new(0)), Rc::new(Condition::new()));
    let (l, c) = (lock.clone(), cond.clone());
    let t = ex.spawn(async move { *c.wait_for(l.lock().await, |n| *n == 3).await });
    for n in 1..=3 {
        ex.run_until_stalled();
        assert!(!t.is_finished());
        *lock.try_lock().unwrap() = n;
        cond.notify(1);
    }
    assert_eq!(ex.block_on(t).unwrap(), 3);
}

// CV-09: test_wait_for_unacquired — predicate already true: no waiting.
#[test]
fn cv_09_wait_for_true_at_once_test_wait_for_unacquired() {
    let lock = Lock::new(true);
    let cond = Condition::new();
    assert!(poll_once(&mut cond.wait_for(lock.try_lock().unwrap(), |b| *b)).is_ready());
}

// CV-10: test_explicit_lock — locking through either is visible through both.
#[test]
fn cv_10_explicit_lock_shared_test_explicit_lock() {
    let lock = Lock::new(());
    let cond = Condition::new();
    let mut w = cond.wait(lock.try_lock().unwrap());
    assert!(poll_once(&mut w).is_pending());
    let g = lock.try_lock().unwrap();
    cond.notify(1);
    assert!(poll_once(&mut w).is_pending()); // the condition sees the lock held
    drop(g);
    assert!(poll_once(&mut w).is_ready());
}

// CV-11: test_timeout_in_block — wait() cancelled by a timeout: lock state consistent.
#[test]
fn cv_11_timeout_in_wait_consistent_test_timeout_in_block() {
    let lock = Lock::new(());
    let cond = Condition::new();
    let g = futures::executor::block_on(async {
        let g = lock.lock().await;
        // A timeout is a drop of the wait; model it with a select against a ready future.
        let w = cond.wait(g);
        futures::pin_mut!(w);
        let r = futures::future::select(w, futures::future::ready(())).await;
        assert!(matches!(r, futures::future::Either::Right(_)));
        lock.lock().await
    });
    assert!(lock.is_locked());
    drop(g);
    assert!(!lock.is_locked());
    assert_eq!(cond.waiter_count(), 0);
}

async fn party(b: Rc<Barrier>, r: common::Log<usize>) -> Result<(), BrokenBarrier> {
    let res = b.wait().await?;
    r.borrow_mut().push(res.index());
    Ok(())
}

// BA-01: test_barrier, test_filling_tasks_check_return_value
#[test]
fn ba_01_parties_released_together_test_barrier() {
    let ex = LocalExecutor::new();
    let (b, r) = (Rc::new(Barrier::new(3)), log());
    for _ in 0..3 {
        ex.spawn(party(b.clone(), r.clone())).detach();
    }
    ex.run_until_stalled();
    let mut got = r.borrow().clone();
    got.sort();
    assert_eq!(got, [0, 1, 2]);
    assert_eq!(b.waiter_count(), 0);
}

// BA-02: test_filling_tasks_cancel_one
#[test]
fn ba_02_cancelled_filler_does_not_count_test_filling_tasks_cancel_one() {
    let ex = LocalExecutor::new();
    let (b, r) = (Rc::new(Barrier::new(3)), log());
    let t1 = ex.spawn(party(b.clone(), r.clone()));
    let t2 = ex.spawn(party(b.clone(), r.clone()));
    ex.run_until_stalled();
    assert_eq!(b.n_waiting(), 2);
    t1.abort();
    ex.run_until_stalled();
    assert_eq!(b.n_waiting(), 1);
    let t3 = ex.spawn(party(b.clone(), r.clone()));
    ex.run_until_stalled();
    assert!(!t3.is_finished());
    let t4 = ex.spawn(party(b.clone(), r.clone()));
    ex.run_until_stalled();
    assert!(t2.is_finished() && t3.is_finished() && t4.is_finished());
    assert_eq!(r.borrow().len(), 3);
}

// BA-03: test_abort_barrier, test_reset_barrier_while_tasks_waiting
#[test]
fn ba_03_abort_and_reset_test_abort_barrier() {
    let b = Barrier::new(3);
    let mut w = b.wait();
    assert!(poll_once(&mut w).is_pending());
    b.abort();
    assert_eq!(poll_once(&mut w), Poll::Ready(Err(BrokenBarrier::new())));
    assert!(poll_once(&mut b.wait()).is_ready()); // broken: fails at once
    b.reset();
    let mut w = b.wait();
    assert!(poll_once(&mut w).is_pending());
    b.reset();
    assert_eq!(poll_once(&mut w), Poll::Ready(Err(BrokenBarrier::new())));
    // Reusable after the reset.
    let ex = LocalExecutor::new();
    let (b, r) = (Rc::new(Barrier::new(2)), log());
    ex.spawn(party(b.clone(), r.clone())).detach();
    ex.spawn(party(b.clone(), r.clone())).detach();
    ex.run_until_stalled();
    assert_eq!(r.borrow().len(), 2);
}

// BA-04: test_blocking_tasks_while_draining
#[test]
fn ba_04_arrival_during_drain_waits_test_blocking_tasks_while_draining() {
    let b = Barrier::new(2);
    let mut a = b.wait();
    assert!(poll_once(&mut a).is_pending());
    let mut leader = b.wait();
    assert!(poll_once(&mut leader).is_ready()); // releases `a`, which has not returned yet
    let mut late = b.wait();
    assert!(poll_once(&mut late).is_pending()); // blocked while draining
    assert_eq!(b.n_waiting(), 0);
    assert!(poll_once(&mut a).is_ready()); // drain ends
    assert!(poll_once(&mut late).is_pending()); // admitted, now filling the next cycle
    assert_eq!(b.n_waiting(), 1);
    let mut other = b.wait();
    assert!(poll_once(&mut other).is_ready());
    assert!(poll_once(&mut late).is_ready());
}

// BA-05: test_abort_barrier_when_exception
#[test]
fn ba_05_failing_party_aborts_test_abort_barrier_when_exception() {
    let ex = LocalExecutor::new();
    let b = Rc::new(Barrier::new(3));
    let results = log();
    for i in 0..3 {
        let (b, r) = (b.clone(), results.clone());
        ex.spawn(async move {
            if i == 2 {
                yield_now().await;
                b.abort(); // "an exception in a party"
                r.borrow_mut().push(Err(BrokenBarrier::new()));
                return;
            }
            let res = b.wait().await.map(|_| ());
            r.borrow_mut().push(res);
        })
        .detach();
    }
    ex.run_until_stalled();
    assert_eq!(results.borrow().len(), 3);
    assert!(results.borrow().iter().all(|r| r.is_err()));
    assert!(b.is_broken());
}
