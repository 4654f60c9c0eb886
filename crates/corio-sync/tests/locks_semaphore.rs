//! CPython's test_locks.py SemaphoreTests, ported (ASYNCIO_CASES.md 1.9, SM-xx).
#![allow(missing_docs)]

mod common;

use common::{log, poll_once};
use corio_executor::{LocalExecutor, Task, yield_now};
use corio_sync::{BoundedSemaphore, Semaphore};
use std::rc::Rc;

fn acquirer(
    ex: &LocalExecutor,
    sem: &Rc<Semaphore>,
    result: &common::Log<i32>,
    i: i32,
) -> Task<()> {
    let (sem, result) = (sem.clone(), result.clone());
    ex.spawn(async move {
        sem.acquire().await.unwrap().forget();
        result.borrow_mut().push(i);
    })
}

// SM-01: test_initial_value_zero, test_semaphore_value (negative values: unrepresentable).
#[test]
fn sm_01_initial_zero_is_locked_test_initial_value_zero() {
    let sem = Semaphore::new(0);
    assert!(sem.is_locked());
    assert_eq!(sem.available_permits(), 0);
}

// SM-02: test_acquire, test_release_no_waiters — values and locked().
#[test]
fn sm_02_acquire_release_values_test_release_no_waiters() {
    let sem = Semaphore::new(1);
    assert!(!sem.is_locked());
    let p = sem.try_acquire().unwrap();
    assert!(sem.is_locked());
    drop(p);
    assert!(!sem.is_locked());
    assert_eq!(sem.available_permits(), 1);
    // locked() also when there are waiters.
    let sem = Semaphore::new(0);
    let mut w = sem.acquire();
    assert!(poll_once(&mut w).is_pending());
    sem.add_permits(1);
    assert!(sem.is_locked()); // handed to the waiter, not yet collected
    assert!(poll_once(&mut w).is_ready());
}

// SM-03: test_acquire — two releases with three waiters: exactly two complete; a new
// arrival does not jump the queue.
#[test]
fn sm_03_two_releases_three_waiters_test_acquire() {
    let ex = LocalExecutor::new();
    let sem = Rc::new(Semaphore::new(0));
    let result = log();
    let tasks: Vec<_> = (1..=3).map(|i| acquirer(&ex, &sem, &result, i)).collect();
    ex.run_until_stalled();
    sem.add_permits(2);
    let late = acquirer(&ex, &sem, &result, 4);
    assert!(sem.try_acquire().is_err());
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [1, 2]);
    sem.add_permits(1);
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [1, 2, 3]);
    assert!(tasks[2].is_finished() && !late.is_finished());
    sem.add_permits(1);
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [1, 2, 3, 4]);
    assert_eq!(sem.waiter_count(), 0);
}

// SM-04: test_acquire_fifo_order — a releaser that re-acquires queues behind the waiters.
#[test]
fn sm_04_fifo_order_test_acquire_fifo_order() {
    let ex = LocalExecutor::new();
    let sem = Rc::new(Semaphore::new(1));
    let result = log();
    for name in ["c1", "c2", "c3"] {
        let (sem, result) = (sem.clone(), result.clone());
        ex.spawn(async move {
            for round in 1..=2 {
                let _p = sem.acquire().await.unwrap();
                result.borrow_mut().push(format!("{name}_{round}"));
                yield_now().await;
            }
        })
        .detach();
    }
    ex.run_until_stalled();
    assert_eq!(
        *result.borrow(),
        ["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]
    );
    assert_eq!(sem.available_permits(), 1);
}

// SM-05: test_acquire_fifo_order_2 — release then re-acquire inside one task → [1,2,3,4].
#[test]
fn sm_05_fifo_order_release_reacquire_test_acquire_fifo_order_2() {
    let ex = LocalExecutor::new();
    let sem = Rc::new(Semaphore::new(1));
    let result = log();
    let t1 = acquirer(&ex, &sem, &result, 1);
    let (s, r) = (sem.clone(), result.clone());
    let t2 = ex.spawn(async move {
        s.acquire().await.unwrap().forget();
        r.borrow_mut().push(2);
        s.add_permits(1); // sem.release()
        s.acquire().await.unwrap().forget();
        r.borrow_mut().push(4);
    });
    let t3 = acquirer(&ex, &sem, &result, 3);
    ex.run_until_stalled(); // asyncio.sleep(0)
    sem.add_permits(1);
    sem.add_permits(1);
    ex.run_until_stalled();
    assert!(t1.is_finished() && t2.is_finished() && t3.is_finished());
    assert_eq!(*result.borrow(), [1, 2, 3, 4]);
}

// SM-06: test_acquire_fifo_order_3 — a cancelled front waiter does not consume the permit.
#[test]
fn sm_06_cancelled_front_waiter_skipped_test_acquire_fifo_order_3() {
    let ex = LocalExecutor::new();
    let sem = Rc::new(Semaphore::new(0));
    let result = log();
    let tasks: Vec<_> = (1..=3).map(|i| acquirer(&ex, &sem, &result, i)).collect();
    ex.run_until_stalled();
    tasks[0].abort();
    sem.add_permits(2);
    ex.run_until_stalled();
    assert_eq!(*result.borrow(), [2, 3]);
    assert_eq!(sem.waiter_count(), 0);
}

// SM-07: test_acquire_cancel — a cancelled waiter is removed.
#[test]
fn sm_07_cancelled_waiter_removed_test_acquire_cancel() {
    let ex = LocalExecutor::new();
    let sem = Rc::new(Semaphore::new(0));
    let result = log();
    let t = acquirer(&ex, &sem, &result, 1);
    ex.run_until_stalled();
    assert_eq!(sem.waiter_count(), 1);
    t.abort();
    ex.run_until_stalled();
    assert_eq!(sem.waiter_count(), 0);
    assert!(sem.try_acquire().is_err());
    sem.add_permits(1);
    assert!(sem.try_acquire().is_ok());
}

// SM-08: test_acquire_cancel_before_awoken — release wakes t3, not t4; exactly one completes.
#[test]
fn sm_08_cancelled_before_awoken_skipped_test_acquire_cancel_before_awoken() {
    let ex = LocalExecutor::new();
    let sem = Rc::new(Semaphore::new(0));
    let result = log();
    let t: Vec<_> = (1..=4).map(|i| acquirer(&ex, &sem, &result, i)).collect();
    ex.run_until_stalled();
    t[0].abort();
    t[1].abort();
    sem.add_permits(1);
    ex.run_until_stalled();
    assert!(t[2].is_finished());
    assert!(!t[3].is_finished());
    assert_eq!(*result.borrow(), [3]);
    t[3].abort();
    ex.run_until_stalled();
    assert_eq!(sem.waiter_count(), 0);
}

// SM-09: test_acquire_hang — woken then cancelled: the permit passes on.
#[test]
fn sm_09_woken_then_cancelled_passes_permit_test_acquire_hang() {
    let ex = LocalExecutor::new();
    let sem = Rc::new(Semaphore::new(0));
    let result = log();
    let t1 = acquirer(&ex, &sem, &result, 1);
    let t2 = acquirer(&ex, &sem, &result, 2);
    ex.run_until_stalled();
    sem.add_permits(1); // handed to t1, which is woken
    t1.abort(); // ... and cancelled before it runs
    ex.run_until_stalled();
    assert!(t2.is_finished());
    assert_eq!(*result.borrow(), [2]);
    assert_eq!(sem.waiter_count(), 0);
}

// SM-10: test_acquire_no_hang — the holder cancels the waiter while releasing.
#[test]
fn sm_10_holder_cancels_waiter_while_releasing_test_acquire_no_hang() {
    let ex = LocalExecutor::new();
    let sem = Rc::new(Semaphore::new(1));
    let t2_slot: Rc<std::cell::RefCell<Option<Task<()>>>> = Default::default();
    let (s, slot) = (sem.clone(), t2_slot.clone());
    let t1 = ex.spawn(async move {
        {
            let _p = s.acquire().await.unwrap();
            // t2 is spawned once t1 holds the permit, and t1 releases once t2 waits for
            // it (one turn on the FIFO loop; under chaos mode, whatever order the loop
            // picks).
            let s2 = s.clone();
            *slot.borrow_mut() = Some(corio_executor::spawn(async move {
                let _p = s2.acquire().await.unwrap();
                panic!("must not get the permit");
            }));
            common::yield_until(|| s.waiter_count() == 1).await;
        }
        slot.borrow().as_ref().unwrap().abort();
    });
    ex.run_until_stalled();
    assert!(t1.is_finished());
    let t2 = t2_slot.borrow_mut().take().unwrap();
    assert!(ex.block_on(t2).unwrap_err().is_cancelled());
    assert_eq!(sem.available_permits(), 1);
    assert!(sem.try_acquire().is_ok());
    assert_eq!(sem.waiter_count(), 0);
}

// SM-11: test_release_not_acquired — BoundedSemaphore over its initial value is an error.
#[test]
fn sm_11_bounded_release_error_test_release_not_acquired() {
    let sem = BoundedSemaphore::new(1);
    assert!(sem.release().is_err());
    sem.try_acquire().unwrap().forget();
    assert!(sem.release().is_ok());
    assert!(sem.release().is_err());
    let p = sem.try_acquire().unwrap();
    assert!(sem.release().is_err()); // the guard still holds it
    drop(p);
    assert_eq!(sem.available_permits(), 1);
}

// SM-12: (derived) invariant available = initial − held, no waiters at quiescence, under
// a deterministic mix of acquire, release and cancel. The threaded version is in
// stress.rs.
#[test]
fn sm_12_invariant_under_mix_derived() {
    let ex = LocalExecutor::new();
    let sem = Rc::new(Semaphore::new(3));
    let held = Rc::new(std::cell::Cell::new(0usize));
    let mut tasks = Vec::new();
    for i in 0..60u32 {
        let (sem, held) = (sem.clone(), held.clone());
        tasks.push(ex.spawn(async move {
            let n = 1 + (i % 2) as usize;
            let _p = sem.acquire_many(n).await.unwrap();
            held.set(held.get() + n);
            assert!(held.get() <= 3);
            for _ in 0..(i % 3) {
                yield_now().await;
            }
            held.set(held.get() - n);
        }));
    }
    for (i, t) in tasks.iter().enumerate() {
        if i % 7 == 0 {
            t.abort();
        }
        if i % 5 == 0 {
            ex.run_until_stalled();
        }
    }
    ex.run_until_stalled();
    assert_eq!(sem.available_permits(), 3);
    assert_eq!(sem.waiter_count(), 0);
    assert!(tasks.iter().all(|t| t.is_finished()));
}

#[test]
fn semaphore_close_fails_waiters_and_later_acquirers() {
    let sem = Semaphore::new(0);
    let mut w = sem.acquire();
    assert!(poll_once(&mut w).is_pending());
    sem.close();
    assert!(matches!(poll_once(&mut w), std::task::Poll::Ready(Err(_))));
    drop(w);
    assert_eq!(sem.waiter_count(), 0);
    let mut later = sem.acquire();
    assert!(matches!(
        poll_once(&mut later),
        std::task::Poll::Ready(Err(_))
    ));
}

#[test]
fn acquire_many_waits_its_turn() {
    let sem = Semaphore::new(1);
    let mut big = sem.acquire_many(2);
    let mut small = sem.acquire();
    assert!(poll_once(&mut big).is_pending());
    assert!(poll_once(&mut small).is_pending()); // no overtaking the big request
    drop(big); // leaving lets the small one through
    assert!(poll_once(&mut small).is_ready());
}

/// The free count shares an atomic word with two flags: a count that would not fit
/// panics instead of wrapping into the flags.
#[test]
#[should_panic(expected = "semaphore permit count overflow")]
fn a_permit_count_past_the_word_panics() {
    let sem = Semaphore::new(usize::MAX >> 2);
    assert_eq!(sem.available_permits(), usize::MAX >> 2);
    sem.add_permits(1);
}
